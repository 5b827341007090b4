"""Cold KPIs, Order to cash, Plan and Forecast pages read their default results stored on load."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from tests.app.conftest import count_stored_calls, join_prefetches, shown_on_page

PAGES = Path(__file__).resolve().parents[2] / "pages"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@pytest.mark.parametrize("page", ["kpis", "cash", "plan", "forecast"])
def test_a_cold_page_computes_none_of_its_stored_calls(
    page, kind, run_page, tiny_demo_copy, monkeypatch
):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    counts = count_stored_calls(monkeypatch)
    at = run_page(str(PAGES / f"{page}.py"), url)
    assert not at.exception
    join_prefetches()
    assert counts == {}  # every one was read from the stored results
    stored = shown_on_page(at)
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(str(PAGES / f"{page}.py"), url)
    assert not computed.exception
    join_prefetches()
    assert stored_names(page) <= set(counts)
    assert shown_on_page(computed) == stored
    engine.dispose()
