"""The quarter call's rollups per rep (issue 14).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

A call scoped to one rep (or to reps that are not whole teams or territories) swept its
deals' history spans (salesops.db.call_scoped): ~123k spans for the busiest rep of the
large demo, about 1 s of CPU, and on PostgreSQL the deal index's pages read from disk
when cold. `rollup_call_rep_snapshots` holds the open pipeline at every day of every
quarter per rep (as rollup_call_snapshots does per rep territory and manager) and
`rollup_call_rep_won_days` the amount won per day and rep, so such a call reads a few
hundred rows. Both are created here (unless there), rebuilt with the other call rollups
on load and `db upgrade`, and updated by difference inside each import
(salesops.db.rollups_call_update). Migration 0023 replaced the snapshots by
`rollup_call_rep_changes` and fills it and the won days: nothing is filled here (the code
that filled this revision's table is gone).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the two per-rep call rollups (unless there); 0023 fills them."""
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    if "rollup_call_rep_snapshots" not in present:  # there after an upgrade stopped on SQLite
        op.create_table(
            "rollup_call_rep_snapshots",
            sa.Column("quarter_start", sa.Date, nullable=False),
            sa.Column("day", sa.Integer, nullable=False),
            sa.Column("rep_id", sa.Integer, nullable=False),
            sa.Column("stage", sa.String(60), nullable=False),
            sa.Column("forecast_category", sa.String(20)),
            sa.Column("close_bucket", sa.String(20), nullable=False),
            sa.Column("deals", sa.Integer, nullable=False),
            sa.Column("open_amount", sa.Float, nullable=False),
            sa.Column("won_amount", sa.Float, nullable=False),
            sa.Column("won_deals", sa.Integer, nullable=False),
        )
        op.create_index(
            "ix_rollup_call_rep_snapshots_rep",
            "rollup_call_rep_snapshots",
            ["rep_id", "quarter_start", "day"],
        )
    if "rollup_call_rep_won_days" not in present:
        op.create_table(
            "rollup_call_rep_won_days",
            sa.Column("day", sa.Date, nullable=False),
            sa.Column("rep_id", sa.Integer, nullable=False),
            sa.Column("won_amount", sa.Float, nullable=False),
        )
        op.create_index(
            "ix_rollup_call_rep_won_days_rep", "rollup_call_rep_won_days", ["rep_id", "day"]
        )


def downgrade() -> None:
    """Drops the two per-rep call rollups."""
    op.drop_index("ix_rollup_call_rep_won_days_rep", table_name="rollup_call_rep_won_days")
    op.drop_table("rollup_call_rep_won_days")
    op.drop_index("ix_rollup_call_rep_snapshots_rep", table_name="rollup_call_rep_snapshots")
    op.drop_table("rollup_call_rep_snapshots")
