"""Approval rollups: orders approved per month, scope, approver and whole minutes taken.

The Order-to-cash page's approvals read, for a period, the hours per rep (a sum) and the
minutes each approval took per approver (a histogram, so median and P90 are exact). At a
million deals that was a GROUP BY over every approved order of the period (about a
second); these tables hold it per month the approval was given:

- `rollup_approval_reps`: orders approved and hours taken per month and scope (territory,
  segment, the order's rep);
- `rollup_approval_minutes`: orders per month, approver, whole minutes and scope, for a
  scoped page (read through its territory or rep index);
- `rollup_approval_histogram`: the same without the scope, for the whole company (a few
  thousand rows a month instead of one per order).

Rebuilt with the other rollups on every load, import and `db upgrade`
(salesops.db.rollups_approvals). Defined on the schema's one MetaData by
`approval_rollup_tables`, which salesops.db.schema calls (this module imports nothing from
it, so there is no cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table

APPROVER = String(120)  # as orders.approver


class ApprovalRollups(NamedTuple):
    """The approval rollup tables."""

    reps: Table
    minutes: Table
    histogram: Table


def _scope() -> list[Column]:
    return [Column("territory_id", Integer), Column("segment", String(40)),
            Column("rep_id", Integer)]  # fmt: skip


def approval_rollup_tables(metadata: MetaData) -> ApprovalRollups:
    """Returns the approval rollup tables, defined on `metadata`."""
    reps = Table(
        "rollup_approval_reps",
        metadata,
        Column("month", Date, nullable=False),
        *_scope(),
        Column("orders", Integer, nullable=False),
        Column("hours", Float, nullable=False),
        Index("ix_rollup_approval_reps_month", "month"),
    )
    minutes = Table(
        "rollup_approval_minutes",
        metadata,
        Column("month", Date, nullable=False),
        Column("approver", APPROVER),
        Column("minutes", Integer, nullable=False),
        *_scope(),
        Column("orders", Integer, nullable=False),
        Index("ix_rollup_approval_minutes_month", "month"),
        Index("ix_rollup_approval_minutes_territory", "territory_id", "month"),
        Index("ix_rollup_approval_minutes_rep", "rep_id", "month"),
    )
    histogram = Table(
        "rollup_approval_histogram",
        metadata,
        Column("month", Date, nullable=False),
        Column("approver", APPROVER),
        Column("minutes", Integer, nullable=False),
        Column("orders", Integer, nullable=False),
        Index("ix_rollup_approval_histogram_month", "month"),
    )
    return ApprovalRollups(reps, minutes, histogram)
