"""Cached results live as long as the data version: kept across sessions, dropped on import."""

from __future__ import annotations

import shutil
from pathlib import Path

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


def test_derived_results_reuse_the_read_and_stay_until_the_data_version_changes(copy_url):
    reads: list[int] = []
    builds: list[int] = []

    def read_reps(repo: Repository) -> list:
        reads.append(1)
        return list(repo.reps()["id"])

    def summarise(ids: list, plus: int, *, helper: object) -> int:
        builds.append(1)
        return len(ids) + plus + (0 if helper is None else 1)

    cache.clear_cache()
    cache.CACHED_FUNCTIONS["tests.read_reps"] = read_reps
    cache.CACHED_FUNCTIONS["tests.summarise"] = summarise
    sources = (("tests.read_reps", (), ()),)
    first = cache._data_version(copy_url)

    def derive(version: str | None, plus: int) -> int:
        value, _ = cache._derived(
            copy_url, version, EVERYTHING, EVERYTHING, "tests.summarise", sources, (plus,), (),
            (("helper", object()),),  # left out of the key: a new object each call
        )  # fmt: skip
        return value

    ids, _ = cache._cached(copy_url, first, EVERYTHING, EVERYTHING, "tests.read_reps", (), ())
    assert derive(first, 0) == len(ids) + 1
    assert derive(first, 0) == len(ids) + 1  # a rerun or a new session: nothing rebuilt
    assert (len(reads), len(builds)) == (1, 1)  # the build used the read already cached
    assert derive(first, 2) == len(ids) + 3  # other arguments are another result
    assert (len(reads), len(builds)) == (1, 2)

    with make_engine(copy_url).begin() as conn:
        bump_data_version(conn)
    cache._data_version.clear()
    second = cache._data_version(copy_url)
    derive(second, 0)
    assert (len(reads), len(builds)) == (2, 3)  # new data: read and built again
    cache.clear_cache()


READS: list[int] = []


def counted_reps(repo: Repository) -> int:
    """A read that counts its calls (the page-side script below looks it up by name)."""
    READS.append(1)
    return len(repo.reps())


def _later_then_page() -> None:
    import streamlit as st

    from salesops.ui import cache
    from tests.app.test_cache_version import counted_reps

    later = cache.cached_later(counted_reps)  # taken in the script, called as a click would
    st.session_state["later"] = later
    st.write(f"page {cache.cached_call(counted_reps)}")


def test_a_download_built_later_reads_the_pages_cache_entry(copy_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SALESOPS_DATABASE_URL", copy_url)
    cache.clear_cache()
    READS.clear()
    at = AppTest.from_function(_later_then_page).run()
    assert not at.exception, [e.message for e in at.exception]
    later = at.session_state["later"]
    assert f"page {later()}" == at.markdown[0].value  # the same value, outside the script
    assert len(READS) == 1  # the click read nothing more: the page's entry served it
    cache.clear_cache()
    READS.clear()
    later()  # the other way round: the click first (its list not yet read)...
    AppTest.from_function(_later_then_page).run()
    assert len(READS) == 1  # ...then the page finds what the click read
    cache.clear_cache()


def test_the_data_version_is_asked_once_per_page_run(demo_url, monkeypatch, run_page):
    asked: list[str] = []
    original = cache._data_version

    def counted(url: str) -> str | None:
        asked.append(url)
        return original(url)

    counted.clear = original.clear  # type: ignore[attr-defined]  # clear_cache() calls it
    monkeypatch.setattr(cache, "_data_version", counted)
    at = run_page(str(Path(__file__).resolve().parents[2] / "pages" / "kpis.py"), demo_url)
    assert not at.exception
    assert asked == [demo_url]  # every read in the run is for the one version asked
    at.run()
    assert asked == [demo_url, demo_url]  # and asked again on the next run
    cache.clear_cache()
