"""Builders of the approval rollups (salesops.db.schema_approvals) and the facts they count.

An approval counts in the period holding its `approved_at` when both timestamps are there
and it was not approved before it was requested; it took `approval_hours()` hours, or
`approval_minutes()` whole minutes. The rollups group those per month (the histogram sums
the minutes rollup's counts over the scope); the repository reads a period's partial edge
months from the orders with the same expressions.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, Select, Table, and_, cast, func, select

from salesops.db import schema as s
from salesops.db.rollups_cash import order_join, order_rep
from salesops.db.sqlfuncs import hours_between, month_start


def approval_counts() -> ColumnElement[bool]:
    """Returns "the order's approval is recorded and counts" (requested, then approved)."""
    od = s.orders.c
    return and_(
        od.approved_at.is_not(None),
        od.approval_requested_at.is_not(None),
        od.approved_at >= od.approval_requested_at,
    )


def approval_hours() -> ColumnElement:
    """Returns the hours from approval request to approval."""
    od = s.orders.c
    return hours_between(od.approval_requested_at, od.approved_at)


def approval_minutes() -> ColumnElement:
    """Returns the whole minutes from approval request to approval (timestamps are minutes)."""
    return cast(func.round(approval_hours() * 60), Integer)


def _grouped(keys: list[ColumnElement], *totals: ColumnElement) -> Select:
    return (
        select(*keys, func.count(), *totals)
        .select_from(order_join())
        .where(approval_counts())
        .group_by(*keys)
    )


def approval_plan() -> list[tuple[Table, Select]]:
    """Returns (rollup table, the select that fills it) for every approval rollup."""
    od, a = s.orders.c, s.accounts.c
    reps, minutes, histogram = s.approval_rollups
    month = month_start(od.approved_at)
    scope = [a.territory_id, a.segment, order_rep()]
    m = minutes.c
    unscoped = [m.month, m.approver, m.minutes]
    return [
        (reps, _grouped([month, *scope], func.sum(approval_hours()))),
        (minutes, _grouped([month, od.approver, approval_minutes(), *scope])),
        # the minutes' counts summed over the scope: the orders' counts, without their
        # third pass over every approved order (built after the minutes, in this order)
        (histogram, select(*unscoped, func.sum(m.orders)).group_by(*unscoped)),
    ]
