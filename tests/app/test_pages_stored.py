"""Cold KPIs, Order to cash, Plan and Forecast pages read their default results stored on load."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from salesops.ui import cache
from tests.app.conftest import join_prefetches

PAGES = Path(__file__).resolve().parents[2] / "pages"


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts every computation of a stored call (the page's cache calls these by name)."""
    counts: dict[str, int] = {}
    for name in stored_names():
        module, _, qualname = name.rpartition(".")
        fn = getattr(__import__(module, fromlist=[qualname]), qualname)

        def call(*args, _fn=fn, _name=name, **kwargs):
            counts[_name] = counts.get(_name, 0) + 1
            return _fn(*args, **kwargs)

        monkeypatch.setitem(cache.CACHED_FUNCTIONS, name, call)
    return counts


def _shown(at) -> list:
    """Returns what the page shows: every metric, sentence, caption and tab title, in order."""
    return [(m.label, m.value, m.delta) for m in at.metric] + [
        e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning)
    ] + [t.label for t in at.tabs]  # fmt: skip


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@pytest.mark.parametrize("page", ["kpis", "cash", "plan", "forecast"])
def test_a_cold_page_computes_none_of_its_stored_calls(
    page, kind, run_page, tiny_demo_copy, monkeypatch
):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    counts = _counting(monkeypatch)
    at = run_page(str(PAGES / f"{page}.py"), url)
    assert not at.exception
    join_prefetches()
    assert counts == {}  # every one was read from the stored results
    stored = _shown(at)
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(str(PAGES / f"{page}.py"), url)
    assert not computed.exception
    join_prefetches()
    assert stored_names(page) <= set(counts)
    assert _shown(computed) == stored
    engine.dispose()
