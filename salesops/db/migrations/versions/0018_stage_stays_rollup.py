"""Stage-stays rollup: every ended stay of a deal in one stage (issue 21).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

The pipeline review's stale rule measures each stage's typical stay from the stays that
ended in the year before the week's end; read from the history, that took 38 s at a million
deals on SQLite (the meeting pack's first download) and cut stays begun more than a year
before that short. `rollup_stage_stays` (salesops.db.schema_review) holds them, rebuilt with
the other rollups on load, import and `db upgrade`. Re-runnable: a table or index already
there is kept, the table refilled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db import schema as s
from salesops.db.migrate import refresh_follows
from salesops.db.rollups_review import stage_stays_select
from salesops.db.schema_review import STAYS_INDEX

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NAME = "rollup_stage_stays"
DEAL_INDEX = "ix_rollup_stage_stays_opportunity_id"


def upgrade() -> None:
    """Creates the stage-stays rollup (unless there) and fills it from the history."""
    if NAME not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            NAME,
            sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("opportunity_id", sa.Integer, nullable=False),
            sa.Column("stage", sa.String(60), nullable=False),
            sa.Column("entered_at", sa.Date, nullable=False),
            sa.Column("left_at", sa.Date, nullable=False),
            sa.Column("days", sa.Integer, nullable=False),
        )
    indexes = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(NAME)}
    if DEAL_INDEX not in indexes:
        op.create_index(DEAL_INDEX, NAME, ["opportunity_id"])
    if STAYS_INDEX not in indexes:
        op.create_index(STAYS_INDEX, NAME, ["left_at", "stage", "days"])
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    table = s.rollup_stage_stays
    op.execute(sa.delete(table))
    op.execute(sa.insert(table).from_select([c.name for c in table.columns], stage_stays_select()))


def downgrade() -> None:
    """Drops the stage-stays rollup."""
    op.drop_table(NAME)
