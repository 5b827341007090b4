"""Bookings rollup: deals won per month and scope, by the month of their first order.

`rollup_won_first_orders` counts the won deals (and their amount) per close month,
territory, segment, rep and the month of the deal's first order (NULL: never ordered), so
the Order-to-cash funnel's "booked" and "booked, ordered by the period's end" read whole
months here (a few thousand rows a year at a million deals) instead of probing the orders
of every deal won in the period. Rebuilt with the other rollups on every load, import and
`db upgrade` (salesops.db.rollups_bookings).

Defined on the schema's one MetaData by `bookings_rollup_table`, which salesops.db.schema
calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table

NAME = "rollup_won_first_orders"


def bookings_rollup_table(metadata: MetaData) -> Table:
    """Returns the bookings rollup table, defined on `metadata`."""
    return Table(
        NAME,
        metadata,
        Column("month", Date, nullable=False),  # the deal's close month
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("first_order_month", Date),  # NULL: no order for the deal
        Column("deals", Integer, nullable=False),
        Column("amount", Float, nullable=False),
        Index(f"ix_{NAME}_month", "month"),
    )
