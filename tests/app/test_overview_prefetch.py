"""Reads are started ahead only while they are not cached (issue 21): the Overview's."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from salesops.ui import cache, overview
from salesops.ui.cache import clear_cache
from tests.app.conftest import join_prefetches

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


def test_a_warm_overview_starts_no_reads_ahead_until_the_cache_is_cleared(
    run_page, demo_url, monkeypatch
):
    started: list[str] = []
    real_thread = cache._thread

    def thread(target, name, delay, niceness):  # type: ignore[no-untyped-def]
        started.append(name)
        return real_thread(target, name, delay, niceness)

    monkeypatch.setattr(cache, "_thread", thread)
    monkeypatch.setattr(cache, "_STARTED", {})
    cold = run_page(PAGE, demo_url)
    assert not cold.exception
    ahead = [name for name in started if name.startswith("prefetch ")]
    assert len(ahead) == len(overview.PREFETCHES), started  # each section's, side by side
    join_prefetches()
    started.clear()
    warm = AppTest.from_file(PAGE, default_timeout=120).run()  # a new session, cache warm
    assert not warm.exception
    assert not [n for n in started if n.startswith("prefetch ")], started  # every read cached
    assert [m.value for m in warm.markdown] == [m.value for m in cold.markdown]
    clear_cache()  # the results are gone: read ahead again
    again = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not again.exception
    assert len([n for n in started if n.startswith("prefetch ")]) == len(ahead)
    join_prefetches()
