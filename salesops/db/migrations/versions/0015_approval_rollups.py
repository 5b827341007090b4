"""Approval rollups and an index on orders.approved_at (issue 18).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

The Order-to-cash page's approvals grouped every order approved in the period (about a
second at a million deals); `rollup_approval_reps`, `rollup_approval_minutes` and
`rollup_approval_histogram` (salesops.db.schema_approvals) hold them per month the approval
was given, and the partial edge months of a period read the orders through the new index
on approved_at. Filled here, rebuilt with the other rollups on every load, import and
`db upgrade`. Re-runnable: tables and indexes already there are kept, the tables refilled.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_approvals import approval_plan

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCOPE = ("territory_id", "segment", "rep_id")
ORDERS_INDEX = "ix_orders_approved_at"
TABLES = {  # name: (columns after month, {index: columns})
    "rollup_approval_reps": (
        [*SCOPE, "orders", "hours"],
        {"ix_rollup_approval_reps_month": ["month"]},
    ),
    "rollup_approval_minutes": (
        ["approver", "minutes", *SCOPE, "orders"],
        {
            "ix_rollup_approval_minutes_month": ["month"],
            "ix_rollup_approval_minutes_territory": ["territory_id", "month"],
            "ix_rollup_approval_minutes_rep": ["rep_id", "month"],
        },
    ),
    "rollup_approval_histogram": (
        ["approver", "minutes", "orders"],
        {"ix_rollup_approval_histogram_month": ["month"]},
    ),
}
TYPES: dict[str, tuple[Any, bool]] = {
    "territory_id": (sa.Integer, True), "segment": (sa.String(40), True),
    "rep_id": (sa.Integer, True), "approver": (sa.String(120), True),
    "minutes": (sa.Integer, False), "orders": (sa.Integer, False), "hours": (sa.Float, False),
}  # fmt: skip


def _indexes(table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    """Indexes orders.approved_at, creates the approval rollups (unless there), fills them."""
    if ORDERS_INDEX not in _indexes("orders"):
        op.create_index(ORDERS_INDEX, "orders", ["approved_at"])
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, (columns, indexes) in TABLES.items():
        if name not in existing:
            op.create_table(
                name,
                sa.Column("month", sa.Date, nullable=False),
                *(sa.Column(c, TYPES[c][0], nullable=TYPES[c][1]) for c in columns),
            )
        there = _indexes(name)
        for index, on in indexes.items():
            if index not in there:
                op.create_index(index, name, on)
    if refresh_follows():  # `db upgrade` rebuilds them next: built once, not twice
        return
    for table, select in approval_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the approval rollups and the approved_at index."""
    for name, (_, indexes) in TABLES.items():
        for index in indexes:
            op.drop_index(index, table_name=name)
        op.drop_table(name)
    op.drop_index(ORDERS_INDEX, table_name="orders")
