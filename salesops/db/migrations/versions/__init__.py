"""One module per schema change, oldest first (see salesops/db/migrate.py)."""
