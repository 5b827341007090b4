"""Order-to-cash rollup: days per step of order to cash, counted per month, day count and scope.

`rollup_order_cycle_days` holds, for every leg (close_to_order, order_to_invoice,
invoice_to_paid), month the leg ended, whole days it took, territory, segment and the
order's rep: how many orders and their amount. The page reads whole months of a period
here (a few hundred thousand rows at a million deals instead of millions of orders) and
its partial edge months from the orders themselves; mean, median and P90 come out of the
day-count histogram exactly, as from the orders. Rebuilt with the other rollups on every
load, import and `db upgrade` (salesops.db.rollups_cash).

Defined on the schema's one MetaData by `cash_rollup_table`, which salesops.db.schema
calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

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
    )
