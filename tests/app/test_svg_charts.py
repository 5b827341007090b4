"""The KPIs' monthly trend and the Forecast's band as SVG images under HTML, not Vega.

Each page draws no Vega chart at first paint, and each chart's hovers say what the data
says: the win rate per month and the won bookings per month against plain SQL over the
demo's deals, the quarter bars against the page's own figure table.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from salesops.formatting import format_money, format_value
from salesops.kpis.metrics import KPIS
from tests.app.conftest import figures_shown, sqlite_rows

PAGES = Path(__file__).resolve().parents[2] / "pages"
PERIOD = {"period": "custom", "from": "2025-10-01", "to": "2026-09-30"}


def svg_charts(at) -> list[str]:
    """Returns the inline-SVG charts the page drew (Markdown elements holding an <svg>)."""
    return [m.value for m in at.markdown if m.value.startswith('<div role="img"')]


def image_charts(at) -> list[str]:
    """Returns the charts drawn as an SVG image under HTML hovers (st.html elements)."""
    return [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div role="img"')]


def title_tips(html: str) -> list[str]:
    """Returns an SVG image chart's hover columns' texts (`title`), one per period, in order."""
    return [unescape(t) for t in re.findall(r'<div title="([^"]*)" style="flex:', html)]


def test_kpis_first_paint_draws_the_win_rate_trend_as_svg_from_the_deals(run_page, demo_url):
    at = run_page(str(PAGES / "kpis.py"), demo_url, PERIOD)
    assert not at.exception
    assert not at.get("vega_lite_chart")  # no Vega at first paint
    assert not svg_charts(at)  # no inline SVG: Streamlit's Markdown parses no HTML
    [html] = image_charts(at)
    assert 'aria-label="Win rate by month, October 2025 to September 2026.' in html
    rows = sqlite_rows(
        demo_url,
        "SELECT strftime('%Y-%m', closed_at), SUM(outcome = 'won'), SUM(outcome = 'lost') "
        "FROM opportunities WHERE outcome IN ('won', 'lost') "
        "AND date(closed_at) BETWEEN ? AND ? GROUP BY 1",
        PERIOD["from"],
        PERIOD["to"],
    )
    rates = {month: won / (won + lost) for month, won, lost in rows if won + lost}
    tips = title_tips(html)
    assert len(tips) == 12
    for month, tip in zip(pd.date_range("2025-10-01", periods=12, freq="MS"), tips, strict=True):
        rate = rates.get(f"{month:%Y-%m}")
        assert tip.startswith(f"{month:%B %Y}: Win rate {format_value(rate, 'ratio')}"), tip
    assert len(rates) == 12  # every month has closed deals: twelve points
    [image] = re.findall(r'src="data:image/svg\+xml,([^"]*)"', html)
    [marks] = re.findall(r"<path d='([^']*)'[^>]*stroke-linecap", unquote(image))
    assert marks.count("h0") == 12


def test_kpis_ltv_to_cac_trend_keeps_its_benchmark_and_every_trend_its_chart(run_page, demo_url):
    from salesops.config import Settings

    at = run_page(str(PAGES / "kpis.py"), demo_url, PERIOD)
    benchmark = Settings().ltv_to_cac_benchmark
    for name, kpi in KPIS.items():
        at.segmented_control(key="kpis.trend").set_value(name).run()
        assert not at.exception, name
        assert not at.get("vega_lite_chart"), name
        [html] = image_charts(at)
        assert f'aria-label="{kpi.label} by month, ' in html, name
        has_rule = f"Benchmark {format_value(benchmark, 'x')}" in html
        assert has_rule == (name == "ltv_to_cac"), name
    assert at.get("download_button")  # the trends' CSV stays


def test_kpis_trend_with_no_month_says_why_instead_of_a_chart(run_page, empty_url):
    at = run_page(str(PAGES / "kpis.py"), empty_url)
    assert not at.exception and not image_charts(at) and not at.get("vega_lite_chart")


@pytest.mark.slow
def test_forecast_first_paint_draws_no_vega_and_the_band_says_the_bookings(run_page, demo_url):
    at = run_page(str(PAGES / "forecast.py"), demo_url, {"freq": "M", "horizon": "6"})
    assert not at.exception
    assert not at.get("vega_lite_chart")  # the band (SVG image) and the quarter bars (HTML)
    assert not svg_charts(at)  # no inline SVG: Streamlit's Markdown parses no HTML
    [html] = image_charts(at)
    assert 'aria-label="Bookings by month: actual and forecast, ' in html
    assert '<img alt="" src="data:image/svg+xml,' in html
    tips = title_tips(html)
    won = dict(
        sqlite_rows(
            demo_url,
            "SELECT strftime('%Y-%m', closed_at), SUM(amount) FROM opportunities "
            "WHERE outcome = 'won' GROUP BY 1",
        )
    )
    actual = [t for t in tips if " · Actual " in t or ": Actual " in t]
    future = [t for t in tips if "Actual" not in t]
    assert len(future) == 6  # the horizon
    assert len(actual) >= 24
    for tip in actual:
        month = pd.Timestamp(tip.split(":")[0])
        said = tip.split("Actual ")[1].split(" · ")[0]
        assert said == format_money(won.get(f"{month:%Y-%m}", 0.0), "USD", full=True), tip
    for tip in tips:
        assert " · Forecast $" in tip or ": Forecast $" in tip, tip
        assert " · 80% interval $" in tip, tip
    # what the lines are, written under the chart in the same element
    assert "</div><p " in html and "Red, solid: actual won amount per month" in html
    # the quarter bars: Prophet's amount per quarter is the figure table's
    [bars] = [
        h.proto.body for h in at.get("html") if "Forecast and quota per quarter" in h.proto.body
    ]
    figures = figures_shown(at)
    for quarter in ("Q4 2026", "Q1 2027"):
        [prophet] = re.findall(rf'title="{quarter} · Prophet: ([^"]*)"', bars)
        assert (
            format_money(float(prophet.replace("$", "").replace(",", "")), "USD")
            == (figures[f"{quarter} forecast"])
        )
