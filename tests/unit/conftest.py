"""The unit tier: pure functions on frames built in the test, no database (under 30 s)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import sqlalchemy

from salesops.db import engine as db_engine


def _no_database(*args: object, **kwargs: object) -> None:
    raise AssertionError("unit tests use no database: move this test to tests/integration/")


@pytest.fixture(autouse=True)
def _forbid_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails any unit test that opens a database engine."""
    monkeypatch.setattr(sqlalchemy, "create_engine", _no_database)
    monkeypatch.setattr(db_engine, "create_engine", _no_database)


@pytest.fixture(autouse=True)
def _heap_unfrozen() -> Iterator[None]:
    """Runs each unit test on the heap as a plain process has it, not frozen.

    tests/conftest.py freezes the heap after collection (freezing and unfreezing are O(1);
    gc.get_freeze_count() walks the heap); test_server_config counts what the app's preload
    freezes.
    """
    gc.unfreeze()
    yield
    gc.freeze()
