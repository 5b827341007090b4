"""Order rollups: order revenue and margin per day, for the partial months at a period's edges.

A KPI period that is not whole months (15 Jan - 20 Dec) reads its whole months of order
revenue and gross margin from `rollup_order_months` and its edge days from
`rollup_order_days`: an index range over a few thousand pre-grouped rows instead of a
GROUP BY over the orders (seconds at a million deals). The table has the monthly rollup's
columns, in the same order, plus `day` (the order date). Every column but the keys is a
sum, so a day's rows add up to its month's. Rebuilt with the other rollups
(salesops.db.rollups_orders) on every load, import and `db upgrade`.

Defined on the schema's one MetaData by `order_rollup_tables`, which salesops.db.schema
calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table


class OrderRollups(NamedTuple):
    """The order rollup tables."""

    days: Table


def order_rollup_tables(metadata: MetaData) -> OrderRollups:
    """Returns the order rollup tables, defined on `metadata`."""
    days = Table(
        "rollup_order_days",
        metadata,
        Column("month", Date, nullable=False),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("revenue", Float, nullable=False),
        Column("gross_margin", Float, nullable=False),
        Column("revenue_without_margin", Float, nullable=False),
        Column("day", Date, nullable=False),
        Index("ix_rollup_order_days_day", "day"),
    )
    return OrderRollups(days)
