"""Stage-entries rollup: when each open deal entered its current stage (issue 21).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

The pipeline review's stale list needs each open deal's stage entry date; read from the
history it takes minutes at a million deals (the meeting pack's first download).
`rollup_stage_entries` (salesops.db.schema_review) holds it, rebuilt with the other rollups
on load, import and `db upgrade`. Re-runnable: a table already there is kept and refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db import schema as s
from salesops.db.migrate import refresh_follows
from salesops.db.rollups_review import stage_entries_select

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "rollup_stage_entries"


def upgrade() -> None:
    """Creates the stage-entries rollup and fills it."""
    if TABLE not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            TABLE,
            sa.Column("opportunity_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("entered_at", sa.Date, nullable=False),
        )
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    table = s.rollup_stage_entries  # only it: review_plan() also lists later rollups
    op.execute(sa.delete(table))
    op.execute(
        sa.insert(table).from_select([c.name for c in table.columns], stage_entries_select())
    )


def downgrade() -> None:
    """Drops the stage-entries rollup."""
    op.drop_table(TABLE)
