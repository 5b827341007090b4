"""Order-to-cash rollup: days per step of order to cash, counted per month, day count and scope.

`rollup_order_cycle_days` holds, for every leg (close_to_order, order_to_invoice,
invoice_to_paid), month the leg ended, whole days it took, territory, segment and the
order's rep: how many orders and their amount. The page reads whole months of a period
here (a few hundred thousand rows at a million deals instead of millions of orders) and
its partial edge months from the orders themselves; mean, median and P90 come out of the
day-count histogram exactly, as from the orders. Rebuilt with the other rollups on every
load, import and `db upgrade` (salesops.db.rollups_cash).

`rollup_order_cycle_histogram` and `rollup_order_cycle_scopes` sum it without the scope
and without the day counts (`cycle_summary_tables`), for the whole company's histogram and
for the breakdowns. Defined on the schema's one MetaData by `cash_rollup_table` and
`cycle_summary_tables`, which salesops.db.schema calls (this module imports nothing from
it, so there is no cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table


def cash_rollup_table(metadata: MetaData) -> Table:
    """Returns the order-to-cash cycle-days rollup table, defined on `metadata`."""
    return Table(
        "rollup_order_cycle_days",
        metadata,
        Column("leg", String(20), nullable=False),
        Column("month", Date, nullable=False),
        Column("days", Integer),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("orders", Integer, nullable=False),
        Column("amount", Float),
        Index("ix_rollup_order_cycle_days_month", "month", "leg"),
        # A scoped page reads its territory's or rep's rows only (migration 0016).
        Index("ix_rollup_order_cycle_days_territory", "territory_id", "month"),
        Index("ix_rollup_order_cycle_days_rep", "rep_id", "month"),
    )


class CycleSummaries(NamedTuple):
    """The cycle-days rollup summed two ways (salesops.db.rollups_cash.cycle_summary_plan)."""

    histogram: Table  # leg, month, days: orders, amount (the whole company's histogram)
    scopes: Table  # leg, month, territory, segment, rep: orders, days_sum, amount


def cycle_summary_tables(metadata: MetaData) -> CycleSummaries:
    """Returns the cycle-days rollup's two summaries, defined on `metadata`.

    The page's trend and percentiles for the whole company need the day histogram without
    the scope (a few hundred rows a month instead of tens of thousands), and its breakdowns
    the sums per scope without the day counts.
    """
    histogram = Table(
        "rollup_order_cycle_histogram",
        metadata,
        Column("leg", String(20), nullable=False),
        Column("month", Date, nullable=False),
        Column("days", Integer),
        Column("orders", Integer, nullable=False),
        Column("amount", Float),
        Index("ix_rollup_order_cycle_histogram_month", "month", "leg"),
    )
    scopes = Table(
        "rollup_order_cycle_scopes",
        metadata,
        Column("leg", String(20), nullable=False),
        Column("month", Date, nullable=False),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("orders", Integer, nullable=False),
        Column("days_sum", Integer),
        Column("amount", Float),
        Index("ix_rollup_order_cycle_scopes_month", "month", "leg"),
    )
    return CycleSummaries(histogram, scopes)
