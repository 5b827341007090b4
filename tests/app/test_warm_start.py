"""The server's start reads the schema's state, the filters' choices and the data's bounds
into the very cache entries the first page opened then reads (salesops.ui.preload)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from salesops.repository import Repository
from salesops.ui import cache
from salesops.ui.preload import shared_reads, start_warming, warm_shared_reads
from tests.app.conftest import join_prefetches, older_schema_copy

OVERVIEW = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")
SHARED = (Repository.schema_state, *shared_reads())


def _computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Returns the list each shared read's name is appended to whenever it is computed."""
    computed: list[str] = []
    for fn in SHARED:
        name = cache._name(fn)

        def counted(*args: object, _fn: Callable = fn, _name: str = name, **kwargs: object):
            computed.append(_name)
            return _fn(*args, **kwargs)

        monkeypatch.setitem(cache.CACHED_FUNCTIONS, name, counted)
    return computed


def _overview(url: str, monkeypatch: pytest.MonkeyPatch, warm: bool) -> tuple[AppTest, list[str]]:
    """Runs the Overview cold, after the server start's reads when `warm`; returns what the
    page computed of the shared reads."""
    monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
    join_prefetches()
    cache.clear_cache()
    if warm:
        start_warming().join(timeout=60)
    computed = _computed(monkeypatch)
    at = AppTest.from_file(OVERVIEW, default_timeout=120).run()
    join_prefetches()
    return at, computed


def test_the_first_page_after_the_start_finds_the_shared_reads_cached(demo_url, monkeypatch):
    at, computed = _overview(demo_url, monkeypatch, warm=True)
    assert not at.exception
    assert computed == []  # every one was a cache hit
    cache.clear_cache()


def test_without_the_start_the_first_page_reads_them_itself(demo_url, monkeypatch):
    at, computed = _overview(demo_url, monkeypatch, warm=False)
    assert not at.exception
    assert sorted(computed) == sorted(cache._name(fn) for fn in SHARED)
    cache.clear_cache()


def test_an_outdated_schema_is_said_and_nothing_more_is_read(demo_url, tmp_path: Path, monkeypatch):
    old = older_schema_copy(demo_url, tmp_path, "rollup_history_spans", 2)
    monkeypatch.setenv("SALESOPS_DATABASE_URL", old)
    cache.clear_cache()
    computed = _computed(monkeypatch)
    line = warm_shared_reads()
    assert "Database needs migration" in line and "salesops db upgrade" in line
    assert computed == [cache._name(Repository.schema_state)]
    cache.clear_cache()


def test_a_database_that_does_not_answer_is_one_line_and_no_exception(monkeypatch):
    url = "postgresql+psycopg://salesops:s3cret@127.0.0.1:9/nothing?connect_timeout=2"
    monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
    cache.clear_cache()
    line = warm_shared_reads()
    assert line.startswith("  Did not read the filters' choices ahead: ")
    assert "\n" not in line and "s3cret" not in line
    cache.clear_cache()
