"""Daily-grain rollups: the KPI facts per day, for the partial months at a period's edges.

A KPI period that is not whole months (15 Jan - 20 Dec, 17 days in March) reads its whole
months from the monthly rollups and its edge days from these tables: an index range over
a few thousand pre-grouped rows instead of a GROUP BY over the base tables (seconds at a
million deals). Each table has its monthly rollup's columns, in the same order, plus
`day`, the date the fact belongs to (close date, lead creation date). They are rebuilt
with the other rollups (salesops.db.rollups_daily) on every load, import and `db upgrade`.

The tables are defined on the schema's one MetaData by `daily_rollup_tables`, which
salesops.db.schema calls with its monthly rollups: each daily table's columns are copied
from its monthly table, so a measure is defined once (this module imports nothing from
salesops.db.schema, so there is no cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Index, MetaData, Table


class DailyRollups(NamedTuple):
    """The rollup tables of the KPI facts with partial-month edges, one per fact.

    Holds the monthly tables (given to `daily_rollup_tables`) or their daily tables.
    """

    closed: Table
    leads: Table
    customers: Table
    won_cycle_days: Table


# The daily tables' names, in DailyRollups' field order.
DAILY_NAMES = (
    "rollup_closed_days",
    "rollup_lead_days",
    "rollup_customer_days",
    "rollup_won_cycle_day_counts",
)


def daily_table(metadata: MetaData, name: str, monthly: Table) -> Table:
    """Returns table `name`: `monthly`'s columns (names, types, nullability, order) plus `day`."""
    return Table(
        name,
        metadata,
        *(Column(c.name, c.type, nullable=c.nullable) for c in monthly.columns),
        Column("day", Date, nullable=False),
        Index(f"ix_{name}_day", "day"),
    )


def daily_rollup_tables(metadata: MetaData, monthly: DailyRollups) -> DailyRollups:
    """Returns the daily rollup tables, defined on `metadata` from the `monthly` rollups."""
    return DailyRollups(
        *(
            daily_table(metadata, name, table)
            for name, table in zip(DAILY_NAMES, monthly, strict=True)
        )
    )
