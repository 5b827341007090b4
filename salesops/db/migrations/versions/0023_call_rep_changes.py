"""The per-rep call rollup holds the days its cells change, not every day (issue 15).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06

`rollup_call_rep_snapshots` held a row for every day of every quarter a rep's cell (stage,
forecast category, close bucket) held deals: 8.5M rows at a million deals, most of them
the same sums as the day before. Written, indexed and committed inside every import that
rebuilt it, they were about a third of a million-deal import's time on SQLite.
`rollup_call_rep_changes` (salesops.db.schema_call) holds a row only on the days a cell's
sums change, with the change (day 0: the sums then); the call adds a quarter's changes up
through the day it asks for (salesops.repository.call). Created here (unless there) and
filled from the history spans, with the per-rep won days; the old table is dropped.
Re-runnable: the new table is emptied and filled again. Left empty when the caller
rebuilds every rollup right after (`db upgrade`: migrate.refresh_follows), which fills it:
built once, not twice (~30 s at a million deals).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.engine import analyze
from salesops.db.migrate import refresh_follows
from salesops.db.rollups_call import rebuild_call_rep_rollups
from salesops.db.schema_call import CALL_REP_TABLES

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

OLD = "rollup_call_rep_snapshots"
NEW = "rollup_call_rep_changes"


def _create(name: str) -> None:
    """Creates a per-rep snapshot table (the old and the new have the same columns)."""
    op.create_table(
        name,
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
    op.create_index(f"ix_{name}_rep", name, ["rep_id", "quarter_start", "day"])


def upgrade() -> None:
    """Creates rollup_call_rep_changes (unless there), fills it; drops the daily snapshots."""
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    if NEW not in present:  # there after an upgrade stopped on SQLite
        _create(NEW)
    if OLD in present:
        op.drop_table(OLD)  # its index with it
    if refresh_follows():
        return
    rebuild_call_rep_rollups(bind)
    analyze(bind, list(CALL_REP_TABLES))


def downgrade() -> None:
    """Brings the daily per-rep snapshots back, empty: revision 0022's code rebuilds them.

    (Its import rebuilds the call rollups when the per-rep ones are empty, as does a
    refresh.)
    """
    op.drop_index(f"ix_{NEW}_rep", table_name=NEW)
    op.drop_table(NEW)
    _create(OLD)
