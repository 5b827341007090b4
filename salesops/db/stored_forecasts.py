"""The stored forecast results (table stored_forecasts): replaced as a whole on each refresh.

What is stored and why: salesops.forecast.stored. Reads go through the repository
(`Repository.stored_forecast`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from salesops.db import schema as s


def replace_stored_forecasts(engine: Engine, results: Mapping[str, str]) -> int:
    """Replaces every stored forecast with `results` (key -> JSON) in one transaction.

    Returns the rows written. Results of older data are dropped: their keys can never be
    asked for again once the series changed.
    """
    table = s.stored_forecasts
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(delete(table))
        if results:
            conn.execute(
                insert(table),
                [{"key": k, "result": v, "stored_at": now} for k, v in results.items()],
            )
    return len(results)
