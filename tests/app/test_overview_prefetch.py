"""The Overview starts its sections' reads ahead only while they are not cached (issue 21)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from salesops.ui import overview
from salesops.ui.cache import clear_cache
from tests.app.conftest import join_prefetches

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


def test_a_warm_overview_starts_no_reads_ahead_until_the_cache_is_cleared(
    run_page, demo_url, monkeypatch
):
    started: list[object] = []
    monkeypatch.setattr(overview, "PREFETCHES", [started.append, *overview.PREFETCHES])
    monkeypatch.setattr(overview, "_PREFETCHED", {})
    cold = run_page(PAGE, demo_url)
    assert not cold.exception and len(started) == 1
    join_prefetches()
    warm = AppTest.from_file(PAGE, default_timeout=120).run()  # a new session, cache warm
    assert not warm.exception and len(started) == 1  # nothing started: every read is cached
    assert [m.value for m in warm.markdown] == [m.value for m in cold.markdown]
    clear_cache()  # the results are gone: read ahead again
    again = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not again.exception and len(started) == 2
