"""Orders: indexes on invoiced_at and paid_at (issue 18).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

The Order-to-cash page filters orders by invoice and payment date (days to invoice and to
pay counted in the month each step ended, cash collected, the data's last day); DESIGN.md
asks for an index on every date used for filtering. An index already there is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = (("ix_orders_invoiced_at", "invoiced_at"), ("ix_orders_paid_at", "paid_at"))


def _existing() -> set[str]:
    return {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes("orders")}


def upgrade() -> None:
    """Creates the invoice and payment date indexes."""
    existing = _existing()
    for name, column in INDEXES:
        if name not in existing:
            op.create_index(name, "orders", [column])


def downgrade() -> None:
    """Drops the invoice and payment date indexes."""
    existing = _existing()
    for name, _ in INDEXES:
        if name in existing:
            op.drop_index(name, table_name="orders")
