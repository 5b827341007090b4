"""A demo built into a new SQLite file: written beside it without a journal, then put in place."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.db.engine import make_engine, sqlite_file_without_tables
from salesops.demo import generate_demo, load
from tests.integration.progress_seen import ProgressSeen


def _rows(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


@pytest.fixture
def summaries_skipped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Skips the rollups and stored results (seconds each); returns the URLs they were for."""
    seen: list[str] = []
    monkeypatch.setattr(
        load, "_summarise", lambda engine, report, *ahead: seen.append(str(engine.url))
    )
    return seen


def test_a_new_file_is_built_beside_it_and_put_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    modes: list[str] = []
    real_insert = load.bulk_insert

    def insert(conn, table, frame, *args, **kwargs):  # type: ignore[no-untyped-def]
        modes.append(str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()))
        keys.append(int(conn.exec_driver_sql("PRAGMA foreign_keys").scalar()))
        return real_insert(conn, table, frame, *args, **kwargs)

    keys: list[int] = []
    monkeypatch.setattr(load, "bulk_insert", insert)
    counts = generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    assert set(modes) == {"off"}  # the tables were written without a journal
    assert set(keys) == {0}  # nor a look-up of each row's parents (the frames were checked)
    assert _rows(target, "opportunities") == counts["opportunities"] > 0
    assert _rows(target, "rollup_closed_opportunities") > 0  # the rollups were built too
    assert _journal_mode(target) == "wal"
    assert _leftovers(tmp_path) == []
    with engine.connect() as conn:  # the caller's engine reads the new file
        read = conn.execute(sa.text("SELECT count(*) FROM opportunities")).scalar_one()
    assert read == counts["opportunities"]
    engine.dispose()


def test_a_failed_build_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")

    def fail(engine: sa.Engine, report: object, *ahead: object) -> None:
        raise RuntimeError("rollups failed")

    monkeypatch.setattr(load, "_summarise", fail)
    with pytest.raises(RuntimeError, match="rollups failed"):
        generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert _leftovers(tmp_path) == []


def test_a_database_with_tables_is_written_in_place(
    tmp_path: Path, summaries_skipped: list[str]
) -> None:
    target = tmp_path / "demo.db"
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("CREATE TABLE kept (x INTEGER)")
    engine = make_engine(f"sqlite:///{target}")
    assert sqlite_file_without_tables(engine) is None
    generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    assert summaries_skipped == [str(engine.url)]  # no file beside it
    assert _rows(target, "kept") == 0
    assert _rows(target, "opportunities") > 0
    engine.dispose()


def test_a_file_another_connection_holds_is_copied_into_not_replaced(
    tmp_path: Path, summaries_skipped: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    # say, a server opened the empty database meanwhile (seen from the writer's thread)
    other = sqlite3.connect(target, check_same_thread=False)
    real = load._load

    def open_elsewhere(*args, **kwargs):  # type: ignore[no-untyped-def]
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "_load", open_elsewhere)
    inode = target.stat().st_ino
    counts = generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    assert target.stat().st_ino == inode  # the same file, now holding the demo
    shown = other.execute("SELECT count(*) FROM opportunities").fetchone()[0]
    assert shown == counts["opportunities"]
    other.close()
    assert _leftovers(tmp_path) == []
    engine.dispose()


def test_only_a_writable_sqlite_file_without_tables_is_built_beside(tmp_path: Path) -> None:
    target = tmp_path / "new.db"
    assert sqlite_file_without_tables(make_engine(f"sqlite:///{target}")) == target
    assert sqlite_file_without_tables(make_engine("sqlite://")) is None
    assert sqlite_file_without_tables(make_engine(f"sqlite:///{target}", read_only=True)) is None


def test_the_frames_references_are_checked_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = load.build_demo_frames("tiny", seed=5)
    assert load.unmatched_references(frames) == []
    orders = frames["orders"].copy()
    orders.loc[orders.index[3], "account_id"] = 10**9  # no such account
    broken = {**frames, "orders": orders}
    assert [m.split(":")[0] for m in load.unmatched_references(broken)] == ["orders.account_id"]

    monkeypatch.setattr(load.orders, "orders", lambda *args: orders)
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    with pytest.raises(ValueError, match="orders.account_id"):
        generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert _leftovers(tmp_path) == []
    engine.dispose()


def test_tables_are_written_on_a_thread_while_generation_reports_on_the_callers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    writers: set[str] = set()
    real_insert = load.bulk_insert

    def insert(conn, table, frame, *args, **kwargs):  # type: ignore[no-untyped-def]
        writers.add(threading.current_thread().name)
        return real_insert(conn, table, frame, *args, **kwargs)

    monkeypatch.setattr(load, "bulk_insert", insert)
    progress = ProgressSeen()
    counts = generate_demo(engine, "tiny", seed=5, progress=progress)
    assert writers == {"demo-writer"}
    assert progress.threads == {threading.current_thread().name}  # a page's progress bar is its own
    written = [m.split(" (")[0] for m in progress.messages if m.startswith("Writing ")]
    assert written == [f"Writing {name}" for name in load.LOAD_ORDER]
    assert _rows(target, "orders") == counts["orders"] > 0
    engine.dispose()


def test_a_failed_generation_stops_the_writer_and_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("spend failed")

    monkeypatch.setattr(load.spend, "spend", fail)
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    with pytest.raises(RuntimeError, match="spend failed"):
        generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert _leftovers(tmp_path) == []
    assert not [t for t in threading.enumerate() if t.name == "demo-writer"]
    engine.dispose()
