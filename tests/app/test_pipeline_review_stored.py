"""A cold Pipeline review reads its default results stored on load, in the background too."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from tests.app.conftest import count_stored_calls, join_prefetches, shown_on_page

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "pipeline_review.py")


def _stale_tab(at) -> list:
    """Returns what the Stale tab shows once opened."""
    at.session_state["pipeline_review.tabs"] = "Stale"
    at.run()
    assert not at.exception
    return [c.value for c in at.caption] + [len(df.value) for df in at.dataframe]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_cold_pipeline_review_computes_none_of_its_stored_calls(
    kind, run_page, tiny_demo_copy, monkeypatch
):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    counts = count_stored_calls(monkeypatch)
    at = run_page(PAGE, url)
    assert not at.exception
    join_prefetches()  # the stale list and the pack's cash section, read in the background
    assert counts == {}  # every one was read from the stored results
    stored, stored_stale = shown_on_page(at, warnings=False), _stale_tab(at)
    assert counts == {}
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(PAGE, url)
    assert not computed.exception
    join_prefetches()
    assert stored_names("pipeline_review") <= set(counts)
    assert shown_on_page(computed, warnings=False) == stored
    assert _stale_tab(computed) == stored_stale
    engine.dispose()
