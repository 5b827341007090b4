"""Stored forecast results (issue 21): the Overview and the Forecast page read fits made on load.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

`stored_forecasts` holds forecast results as JSON under the hash of their series and
parameters (salesops.forecast.stored); `db upgrade`, demo loads and imports fill it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the empty stored_forecasts table (the refresh after the upgrade fills it)."""
    if "stored_forecasts" in sa.inspect(op.get_bind()).get_table_names():
        return  # an upgrade stopped after this step on SQLite (its DDL commits at once)
    op.create_table(
        "stored_forecasts",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("stored_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drops stored_forecasts."""
    op.drop_table("stored_forecasts")
