"""Cached results live as long as the data version: kept across sessions, dropped on import."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy.engine import make_url

from salesops.db.engine import make_engine
from salesops.db.migrate import bump_data_version
from salesops.repository import EVERYTHING, Repository
from salesops.ui import cache


@pytest.fixture
def copy_url(demo_url: str, tmp_path) -> str:
    path = tmp_path / "copy.db"
    shutil.copy(make_url(demo_url).database, path)
    return f"sqlite:///{path}"


def test_results_stay_cached_until_the_data_version_changes(copy_url):
    calls: list[int] = []

    def counted(repo: Repository) -> int:
        calls.append(1)
        return len(repo.reps())

    cache.clear_cache()
    cache.CACHED_FUNCTIONS["tests.counted"] = counted
    first = cache._data_version(copy_url)
    assert first is not None, "the demo load records a data version"

    def read(version: str | None) -> int:
        value, _ = cache._cached(copy_url, version, EVERYTHING, EVERYTHING, "tests.counted", (), ())
        return value

    assert read(first) == read(first)
    assert len(calls) == 1  # the second session is served from the cache

    # What every import, load and rollup rebuild does (a rebuild itself may outlast the check).
    with make_engine(copy_url).begin() as conn:
        bump_data_version(conn)
    assert cache._data_version(copy_url) == first  # asked again only after the short check
    cache._data_version.clear()
    second = cache._data_version(copy_url)
    assert second not in (None, first)
    read(second)
    assert len(calls) == 2  # a new data version is never served the old result
    cache.clear_cache()
