"""PostgreSQL: a full rollup rebuild leaves the planner statistics of every rollup table fresh.

The pages' first reads after a demo build or `db upgrade` are planned on them: a rep's call
scanned all 5.6M history spans of the large demo while they were missing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from salesops.db import schema
from salesops.db.engine import make_engine
from salesops.db.rollups import refresh_rollups

ROLLUPS = sorted(t.name for t in schema.metadata.sorted_tables if t.name.startswith("rollup_"))


def _analyze_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT relname, analyze_count FROM pg_stat_user_tables")).all()
    return {name: count for name, count in rows}


@pytest.mark.postgres
def test_refresh_rollups_analyzes_every_rollup_table(
    tiny_demo_copy: Callable[[str], str],
) -> None:
    engine = make_engine(tiny_demo_copy("postgres"))
    before = _analyze_counts(engine)
    refresh_rollups(engine)
    after = _analyze_counts(engine)
    engine.dispose()
    assert "rollup_history_spans" in ROLLUPS
    not_analyzed = [t for t in ROLLUPS if after.get(t, 0) <= before.get(t, 0)]
    assert not_analyzed == []
