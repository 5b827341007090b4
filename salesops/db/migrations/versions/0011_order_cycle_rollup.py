"""Order-to-cash rollup: days per step per month, day count and scope (issue 18).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

The Order-to-cash page grouped every order of a period to count the days each step took
(over a minute on SQLite at a million deals); `rollup_order_cycle_days`
(salesops.db.schema_cash) holds those counts per month the step ended, whole days,
territory, segment and the order's rep. Filled here from the orders already there, and
rebuilt with the other rollups on every load and import. A table already there (a
database created at a newer schema, then stamped back) is refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_cash import cash_plan

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "rollup_order_cycle_days"
INDEX = "ix_rollup_order_cycle_days_month"


def upgrade() -> None:
    """Creates the order-to-cash rollup (unless there) and fills it from the orders."""
    if NAME not in sa.inspect(op.get_bind()).get_table_names():
        _create()
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    _fill()


def _create() -> None:
    op.create_table(
        NAME,
        sa.Column("leg", sa.String(20), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("days", sa.Integer),
        sa.Column("territory_id", sa.Integer),
        sa.Column("segment", sa.String(40)),
        sa.Column("rep_id", sa.Integer),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("amount", sa.Float),
    )
    op.create_index(INDEX, NAME, ["month", "leg"])


def _fill() -> None:
    """Replaces the rollup's rows with the orders' counts."""
    for table, select in cash_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the order-to-cash rollup."""
    op.drop_index(INDEX, table_name=NAME)
    op.drop_table(NAME)
