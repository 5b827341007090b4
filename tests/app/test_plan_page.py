from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import text_tables

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


def test_demo_renders_quotas_attainment_hires_and_track_record(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert [t.label for t in at.tabs] == [HIRES, QUOTAS]
    assert [s.value for s in at.subheader] == ["Expected attainment", HIRES]
    assert len(text_tables(at)) == 1 and not at.dataframe  # the hires, as text
    table(at, QUOTAS)
    assert [s.value for s in at.subheader] == ["Expected attainment", QUOTAS]
    quotas = table(at, QUOTAS)
    target = at.number_input(key="plan.target").value
    assert quotas["suggested_quota"].sum() == pytest.approx(target, abs=0.01)
    assert any(c.value.startswith("Track record: Set this way at the start of") for c in at.caption)
    assert any("Capacity = weekly hours" in c.value for c in at.caption)
    shown = next(m for m in at.metric if m.label == "Expected at quota")
    assert shown.value.endswith("%") and shown.delta.endswith("% now")


def test_sliders_answer_without_errors_and_keep_the_sum(run_page, demo_url):
    at = run_page(PAGE, demo_url)
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


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert not at.dataframe
