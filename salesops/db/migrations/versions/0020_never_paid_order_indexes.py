"""Covering partial indexes of the never-paid orders, for the Order-to-cash slow lists (issue 18).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

The accounts and orders that most delay cash rank the orders unpaid on the as-of date (some
100,000 at a million deals, about half never paid): read through ix_orders_paid_at, each
was looked up in the table. `ix_orders_never_paid` (payment, invoice and order dates,
account, rep, deal, amount WHERE paid_at IS NULL) holds all they read of a never-paid order, so that
range is read from the index alone; `ix_orders_account_never_paid` (the same, account first)
serves an account's never-paid orders: a territory's, and the top accounts' open orders.
Partial, so only a query asking for never-paid orders can use them: the rollups' plans
are left as they were (a full index on these columns made SQLite build rollup_order_days
through it, 45% more CPU). Re-runnable: an index already there is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

COLUMNS = ["paid_at", "invoiced_at", "ordered_at", "account_id", "rep_id", "opportunity_id",
           "amount"]  # fmt: skip
INDEXES = {
    "ix_orders_never_paid": COLUMNS,
    "ix_orders_account_never_paid": ["account_id", *(c for c in COLUMNS if c != "account_id")],
}


def upgrade() -> None:
    """Creates the two partial indexes on orders (unless there)."""
    there = {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes("orders")}
    never_paid = sa.text("paid_at IS NULL")
    for name, columns in INDEXES.items():
        if name not in there:
            op.create_index(
                name, "orders", columns, sqlite_where=never_paid, postgresql_where=never_paid
            )


def downgrade() -> None:
    """Drops the two indexes."""
    for name in INDEXES:
        op.drop_index(name, table_name="orders")
