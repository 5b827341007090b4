"""Issue 20 (smaller): cached results shown after the database went away say so.

A page that already read its results keeps showing them when the database stops answering,
under one warning with the time they were read and why the database is not answering (the
password masked), instead of presenting them as live; once the database is back, the
warning goes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from salesops.ui import cache
from tests.app.conftest import html_tiles
from tests.conftest import _drop_database

ROOT = Path(__file__).resolve().parents[2]
KPIS = str(ROOT / "pages" / "kpis.py")
BADGE = "Showing data as of "


def _badges(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith(BADGE)]


def _tiles(at: AppTest) -> list[tuple[str, str]]:
    """Returns the KPI tiles' (label, value): one HTML grid (tests/app/conftest.html_tiles)."""
    return [(label, texts[0]) for label, texts in html_tiles(at).items()]


def _next_check(at: AppTest) -> AppTest:
    """Runs the page again once the data-version check is due (its short cache forgotten)."""
    cache._data_version.clear()
    return at.run()


def _first_render(monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[AppTest, list]:
    monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
    cache.clear_cache()
    at = AppTest.from_file(KPIS, default_timeout=180).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    tiles = _tiles(at)
    assert tiles and not _badges(at)
    return at, tiles


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_stale_badge_when_the_sqlite_file_is_deleted_after_a_first_render(
    monkeypatch, demo_url, tmp_path
):
    path = tmp_path / "copy.db"
    shutil.copy(make_url(demo_url).database, path)
    at, tiles = _first_render(monkeypatch, f"sqlite:///{path}")

    _remove_sqlite(path)
    at = _next_check(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _tiles(at) == tiles  # the numbers read before, not an error page
    (badge,) = _badges(at)
    assert "; the database is not answering: Can't open the database file" in badge
    assert str(path) in badge

    shutil.copy(make_url(demo_url).database, path)  # the database is back
    at = _next_check(at)
    assert not at.exception and not at.error and not _badges(at)
    assert _tiles(at) == tiles
    cache.clear_cache()


def test_stale_badge_without_a_cached_result_is_the_error_sentence(monkeypatch, demo_url, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(make_url(demo_url).database, path)
    at, _ = _first_render(monkeypatch, f"sqlite:///{path}")
    _remove_sqlite(path)
    cache._cached_result.clear()  # nothing read before: no numbers to show
    at = _next_check(at)
    assert not at.exception and not _badges(at) and not _tiles(at)
    assert at.error[0].value.startswith("Can't open the database file"), at.error[0].value
    cache.clear_cache()


@pytest.mark.postgres
def test_stale_badge_when_postgres_stops_answering_masks_the_password(
    monkeypatch, postgres_server, tiny_demo_copy
):
    url = tiny_demo_copy("postgres")  # a database of its own, dropped below
    with_password = make_url(url).set(password="s3cret").render_as_string(hide_password=False)
    try:
        at, tiles = _first_render(monkeypatch, with_password)
    finally:
        _drop_database(postgres_server, url)  # the server no longer has the database
    at = _next_check(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _tiles(at) == tiles
    (badge,) = _badges(at)
    assert "the database is not answering: The database" in badge and "does not exist" in badge
    assert "s3cret" not in badge and "***" in badge
    cache.clear_cache()
