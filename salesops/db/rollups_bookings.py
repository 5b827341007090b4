"""Builder of the bookings rollup (salesops.db.schema_bookings) and the facts it counts.

A won deal is "ordered by a date" when its first order is placed on or before it, so the
rollup keeps each deal's first order month: a period ending on a month's last day reads
"ordered by then" from it exactly; the repository puts right a mid-month end from the
orders (the deals first ordered after the end, inside its month) and reads partial edge
months from the deals themselves with the same expressions (`won_deals`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, Table, func, select

from salesops.db import schema as s
from salesops.db.sqlfuncs import month_start, unindexed


def won_deals():
    """Returns opportunities ⋈ accounts, the deals' scope (a deal without an account is out)."""
    o, a = s.opportunities.c, s.accounts.c
    return s.opportunities.join(s.accounts, a.id == o.account_id)


def is_won() -> ColumnElement[bool]:
    """Returns "the deal was won" (a booking)."""
    return s.opportunities.c.outcome == "won"


def won_first_orders_select() -> Select:
    """Returns the rollup's rows (month, scope, first_order_month, deals, amount)."""
    o, a, od = s.opportunities.c, s.accounts.c, s.orders.c
    first = (
        select(od.opportunity_id, func.min(od.ordered_at).label("first_ordered"))
        .where(od.opportunity_id.is_not(None))
        .group_by(od.opportunity_id)
        .subquery("first_orders")
    )
    keys = [month_start(o.closed_at), a.territory_id, a.segment, o.rep_id,
            month_start(first.c.first_ordered)]  # fmt: skip
    return (
        select(*keys, func.count(), func.coalesce(func.sum(o.amount), 0.0))
        .select_from(won_deals().outerjoin(first, first.c.opportunity_id == o.id))
        .where(is_won(), unindexed(o.closed_at).is_not(None))  # every won deal: a scan
        .group_by(*keys)
    )


def bookings_plan() -> list[tuple[Table, Select]]:
    """Returns (rollup table, the select that fills it) for the bookings rollup."""
    return [(s.rollup_won_first_orders, won_first_orders_select())]
