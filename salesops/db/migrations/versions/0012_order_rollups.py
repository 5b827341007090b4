"""Order rollups: revenue per day (issue 20 case 4), orders' status per month (issue 18).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

A KPI period that is not whole months read the order revenue of its edge days from the
orders (a GROUP BY over the base tables, seconds at a million deals); `rollup_order_days`
(salesops.db.schema_orders) holds it per day. `rollup_order_months.ordering_customers` (a
distinct count, which days cannot add up to and no KPI reads) is dropped.
`rollup_order_status_months` counts orders per month, scope and status (invoice and
payment months, capture fields missing), so the Order-to-cash funnel and completeness read
whole months without grouping every order. Re-runnable: on SQLite a CREATE TABLE commits
at once, so a table already there is kept and refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_orders import order_plan

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DAYS = "rollup_order_days"
DAYS_INDEX = "ix_rollup_order_days_day"
MONTHS = "rollup_order_months"
STATUS = "rollup_order_status_months"
STATUS_INDEX = "ix_rollup_order_status_months_month"
DROPPED = "ordering_customers"


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    """Drops the months' distinct count, creates the order rollups and fills them."""
    if DROPPED in _columns(MONTHS):
        with op.batch_alter_table(MONTHS) as batch:
            batch.drop_column(DROPPED)
    if DAYS not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            DAYS,
            sa.Column("month", sa.Date, nullable=False),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("revenue", sa.Float, nullable=False),
            sa.Column("gross_margin", sa.Float, nullable=False),
            sa.Column("revenue_without_margin", sa.Float, nullable=False),
            sa.Column("day", sa.Date, nullable=False),
        )
        op.create_index(DAYS_INDEX, DAYS, ["day"])
    if STATUS not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            STATUS,
            sa.Column("month", sa.Date, nullable=False),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("rep_id", sa.Integer),
            sa.Column("invoiced_month", sa.Date),
            sa.Column("paid_month", sa.Date),
            *(
                sa.Column(name, sa.Integer, nullable=False)
                for name in ("booking", "paid_valid", "nonpositive", "missing", "orders")
            ),
            sa.Column("amount", sa.Float, nullable=False),
            sa.Column("days_to_pay", sa.Integer, nullable=False),
            sa.Column("days_to_cash", sa.Integer, nullable=False),
        )
        op.create_index(STATUS_INDEX, STATUS, ["month"])
    if refresh_follows():  # `db upgrade` rebuilds them next: built once, not twice
        return
    for table, select in order_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the order rollups; the months get their distinct count back (0 until rebuilt)."""
    op.drop_index(STATUS_INDEX, table_name=STATUS)
    op.drop_table(STATUS)
    op.drop_index(DAYS_INDEX, table_name=DAYS)
    op.drop_table(DAYS)
    with op.batch_alter_table(MONTHS) as batch:
        batch.add_column(sa.Column(DROPPED, sa.Integer, nullable=False, server_default="0"))
