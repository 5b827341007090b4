"""A prefetched read is computed once and shared with the section's own call; a failing one is
left for the section, which shows it as usual (salesops.ui.cache.prefetch)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from salesops.repository import Repository
from salesops.ui import cache

CALLS: list[str] = []


def slow_reps(repo: Repository) -> int:
    CALLS.append("slow_reps")
    time.sleep(0.5)  # still running when the section asks for it
    return len(repo.reps())


def failing(repo: Repository) -> int:
    CALLS.append("failing")
    raise ValueError("the read failed")


def _script() -> None:
    import streamlit as st

    from salesops.ui.cache import cached_call, prefetch
    from tests.app.test_prefetch import failing, slow_reps

    prefetch(slow_reps)
    prefetch(failing)
    st.write(f"reps: {cached_call(slow_reps)}")
    try:
        cached_call(failing)
    except ValueError as exc:
        st.write(f"shown: {exc}")


def test_a_prefetched_read_is_shared_and_a_failure_is_left_to_the_section(demo_url, monkeypatch):
    monkeypatch.setenv("SALESOPS_DATABASE_URL", demo_url)
    cache.clear_cache()
    CALLS.clear()
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    reps = len(cache.Repository(cache.read_engine(demo_url)).reps())
    assert f"reps: {reps}" in texts and reps > 0
    assert "shown: the read failed" in texts
    assert CALLS.count("slow_reps") == 1  # computed once, by the prefetch, and shared
    assert CALLS.count("failing") == 2  # failures are not cached: the section met it again
    cache.clear_cache()


STARTED: list[tuple[float, int]] = []


def niced_reps(repo: Repository) -> int:
    import os
    import threading

    STARTED.append((time.monotonic(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    return len(repo.reps())


def _after_paint_script() -> None:
    import streamlit as st

    from salesops.ui.cache import prefetch_after_paint
    from tests.app.test_prefetch import niced_reps

    prefetch_after_paint(niced_reps)
    st.write("drawn")


def test_a_read_after_the_paint_waits_and_runs_at_a_lower_priority(demo_url, monkeypatch):
    import os

    from tests.app.conftest import join_prefetches

    monkeypatch.setenv("SALESOPS_DATABASE_URL", demo_url)
    monkeypatch.setattr(cache, "BACKGROUND_DELAY_SECONDS", 0.5)
    cache.clear_cache()
    STARTED.clear()
    started = time.monotonic()
    at = AppTest.from_function(_after_paint_script, default_timeout=60).run()
    assert not at.exception and not STARTED  # the page is drawn before the read starts
    join_prefetches()
    ((began, niceness),) = STARTED
    assert began - started >= 0.5
    assert niceness == os.getpriority(os.PRIO_PROCESS, 0) + cache.BACKGROUND_NICENESS
    cache.clear_cache()
