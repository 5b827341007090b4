"""Builders of the order rollups (salesops.db.schema_orders).

`rollup_order_days` is the monthly order rollup's GROUP BY (rollups.order_months_select)
with the order date added to the grouping, so a day's rows sum to exactly what the orders
give for that day, and a partial month reads back at the monthly grain with
rollups_daily.edge_select.
"""

from __future__ import annotations

from sqlalchemy import Select, Table

from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.rollups_daily import with_day


def order_plan() -> list[tuple[Table, Select]]:
    """Returns (order rollup table, the select that fills it) for every order rollup."""
    return [(s.order_rollups.days, with_day(rollups.order_months_select(), s.orders.c.ordered_at))]
