"""The data-quality rollups (issue 21).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

`rollup_quality_issues` holds one row per offending deal or lead (and every open deal with
its expected close date), so the Data page and `salesops quality` count and list problems
without scanning every deal and lead; `rollup_quality_months` counts them per created month.
Both are filled here, and rebuilt with the other rollups on every load and import.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.quality_rollup import (
    insert_duplicate_accounts,
    quality_issues_select,
    rebuild_quality_months,
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates rollup_quality_issues and fills it from the rows already in the database."""
    table = op.create_table(
        "rollup_quality_issues",
        sa.Column("problem", sa.String(40), primary_key=True),
        sa.Column("entity_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("month", sa.Date),
        sa.Column("due", sa.Date),
    )
    op.create_index(
        "ix_rollup_quality_issues_problem_due", "rollup_quality_issues", ["problem", "due"]
    )
    op.execute(
        sa.insert(table).from_select(
            ["problem", "entity_id", "month", "due"], quality_issues_select()
        )
    )
    insert_duplicate_accounts(op.get_bind())
    op.create_table(
        "rollup_quality_months",
        sa.Column("problem", sa.String(40), nullable=False),
        sa.Column("month", sa.Date),
        sa.Column("count", sa.Integer, nullable=False),
    )
    rebuild_quality_months(op.get_bind())


def downgrade() -> None:
    """Drops the two quality rollups."""
    op.drop_table("rollup_quality_months")
    op.drop_index("ix_rollup_quality_issues_problem_due", table_name="rollup_quality_issues")
    op.drop_table("rollup_quality_issues")
