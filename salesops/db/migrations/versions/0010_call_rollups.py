"""The quarter call's rollups (issue 14).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

`rollup_call_snapshots` holds the open pipeline at every day of every quarter (grouped by
rep territory and manager, stage, forecast category and close bucket, with what of it was
won within the quarter) and `rollup_call_won_days` the amount won per day, so the call and
its track record read a few thousand rows instead of scanning the history spans. Both are
filled here from the history spans, and rebuilt with the other rollups on every load and
import.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_call import rebuild_call_unit_rollups

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the two call rollups (unless there) and fills them from the history spans."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "rollup_call_snapshots" not in present:  # there after an upgrade stopped on SQLite
        _create_snapshots()
    if "rollup_call_won_days" not in present:
        _create_won_days()
    if refresh_follows():  # `db upgrade` rebuilds them next: built once, not twice
        return
    rebuild_call_unit_rollups(op.get_bind())  # the per-rep ones are 0021's


def _create_snapshots() -> None:
    op.create_table(
        "rollup_call_snapshots",
        sa.Column("quarter_start", sa.Date, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("territory_id", sa.Integer),
        sa.Column("manager", sa.String(120)),
        sa.Column("stage", sa.String(60), nullable=False),
        sa.Column("forecast_category", sa.String(20)),
        sa.Column("close_bucket", sa.String(20), nullable=False),
        sa.Column("deals", sa.Integer, nullable=False),
        sa.Column("open_amount", sa.Float, nullable=False),
        sa.Column("won_amount", sa.Float, nullable=False),
        sa.Column("won_deals", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_rollup_call_snapshots_instant", "rollup_call_snapshots", ["quarter_start", "day"]
    )


def _create_won_days() -> None:
    op.create_table(
        "rollup_call_won_days",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("territory_id", sa.Integer),
        sa.Column("manager", sa.String(120)),
        sa.Column("won_amount", sa.Float, nullable=False),
    )
    op.create_index("ix_rollup_call_won_days_day", "rollup_call_won_days", ["day"])


def downgrade() -> None:
    """Drops the two call rollups."""
    op.drop_index("ix_rollup_call_won_days_day", table_name="rollup_call_won_days")
    op.drop_table("rollup_call_won_days")
    op.drop_index("ix_rollup_call_snapshots_instant", table_name="rollup_call_snapshots")
    op.drop_table("rollup_call_snapshots")
