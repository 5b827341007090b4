"""Alembic environment: runs on the connection salesops/db/migrate.py hands it.

`render_as_batch=True` lets one migration alter tables on SQLite (copy and move) and
PostgreSQL (ALTER TABLE) alike.
"""

from __future__ import annotations

from alembic import context

from salesops.db import schema

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
