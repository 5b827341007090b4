"""Receivables rollup: orders per invoice day, order month, payment month and scope.

What is owed on a date (ordered by then, not paid by then) in aging buckets (days since the
invoice) was read order by order: some 150,000 unpaid orders near the end of the data at a
million deals. `rollup_receivable_days` counts the orders and their amount per invoice
day (NULL: not invoiced), order month, payment month (NULL: not paid) and scope
(territory, segment, the order's rep), so the buckets of any as-of date are computed from
a few tens of thousands of rows: exactly for a month's last day, and for a date inside a
month with the orders placed or paid after it inside that month put right from the orders
(none when it is the data's last day). Rebuilt with the other rollups on every load,
import and `db upgrade` (salesops.db.rollups_receivables).

Defined on the schema's one MetaData by `receivables_rollup_table`, which
salesops.db.schema calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table

NAME = "rollup_receivable_days"


def receivables_rollup_table(metadata: MetaData) -> Table:
    """Returns the receivables rollup table, defined on `metadata`."""
    return Table(
        NAME,
        metadata,
        Column("invoiced_at", Date),
        Column("ordered_month", Date, nullable=False),
        Column("paid_month", Date),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("orders", Integer, nullable=False),
        Column("amount", Float, nullable=False),
        Index(f"ix_{NAME}_paid_month", "paid_month"),
    )
