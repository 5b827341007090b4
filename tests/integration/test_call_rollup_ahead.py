"""A first import rebuilds the call rollups with their sweep run beside the other rollups.

salesops.db.rollups_call_ahead sweeps the spans in a thread while the import's connection
refreshes the other rollups, then writes the cells: every call rollup must hold, row for
row and to the bit, what rebuild_call_rollups writes from the same spans. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest

from salesops.db import rollups_call_ahead
from salesops.db.rollups_call_ahead import CallRebuild
from salesops.db.schema_call import CALL_ROLLUP_TABLES
from tests.integration.test_call_rollup_update import (
    assert_as_rebuilt,
    rebuilt,
    rows,
    sf_deals,
    sf_import,
)

AHEAD = "swept beside the other rollups"


def test_a_first_import_sweeps_the_call_rollups_beside_the_others(engine, caplog):
    rng = np.random.default_rng(21)
    deals = sf_deals(rng, "006F", 300, date(2023, 1, 1), date(2025, 3, 1))
    with caplog.at_level(logging.INFO, logger="salesops.db.rollups_call_update"):
        sf_import(engine, deals, "first.csv", date(2025, 3, 1))
    assert AHEAD in caplog.text
    assert_as_rebuilt(engine)


def test_a_rebuild_swept_ahead_writes_what_rebuild_call_rollups_writes(engine):
    rng = np.random.default_rng(22)
    sf_import(engine, sf_deals(rng, "006G", 200, date(2024, 1, 1), date(2025, 6, 1)), "a.csv",
              date(2025, 6, 1))  # fmt: skip
    want = rebuilt(engine)
    with engine.connect() as conn:
        trans = conn.begin()
        rebuild = CallRebuild.start(conn)
        written = rebuild.finish(conn)
        got = rows(conn)
        trans.rollback()
    assert got == want
    assert {t.name for t in CALL_ROLLUP_TABLES} <= set(written)
    assert written["rollup_call_snapshots"] == len(want["rollup_call_snapshots"])


def test_a_sweep_that_fails_fails_the_rebuild(engine, monkeypatch):
    rng = np.random.default_rng(23)
    sf_import(engine, sf_deals(rng, "006H", 50, date(2024, 1, 1), date(2025, 1, 1)), "a.csv",
              date(2025, 1, 1))  # fmt: skip

    def broken(*_args):
        raise RuntimeError("sweep broke")

    monkeypatch.setattr(rollups_call_ahead, "_sweep", broken)
    with engine.connect() as conn:
        trans = conn.begin()
        rebuild = CallRebuild.start(conn)
        with pytest.raises(RuntimeError, match="sweep broke"):
            rebuild.finish(conn)
        trans.rollback()
