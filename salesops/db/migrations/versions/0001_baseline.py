"""Baseline: the schema salesops built before migrations (schema version 4).

Revision ID: 0001
Revises:
Create Date: 2026-12-04

Databases created before migrations existed are brought to schema 4 by the legacy step of
`salesops db upgrade` (missing rollup tables created and built) and then stamped here; new
databases are created from the current metadata and stamped at the head. So this revision
changes nothing: every later change is a migration on top of it.
"""

from __future__ import annotations

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: schema 4 is in place when a database is stamped here."""


def downgrade() -> None:
    """Nothing to undo."""
