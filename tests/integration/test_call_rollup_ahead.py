"""A first import rebuilds the call rollups with their sweep run beside the other rollups.

salesops.db.rollups_call_ahead sweeps the spans in a thread while the import's connection
refreshes the other rollups, then writes the cells: every call rollup must hold, row for
row and to the bit, what rebuild_call_rollups writes from the same spans. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

import numpy as np
import pytest

from salesops.db import rollups_call_ahead
from salesops.db.rollups_call_ahead import CallRebuild
from salesops.db.schema_call import CALL_ROLLUP_TABLES
from salesops.importing import report
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


def _sizes(monkeypatch) -> list[int]:
    """Records the cells of each quarter the sweep hands over."""
    sizes: list[int] = []
    sweep = rollups_call_ahead._sweep

    def counted(*args):
        for cells in sweep(*args):
            sizes.append(len(cells[1]))
            yield cells

    monkeypatch.setattr(rollups_call_ahead, "_sweep", counted)
    return sizes


def test_the_sweep_holds_no_more_cells_than_its_budget(engine, monkeypatch):
    rng = np.random.default_rng(24)
    sf_import(engine, sf_deals(rng, "006J", 200, date(2023, 1, 1), date(2025, 6, 1)), "a.csv",
              date(2025, 6, 1))  # fmt: skip
    want = rebuilt(engine)
    sizes = _sizes(monkeypatch)
    with engine.connect() as conn:
        trans = conn.begin()
        rebuild = CallRebuild(conn, budget=1)  # a quarter's cells at a time
        rebuild.thread.join(timeout=1.0)
        assert rebuild.thread.is_alive()  # waiting for the first quarter to be written
        assert rebuild.handoff.held == sizes[0]
        rebuild.finish(conn)
        got = rows(conn)
        trans.rollback()
    assert got == want
    assert len(sizes) > 2 and rebuild.handoff.peak == max(sizes)
    assert not rebuild.thread.is_alive()


def test_a_closed_rebuild_lets_its_waiting_sweep_end(engine):
    rng = np.random.default_rng(25)
    sf_import(engine, sf_deals(rng, "006K", 100, date(2023, 1, 1), date(2025, 6, 1)), "a.csv",
              date(2025, 6, 1))  # fmt: skip
    with engine.connect() as conn, conn.begin():
        rebuild = CallRebuild(conn, budget=1)
        rebuild.thread.join(timeout=1.0)
        assert rebuild.thread.is_alive()
        rebuild.close()
        assert not rebuild.thread.is_alive()
        assert rebuild.handoff.held == 0


def test_an_import_whose_rollups_fail_stops_the_sweep_ahead(engine, monkeypatch):
    monkeypatch.setattr(rollups_call_ahead, "CELL_BUDGET", 1)  # the sweep waits for finish

    def broken(*_args, **_kwargs):
        raise RuntimeError("rollups broke")

    monkeypatch.setattr(report, "rebuild_rollups", broken)
    rng = np.random.default_rng(26)
    deals = sf_deals(rng, "006L", 100, date(2023, 1, 1), date(2025, 6, 1))
    with pytest.raises(RuntimeError, match="rollups broke"):
        sf_import(engine, deals, "a.csv", date(2025, 6, 1))
    assert not [t for t in threading.enumerate() if t.name.startswith("salesops-call-sweep")]
