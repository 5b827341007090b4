"""Bookings rollup: won deals per close month, scope and first order month (issue 18).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

The Order-to-cash funnel's "booked" and "booked, ordered by the period's end" probed the
orders of every deal won in the period (about a second at a million deals);
`rollup_won_first_orders` (salesops.db.schema_bookings) counts the won deals per close
month, territory, segment, rep and first order month. Filled here, rebuilt with the other
rollups on every load, import and `db upgrade`. Re-runnable: a table already there (on
SQLite a CREATE TABLE commits at once) is kept and refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_bookings import bookings_plan

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NAME = "rollup_won_first_orders"
INDEX = "ix_rollup_won_first_orders_month"


def upgrade() -> None:
    """Creates the bookings rollup (unless there) and fills it from the deals and orders."""
    if NAME not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            NAME,
            sa.Column("month", sa.Date, nullable=False),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("rep_id", sa.Integer),
            sa.Column("first_order_month", sa.Date),
            sa.Column("deals", sa.Integer, nullable=False),
            sa.Column("amount", sa.Float, nullable=False),
        )
    if INDEX not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(NAME)}:
        op.create_index(INDEX, NAME, ["month"])
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    for table, select in bookings_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the bookings rollup."""
    op.drop_index(INDEX, table_name=NAME)
    op.drop_table(NAME)
