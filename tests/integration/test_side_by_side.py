"""How many reads a page may run at once on an engine (salesops.db.engine.side_by_side)."""

from __future__ import annotations

from pathlib import Path

from salesops.db.engine import READERS, make_engine, side_by_side


def test_a_file_database_reads_side_by_side(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert side_by_side(engine) == READERS > 1
    engine.dispose()


def test_one_shared_connection_or_no_engine_reads_one_at_a_time() -> None:
    engine = make_engine("sqlite://")  # in memory: one connection every caller shares
    assert side_by_side(engine) == 1
    assert side_by_side(None) == 1
    assert side_by_side(lambda: engine) == 1  # a wrapper's method, not the engine
    engine.dispose()
