"""Builder of the receivables rollup (salesops.db.schema_receivables)."""

from __future__ import annotations

from sqlalchemy import Select, Table, func, select

from salesops.db import schema as s
from salesops.db.rollups_cash import order_join, order_rep
from salesops.db.sqlfuncs import month_start, unindexed


def receivable_days_select() -> Select:
    """Returns the rollup's rows: invoice day, order and payment months, scope, orders, amount."""
    od, a = s.orders.c, s.accounts.c
    # every order: a scan, not the invoice-date index (a row lookup per order, in the order
    # of rowids within each invoice day either way: the same sums)
    keys = [unindexed(od.invoiced_at), month_start(od.ordered_at), month_start(od.paid_at),
            a.territory_id, a.segment, order_rep()]  # fmt: skip
    return (
        select(*keys, func.count(), func.sum(od.amount)).select_from(order_join()).group_by(*keys)
    )


def receivables_plan() -> list[tuple[Table, Select]]:
    """Returns (rollup table, the select that fills it) for the receivables rollup."""
    return [(s.rollup_receivable_days, receivable_days_select())]
