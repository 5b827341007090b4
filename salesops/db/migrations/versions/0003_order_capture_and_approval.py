"""Orders: PO number, billing and shipping address, approval request and approval (issue 18).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

Order completeness (were the PO number and addresses captured up front?) and approval
times (requested → approved, and by whom) need these columns. All are nullable: an order
system that does not record them leaves them empty, and the page says so. A column already
there (a database created from a newer schema, then stamped back) is left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("po_number", sa.String(80)),
    ("billing_address", sa.String(400)),
    ("shipping_address", sa.String(400)),
    ("approval_requested_at", sa.DateTime),
    ("approved_at", sa.DateTime),
    ("approver", sa.String(120)),
)


def _existing() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("orders")}


def upgrade() -> None:
    """Adds the order capture and approval columns to orders."""
    existing = _existing()
    with op.batch_alter_table("orders") as batch:
        for name, kind in COLUMNS:
            if name not in existing:
                batch.add_column(sa.Column(name, kind))


def downgrade() -> None:
    """Drops the order capture and approval columns."""
    existing = _existing()
    with op.batch_alter_table("orders") as batch:
        for name, _ in reversed(COLUMNS):
            if name in existing:
                batch.drop_column(name)
