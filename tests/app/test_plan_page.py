from __future__ import annotations

from pathlib import Path

import pytest

from salesops.ui.plan import CONTROLS_OPEN
from tests.app.conftest import figure_tables, text_tables

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "plan.py")
HIRES, QUOTAS = "Hires by territory", "Quotas"  # tabs: only the open one is drawn


def table(at, tab: str):
    """Returns the table of one of the page's tabs, opening it (a rerun).

    The quotas are a grid (a row per rep); the hires a row per territory, drawn as text:
    their columns come back as numbers, under their labels.
    """
    at.session_state["plan.tabs"] = tab
    at.run()
    assert not at.exception, tab
    if tab == QUOTAS:
        return at.dataframe[0].value
    (hires,) = text_tables(at)
    numbers = ["Hires", "Hires' expected bookings"]
    hires[numbers] = hires[numbers].apply(lambda c: c.str.replace(r"[$,]", "", regex=True))
    return hires.astype(dict.fromkeys(numbers, float))


def open_controls(at):
    """Opens "Change the plan" (only then are the what-if's widgets drawn); reruns."""
    at.session_state[CONTROLS_OPEN] = True
    return at.run()


def test_demo_renders_quotas_attainment_hires_and_track_record(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert not at.slider and not at.number_input  # the what-if's widgets: drawn when opened
    assert any(c.value.startswith("Territories staffed to 90% utilisation") for c in at.caption)
    assert [t.label for t in at.tabs] == [HIRES, QUOTAS]
    assert [s.value for s in at.subheader] == ["Expected attainment", HIRES]
    assert len(text_tables(at)) == 1 and not at.dataframe  # the hires, as text
    table(at, QUOTAS)
    assert [s.value for s in at.subheader] == ["Expected attainment", QUOTAS]
    quotas = table(at, QUOTAS)
    target = open_controls(at).number_input(key="plan.target").value
    assert quotas["suggested_quota"].sum() == pytest.approx(target, abs=0.01)
    assert any(c.value.startswith("Track record: Set this way at the start of") for c in at.caption)
    assert any("Capacity = weekly hours" in c.value for c in at.caption)
    value, change = figure_tables(at)["Expected at quota"]  # the figures: one table
    assert value.endswith("%") and change.endswith("% now")
    assert not at.metric


def test_sliders_answer_without_errors_and_keep_the_sum(run_page, demo_url):
    at = open_controls(run_page(PAGE, demo_url))
    at.number_input(key="plan.target").set_value(120_000_000.0).run()
    assert not at.exception
    assert table(at, QUOTAS)["suggested_quota"].sum() == pytest.approx(120e6, abs=0.01)
    hires = table(at, HIRES)
    assert hires["Hires"].sum() > 0
    at.toggle(key="plan.hires").set_value(False).run()
    assert not at.exception
    assert table(at, HIRES)["Hires' expected bookings"].sum() == 0
    assert table(at, QUOTAS)["suggested_quota"].sum() == pytest.approx(120e6, abs=0.01)
    at.slider(key="plan.attainment").set_value(80).run()
    at.slider(key="plan.cap").set_value(0).run()
    assert not at.exception
    quotas, said = table(at, QUOTAS), [c.value for c in at.caption]
    # Closed, the widgets are gone and the plan keeps what they said (and says it).
    at.session_state[CONTROLS_OPEN] = False
    at.run()
    assert not at.exception and not at.slider
    assert table(at, QUOTAS).equals(quotas) and [c.value for c in at.caption] == said
    assert any(c.value.startswith("Target $120") for c in at.caption)
    assert any("no hires" in c.value and "±0%" in c.value for c in at.caption)
    assert any("80% of reps are meant to reach" in c.value for c in at.caption)
    open_controls(at)
    assert at.slider(key="plan.attainment").value == 80
    assert at.toggle(key="plan.hires").value is False


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert not at.dataframe


def test_a_new_tab_does_not_plan_or_score_the_track_record_again(run_page, demo_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from salesops.plan.backtest import score_backtest
    from salesops.plan.report import build_plan
    from salesops.ui import cache

    counts: dict[str, int] = {}
    for fn in (build_plan, score_backtest):
        name = f"{fn.__module__}.{fn.__qualname__}"

        def counted(*args, _fn=fn, _name=name, **kwargs):
            counts[_name] = counts.get(_name, 0) + 1
            return _fn(*args, **kwargs)

        monkeypatch.setitem(cache.CACHED_FUNCTIONS, name, counted)
    first = run_page(PAGE, demo_url)
    assert not first.exception and sorted(counts.values()) == [1, 1]
    second = AppTest.from_file(PAGE, default_timeout=120).run()  # another session, same cache
    assert not second.exception and sorted(counts.values()) == [1, 1]
    assert figure_tables(second) == figure_tables(first)
    records = [[c.value for c in at.caption if c.value.startswith("Track record")] for at in
               (first, second)]  # fmt: skip
    assert records[0] and records[0] == records[1]
    # a choice the what-if has not made yet is planned (and kept) once
    open_controls(second).slider(key="plan.attainment").set_value(80).run()
    assert not second.exception and sorted(counts.values()) == [2, 2]
