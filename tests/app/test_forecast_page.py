from __future__ import annotations

from pathlib import Path

import pytest

from salesops.ui.forecast import OPTIONS_OPEN
from tests.app.conftest import figures_shown, open_filters

PANEL_TILES = [
    "Won to date",
    "Commit",
    "Best case",
    "The call",
    "Prophet run-rate",
    "Quota",
    "Gap (quota − call)",
]
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "forecast.py")
TABS = ["This quarter and next", "Can you trust it?", "What if…", "Every territory"]


def _open(at, tab: str):
    """Opens one of the page's lower tabs (only the open one is drawn) and reruns."""
    at.session_state["forecast.tabs"] = tab
    at.run()
    assert not at.exception, tab
    return at


def _band(at) -> str:
    """Returns the bookings forecast band (st.html, an SVG image: tests/app/test_svg_charts.py)."""
    [band] = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div role="img"')]
    return band


def texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += (
        [e.value for e in at.warning] + [e.value for e in at.success] + [e.value for e in at.info]
    )
    parts += [e.label for e in at.metric] + [str(e.value) for e in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.slow
def test_forecast_page_on_demo(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "The quarter call",
        "Bookings by month: Whole company",
        "Trend and seasonality",
        "This quarter and next: pipeline, forecast and quota",  # the first tab, open
        "Download",
    ]
    assert [t.label for t in at.tabs] == TABS
    # The reconciled panel comes first (seven tiles), then the quarter view.
    assert list(figures_shown(at))[:7] == PANEL_TILES  # two figure tables
    assert not at.metric  # and the quarters' figures: no metric tile at first paint
    assert not at.get("vega_lite_chart")  # band as SVG, quarter bars as HTML (issue 21)
    quarter_labels = list(figures_shown(at))[7:]
    assert quarter_labels[:2] == ["Q4 2026 forecast", "Q1 2027 forecast"]
    quarters = list(figures_shown(at).values())[7:9]
    _open(at, "Can you trust it?")
    assert len(at.success) + len(at.warning) >= 1  # the backtest verdict
    assert at.subheader[3].value == "Can you trust it? Backtest against seasonal naive"
    _open(at, "What if…")
    before = [m.value for m in at.metric]
    # a what-if slider changes the adjusted forecast (the fragment's tiles)
    at.slider(key="forecast.win_rate").set_value(20).run()
    assert not at.exception
    after = [m.value for m in at.metric]
    assert len(after) >= 2 and after != before  # the what-if tiles moved
    # another scope (the shared filters') changes the forecast
    open_filters(at).multiselect(key="filters.segment").set_value(["SMB"]).run()
    assert not at.exception
    assert at.subheader[1].value == "Bookings by month: SMB"
    _open(at, "This quarter and next")
    assert list(figures_shown(at).values())[7:9] != quarters


@pytest.mark.slow
def test_forecast_page_weekly_and_every_territory(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"freq": "W", "horizon": "8"})
    assert not at.exception
    assert at.subheader[1].value == "Bookings by week: Whole company"
    _open(at, "Every territory").toggle(key="forecast.all_territories").set_value(True).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "naive_wape" in d.value.columns)
    assert len(table) == 6 and set(table["method"]) <= {"Prophet", "Seasonal naive"}  # human labels


def test_forecast_page_empty_database(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert "No opportunities yet" in at.info[0].value


def test_forecast_page_tampered_link_falls_back(run_page, empty_url, demo_url):
    at = run_page(PAGE, demo_url, query={"freq": "X", "horizon": "-3", "territory": "' OR 1=1--"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Ignored freq 'X', horizon '-3'" in warnings
    assert 'unknown territory "\' OR 1=1--"' in warnings
    assert at.subheader[1].value == "Bookings by month: Whole company"


def test_forecast_page_database_unreachable(run_page):
    at = run_page(PAGE, "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    assert not at.exception
    assert "Can't reach the database" in at.error[0].value
    assert "Retry" in [b.label for b in at.button]


@pytest.mark.slow
def test_switching_to_weeks_keeps_the_horizons_span(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"freq": "M", "horizon": "6"})
    assert not at.exception
    assert not at.number_input  # drawn with the model options, when opened (issue 21)
    assert "Forecast 6 months ahead" in texts(at)
    at.button_group(key="forecast.freq").set_value("W").run()
    assert not at.exception
    assert "Forecast 26 weeks ahead" in texts(at)
    assert at.subheader[1].value == "Bookings by week: Whole company"
    labels = [m.label for m in _open(at, "What if…").metric]
    assert "Q4 2026 what-if" in labels
    what_if = next(m for m in at.metric if m.label == "Q4 2026 what-if")
    assert "vs baseline" in str(what_if.delta)


@pytest.mark.slow
def test_the_calls_track_record_and_roll_up_are_drawn_only_when_opened(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert not any("Track record at day" in m.value for m in at.markdown)
    tables = len(at.dataframe)
    at.session_state["forecast.call_details"] = True
    at.session_state["forecast.call_rollup"] = True
    at.run()
    assert not at.exception
    assert any("Track record at day" in m.value for m in at.markdown)
    assert any("Mean absolute error: the call" in m.value for m in at.markdown)
    assert len(at.dataframe) == tables + 2  # the call per team and per territory


@pytest.mark.slow
def test_the_models_parts_and_stage_probabilities_are_drawn_only_when_opened(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    charts, tables = len(at.get("vega_lite_chart")), len(at.dataframe)
    at.session_state["forecast.parts"] = True
    at.session_state["forecast.stage_probabilities"] = True
    at.run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == charts + 1  # trend and seasonality
    assert len(at.dataframe) == tables + 1  # the stage probabilities


@pytest.mark.slow
def test_the_model_options_are_drawn_when_opened_and_kept_when_closed(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert not at.checkbox and not at.selectbox  # closed: nothing drawn inside
    band = _band(at)  # the bookings forecast
    at.session_state[OPTIONS_OPEN] = True
    at.run()
    assert at.checkbox(key="forecast.quarterly").value is True
    at.checkbox(key="forecast.quarterly").uncheck().run()
    assert not at.exception
    without_quarterly = _band(at)
    assert without_quarterly != band  # another fit
    at.session_state[OPTIONS_OPEN] = False
    at.run()
    assert not at.exception and not at.checkbox
    assert _band(at) == without_quarterly  # the choice is kept
    at.session_state[OPTIONS_OPEN] = True
    at.run()
    assert at.checkbox(key="forecast.quarterly").value is False


@pytest.mark.slow
def test_the_horizon_is_changed_under_its_options_and_kept_when_they_close(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"freq": "M", "horizon": "6"})
    assert not at.exception and not at.number_input
    at.session_state[OPTIONS_OPEN] = True
    at.run()
    assert at.number_input(key="forecast.horizon_months").value == 6
    at.number_input(key="forecast.horizon_months").set_value(9).run()
    assert not at.exception and "Forecast 9 months ahead" in texts(at)
    at.session_state[OPTIONS_OPEN] = False
    at.run()
    assert not at.number_input and "Forecast 9 months ahead" in texts(at)
    band = _band(at)
    # closed, then switched to weeks: the same span (9 months = 39 weeks), not the default's
    at.button_group(key="forecast.freq").set_value("W").run()
    assert not at.exception and "Forecast 39 weeks ahead" in texts(at)
    at.button_group(key="forecast.freq").set_value("M").run()
    assert "Forecast 9 months ahead" in texts(at) and _band(at) == band
