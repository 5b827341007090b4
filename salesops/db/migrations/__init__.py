"""Alembic migrations of the salesops schema (run by `salesops db upgrade`, never by pages)."""
