"""Cycle-days summaries: the whole company's histogram and the sums per scope (issue 18).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

The Order-to-cash page read a year of rollup_order_cycle_days (one row per leg, month,
day count and rep: hundreds of thousands at a million deals) twice, for the histogram and
for the breakdowns. `rollup_order_cycle_histogram` sums it without the scope and
`rollup_order_cycle_scopes` without the day counts (salesops.db.schema_cash); a scoped page
reads the cycle-days rollup through new territory and rep indexes. Filled here from the
rollup, rebuilt after it on every load, import and `db upgrade`. Re-runnable: tables and
indexes already there are kept, the tables refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_cash import cycle_summary_plan

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CYCLE = "rollup_order_cycle_days"
CYCLE_INDEXES = {
    "ix_rollup_order_cycle_days_territory": ["territory_id", "month"],
    "ix_rollup_order_cycle_days_rep": ["rep_id", "month"],
}
HISTOGRAM = "rollup_order_cycle_histogram"
SCOPES = "rollup_order_cycle_scopes"


def _indexes(table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes(table)}


def _leg_month() -> list[sa.Column]:
    return [sa.Column("leg", sa.String(20), nullable=False),
            sa.Column("month", sa.Date, nullable=False)]  # fmt: skip


def upgrade() -> None:
    """Indexes the cycle-days rollup by scope, creates its summaries (unless there), fills them."""
    there = _indexes(CYCLE)
    for name, columns in CYCLE_INDEXES.items():
        if name not in there:
            op.create_index(name, CYCLE, columns)
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if HISTOGRAM not in tables:
        op.create_table(
            HISTOGRAM,
            *_leg_month(),
            sa.Column("days", sa.Integer),
            sa.Column("orders", sa.Integer, nullable=False),
            sa.Column("amount", sa.Float),
        )
    if SCOPES not in tables:
        op.create_table(
            SCOPES,
            *_leg_month(),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("rep_id", sa.Integer),
            sa.Column("orders", sa.Integer, nullable=False),
            sa.Column("days_sum", sa.Integer),
            sa.Column("amount", sa.Float),
        )
    for name in (HISTOGRAM, SCOPES):
        index = f"ix_{name}_month"
        if index not in _indexes(name):
            op.create_index(index, name, ["month", "leg"])
    if refresh_follows():  # `db upgrade` rebuilds them next: built once, not twice
        return
    for table, select in cycle_summary_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the summaries and the scope indexes."""
    for name in (HISTOGRAM, SCOPES):
        op.drop_index(f"ix_{name}_month", table_name=name)
        op.drop_table(name)
    for name in CYCLE_INDEXES:
        op.drop_index(name, table_name=CYCLE)
