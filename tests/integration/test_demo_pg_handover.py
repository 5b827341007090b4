"""A PostgreSQL demo build writes each table on a thread while the later ones are generated,
in one transaction: a failed generation, a failed write or a broken reference leaves the
database as it was."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
import sqlalchemy as sa

from salesops.db.engine import make_engine
from salesops.demo import generate_demo, load
from tests.conftest import _pg_snapshot
from tests.integration.progress_seen import ProgressSeen

pytestmark = pytest.mark.postgres


@pytest.fixture
def built(tiny_demo_copy: Callable[[str], str]) -> Iterator[sa.Engine]:
    """Returns an engine on a PostgreSQL database of its own holding the tiny demo."""
    engine = make_engine(tiny_demo_copy("postgres"))
    yield engine
    engine.dispose()


def _structure(engine: sa.Engine) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Returns the (table, name) of every index and every constraint of the database."""
    with engine.connect() as conn:
        indexes = conn.execute(
            sa.text(
                "SELECT tablename, indexname FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
        ).all()
        constraints = conn.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
            )
        ).all()
    return [tuple(r) for r in indexes], [tuple(r) for r in constraints]  # type: ignore[misc]


def _writes(monkeypatch: pytest.MonkeyPatch, fail_on: str | None = None) -> list[tuple[str, str]]:
    """Records (thread, table) of each COPY of the load; raises on table `fail_on`."""
    seen: list[tuple[str, str]] = []
    real = load.copy_frame

    def copy(conn, table, frame, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((threading.current_thread().name, table.name))
        if table.name == fail_on:
            raise RuntimeError(f"writing {table.name} failed")
        return real(conn, table, frame, *args, **kwargs)

    monkeypatch.setattr(load, "copy_frame", copy)
    return seen


def _no_writer_left() -> bool:
    return not [t for t in threading.enumerate() if t.name == "demo-writer"]


def test_tables_are_written_on_a_thread_while_generation_reports_on_the_callers(
    built: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = _writes(monkeypatch)
    progress = ProgressSeen()
    counts = generate_demo(built, "tiny", seed=5, progress=progress)
    assert {thread for thread, _ in writes} == {"demo-writer"}
    assert [table for _, table in writes] == load.LOAD_ORDER
    assert progress.threads == {threading.current_thread().name}  # a page's progress bar is its own
    assert progress.messages.index("Building indexes") < progress.messages.index("Building rollups")
    with built.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    assert rows == counts["orders"] > 0
    indexes = {name for _, name in _structure(built)[0]}
    assert {index.name for index in load._loaded_indexes()} <= indexes
    assert _no_writer_left()


def test_a_failed_generation_leaves_the_database_as_it_was(
    built: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, structure = _pg_snapshot(built), _structure(built)
    writes = _writes(monkeypatch)
    real_orders = load.orders.orders

    def orders_meanwhile(*args: object) -> object:
        made = real_orders(*args)
        # generation fails once the writer has replaced the first tables' rows
        deadline = time.monotonic() + 30
        while ("demo-writer", "opportunity_history") not in writes:
            assert time.monotonic() < deadline, writes
            time.sleep(0.01)
        return made

    def fail(*args: object) -> None:
        raise RuntimeError("spend failed")

    monkeypatch.setattr(load.orders, "orders", orders_meanwhile)
    monkeypatch.setattr(load.spend, "spend", fail)
    with pytest.raises(RuntimeError, match="spend failed"):
        generate_demo(built, "tiny", seed=5, progress=lambda f, m: None)
    assert ("demo-writer", "leads") in writes
    assert _no_writer_left()
    assert _pg_snapshot(built) == before
    assert _structure(built) == structure  # indexes and constraints back as they were


def test_a_failed_write_leaves_the_database_as_it_was(
    built: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, structure = _pg_snapshot(built), _structure(built)
    writes = _writes(monkeypatch, fail_on="orders")
    with pytest.raises(RuntimeError, match="writing orders failed"):
        generate_demo(built, "tiny", seed=5, progress=lambda f, m: None)
    assert writes[-1] == ("demo-writer", "orders")
    assert _no_writer_left()
    assert _pg_snapshot(built) == before
    assert _structure(built) == structure


def test_a_broken_reference_fails_when_the_foreign_keys_are_restored(
    built: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _pg_snapshot(built)
    real_orders = load.orders.orders

    def broken(*args: object) -> object:
        made = real_orders(*args)
        made.loc[made.index[3], "account_id"] = 10**9  # no such account
        return made

    monkeypatch.setattr(load.orders, "orders", broken)
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="orders"):
        generate_demo(built, "tiny", seed=5, progress=lambda f, m: None)
    assert _no_writer_left()
    assert _pg_snapshot(built) == before
