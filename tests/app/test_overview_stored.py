"""A cold Overview reads its default results stored on load, and shows what it would compute."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from tests.app.conftest import count_stored_calls, shown_on_page

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_cold_overview_computes_none_of_its_stored_calls(
    kind, run_page, tiny_demo_copy, monkeypatch
):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    counts = count_stored_calls(monkeypatch)
    at = run_page(PAGE, url)
    assert not at.exception
    assert counts == {}  # every one was read from the stored results
    stored = shown_on_page(at, warnings=False, tabs=False)
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(PAGE, url)
    assert not computed.exception
    assert sorted(counts) == sorted(stored_names("overview"))
    assert shown_on_page(computed, warnings=False, tabs=False) == stored
    engine.dispose()
