"""Receivables rollup: orders per invoice day, order month, payment month and scope (issue 18).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

The Order-to-cash page's receivables read every order unpaid on the as-of date (some
150,000 near the end of the data at a million deals); `rollup_receivable_days`
(salesops.db.schema_receivables) holds them per invoice day, order and payment month and
scope. Filled here, rebuilt with the other rollups on every load, import and `db upgrade`.
Re-runnable: a table or index already there is kept, the table refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_receivables import receivables_plan

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NAME = "rollup_receivable_days"
INDEX = "ix_rollup_receivable_days_paid_month"


def upgrade() -> None:
    """Creates the receivables rollup (unless there) and fills it from the orders."""
    if NAME not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            NAME,
            sa.Column("invoiced_at", sa.Date),
            sa.Column("ordered_month", sa.Date, nullable=False),
            sa.Column("paid_month", sa.Date),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("rep_id", sa.Integer),
            sa.Column("orders", sa.Integer, nullable=False),
            sa.Column("amount", sa.Float, nullable=False),
        )
    if INDEX not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(NAME)}:
        op.create_index(INDEX, NAME, ["paid_month"])
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    for table, select in receivables_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the receivables rollup."""
    op.drop_index(INDEX, table_name=NAME)
    op.drop_table(NAME)
