"""The Overview's stored results: rows of table stored_forecasts whose key starts "overview:".

What is stored and why: salesops.overview_store. They share the stored forecasts' table
(key, JSON, when) rather than a table of their own, so existing databases need no
migration; a forecast's key is a bare 64-digit hash, never this prefix. The forecasts'
refresh (salesops.db.stored_forecasts) replaces every row, and runs first; this one then
replaces the Overview's. Reads go through the repository (`Repository.stored_forecast`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from salesops.db import schema as s
from salesops.db.migrate import data_version

PREFIX = "overview:"


def replace_stored_results(engine: Engine, version: str, rows: Mapping[str, str]) -> int:
    """Replaces every stored Overview result with `rows` (key -> JSON) of data `version`.

    In one transaction, and only while `version` is still the database's data version
    (returns 0 and writes nothing otherwise: the data changed while they were computed).
    Every key must start with PREFIX. Returns the rows written. Results of older data are
    dropped: their keys, which hash the data version, can never be asked for again.
    """
    if any(not key.startswith(PREFIX) for key in rows):
        raise ValueError(f"stored Overview keys start with {PREFIX!r}")
    table = s.stored_forecasts
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        if data_version(conn) != version:
            return 0
        conn.execute(delete(table).where(table.c.key.startswith(PREFIX, autoescape=True)))
        if rows:
            conn.execute(
                insert(table), [{"key": k, "result": v, "stored_at": now} for k, v in rows.items()]
            )
    return len(rows)
