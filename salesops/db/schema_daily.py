"""Daily-grain rollups: the KPI facts per day, for the partial months at a period's edges.

A KPI period that is not whole months (15 Jan - 20 Dec, 17 days in March) reads its whole
months from the monthly rollups and its edge days from these tables: an index range over
a few thousand pre-grouped rows instead of a GROUP BY over the base tables (seconds at a
million deals). Each table has its monthly rollup's columns, in the same order, plus
`day`, the date the fact belongs to (close date, lead creation date). They are rebuilt
with the other rollups (salesops.db.rollups_daily) on every load, import and `db upgrade`.

The tables are defined on the schema's one MetaData by `daily_rollup_tables`, which
salesops.db.schema calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table


class DailyRollups(NamedTuple):
    """The daily-grain rollup tables, one per KPI fact with partial-month edges."""

    closed: Table
    leads: Table
    customers: Table
    won_cycle_days: Table


def _keys(*, rep_first: bool = True) -> list[Column]:
    scope: list[Column] = [
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("channel", String(60)),
    ]
    rep: list[Column] = [Column("rep_id", Integer)]
    keys = rep + scope if rep_first else scope + rep
    return [Column("month", Date, nullable=False), *keys]


def _day(name: str) -> list[Column | Index]:
    return [Column("day", Date, nullable=False), Index(f"ix_{name}_day", "day")]


def daily_rollup_tables(metadata: MetaData) -> DailyRollups:
    """Returns the daily rollup tables, defined on `metadata`."""
    closed = Table(
        "rollup_closed_days",
        metadata,
        *_keys(),
        Column("won", Integer, nullable=False),
        Column("lost", Integer, nullable=False),
        Column("won_amount", Float, nullable=False),
        Column("won_cycle_days", Float, nullable=False),
        Column("lost_cycle_days", Float, nullable=False),
        Column("won_lead_cycle_days", Float, nullable=False),
        Column("won_with_lead", Integer, nullable=False),
        *_day("rollup_closed_days"),
    )
    leads = Table(
        "rollup_lead_days",
        metadata,
        *_keys(),
        Column("leads", Integer, nullable=False),
        Column("converted", Integer, nullable=False),
        *_day("rollup_lead_days"),
    )
    customers = Table(
        "rollup_customer_days",
        metadata,
        *_keys(rep_first=False),
        Column("new_customers", Integer, nullable=False),
        *_day("rollup_customer_days"),
    )
    won_cycle_days = Table(
        "rollup_won_cycle_day_counts",
        metadata,
        Column("month", Date, nullable=False),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("cycle_days", Integer, nullable=False),
        Column("deals", Integer, nullable=False),
        *_day("rollup_won_cycle_day_counts"),
    )
    return DailyRollups(closed, leads, customers, won_cycle_days)
