"""Line charts as an SVG image under HTML hovers (salesops.charts.svg_lines): scale, gaps,
hovers, escaping."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import unquote

import pandas as pd
import pytest

from salesops.charts.forecast import forecast_band_html, quarter_bars_html
from salesops.charts.kpis import trend_html
from salesops.charts.svg_lines import (
    Band,
    Benchmark,
    Line,
    LineChart,
    line_chart_image_html,
    nice_step,
    tick_label,
    x_ticks,
    y_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = tuple(pd.date_range("2026-01-01", periods=6, freq="MS"))


def title_tips(html: str) -> list[str]:
    """Returns the chart's hover columns' texts (their `title`), one per period, in order."""
    return [unescape(t) for t in re.findall(r'<div title="([^"]*)" style="flex:', html)]


def image_svg(html: str) -> ET.Element:
    """Returns the SVG document of the chart's <img> (a data URI)."""
    [source] = re.findall(r'<img alt="" src="data:image/svg\+xml,([^"]*)"', html)
    return ET.fromstring(unquote(source))


def paths(html: str) -> list[ET.Element]:
    return list(image_svg(html).iter(f"{SVG}path"))


def line_paths(html: str, colour: str) -> list[str]:
    """Returns each drawn stretch of the line of `colour` (its path's `M...` runs), in order."""
    drawn = [
        p.get("d", "") for p in paths(html) if p.get("stroke") == colour and p.get("fill") == "none"
    ]
    return [f"M{run}" for d in drawn for run in d.split("M") if run]


def points(html: str) -> list[tuple[float, float]]:
    """Returns each point mark's (x, y), line after line."""
    marks = "".join(p.get("d", "") for p in paths(html) if p.get("stroke-linecap"))
    return [(float(x), float(y)) for x, y in re.findall(r"M([0-9.]+) ([0-9.]+)h0", marks)]


def chart(values: list[float | None], **kwargs) -> str:
    x = kwargs.pop("x", MONTHS[: len(values)])
    unit = kwargs.pop("unit", "ratio")
    return line_chart_image_html(
        LineChart(
            "Win rate by month", tuple(x), (Line("Win rate", tuple(values)),), unit, "USD", **kwargs
        )  # fmt: skip
    )


@pytest.mark.parametrize(
    "values",
    [[0.21, 0.34, 0.27], [1_234.0, 98_765.0], [-3.0, 12.0], [5.0], [0.0], [0.004, 0.0041]],
)
def test_ticks_are_round_steps_covering_the_values_and_zero(values):
    ticks = y_ticks(values)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= min([*values, 0.0]) and ticks[-1] >= max([*values, 0.0])
    assert 0.0 in ticks
    assert ticks[0] > min([*values, 0.0]) - step  # no tick below the values and zero
    assert ticks[-1] < max([*values, 0.0]) + step or values == [0.0]  # all zero: 0 to 1
    assert all(math.isclose(b - a, step) for a, b in zip(ticks, ticks[1:], strict=False))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert 3 <= len(ticks) <= 7
    assert nice_step(1.0) == 0.25 and nice_step(8.0) == 2.0


def test_tick_labels_use_the_formatting_of_tiles():
    assert tick_label(2_500_000, "money", "USD", 500_000) == "$2.5M"
    assert tick_label(250_000, "money", "EUR", 50_000) == "€250k"
    assert tick_label(0.25, "ratio", "USD", 0.05) == "25%"
    assert tick_label(0.025, "ratio", "USD", 0.025) == "2.5%"
    assert tick_label(30, "days", "USD", 10) == "30 days"
    assert tick_label(3, "x", "USD", 1) == "3.0×"


def test_each_month_has_a_hover_with_its_value_in_full_and_a_point():
    html = chart([0.25, 0.3125, 0.2])
    assert title_tips(html) == [
        "January 2026: Win rate 25.0%",
        "February 2026: Win rate 31.2%",
        "March 2026: Win rate 20.0%",
    ]
    marks = points(html)
    assert len(marks) == 3
    assert [m[0] for m in marks] == sorted(m[0] for m in marks)  # in time order
    ys = [m[1] for m in marks]
    assert ys[1] < ys[0] < ys[2]  # higher values drawn higher (smaller y)
    assert len(line_paths(html, "#0068c9")) == 1


def test_points_sit_at_their_value_on_the_axis():
    html = chart([10.0, 40.0], unit="days", height_px=210)
    ticks = y_ticks([10.0, 40.0])
    top, bottom = 10.0, 210 - 2.0  # the plot's padding (PAD_TOP, PAD_BOTTOM)
    for value, (_, y) in zip([10.0, 40.0], points(html), strict=True):
        expected = top + (ticks[-1] - value) / (ticks[-1] - ticks[0]) * (bottom - top)
        assert y == pytest.approx(expected, abs=0.06)
    labels = re.findall(r">([^<>]*days)</div>", html)
    assert labels == [tick_label(t, "days", "USD", ticks[1] - ticks[0]) for t in ticks]


def test_an_undefined_month_breaks_the_line_and_is_never_drawn_as_zero():
    html = chart([0.2, 0.3, float("nan"), None, 0.25, 0.28], height_px=210)
    stretches = line_paths(html, "#0068c9")
    assert len(stretches) == 2  # two stretches, nothing bridged across the gap
    assert [p.count("L") for p in stretches] == [1, 1]
    marks = points(html)
    assert len(marks) == 4
    assert all(abs(y - (210 - 2.0)) > 1 for _, y in marks)  # none on the zero line
    tips = title_tips(html)
    assert tips[2] == "March 2026: Win rate —" and tips[3] == "April 2026: Win rate —"


def test_an_isolated_point_is_marked_even_among_many():
    values: list[float | None] = [None] * 100
    values[50] = 3.0
    values[70:72] = [2.0, 2.5]
    x = tuple(pd.date_range("2024-01-01", periods=100, freq="W-MON"))
    html = chart(values, x=x, unit="x", period="week")
    assert len(points(html)) == 1  # among 100 weeks only the isolated one is marked
    assert title_tips(html)[50] == f"Week of {x[50].day} {x[50]:%b %Y}: Win rate 3.0×"
    assert len(title_tips(html)) == 100
    assert len(line_paths(html, "#0068c9")) == 1  # the two weeks together


def test_a_single_month_is_one_point_in_the_middle_with_its_date():
    html = chart([0.4])
    [(x, _)] = points(html)
    assert x == pytest.approx(500.0)
    assert title_tips(html) == ["January 2026: Win rate 40.0%"]
    assert not line_paths(html, "#0068c9")
    assert ">Jan 2026<" in html


@pytest.mark.parametrize("values", [[], [None, float("nan")]])
def test_no_value_at_all_says_so_instead_of_empty_axes(values):
    html = chart(values)
    assert "<img" not in html and "<svg" not in html and "No value to chart." in html
    assert 'role="img" aria-label="Win rate by month: no value to chart"' in html


def test_benchmark_is_a_dashed_grey_line_named_in_the_legend():
    html = chart([2.0, 2.5, 3.5], unit="x", benchmark=Benchmark(3.0, "Benchmark 3.0×"))
    [rule] = [e for e in image_svg(html).iter(f"{SVG}line") if e.get("stroke-dasharray")]
    ys = [m[1] for m in points(html)]
    assert ys[2] < float(rule.get("y1", "")) < ys[1]  # between 2.5 and 3.5
    assert html.count("Benchmark 3.0×") == 2  # the legend and the summary name it
    assert "border-top:2px dashed" in html


def test_band_and_two_lines_are_told_apart_by_dash_and_marks():
    html = line_chart_image_html(
        LineChart(
            "Bookings",
            MONTHS[:4],
            (
                Line("Actual", (100.0, 120.0, None, None), "#e45756"),
                Line("Forecast", (90.0, 125.0, 130.0, 140.0), "#4c78a8", dashed=True, marker=""),
            ),
            "money",
            "USD",
            band=Band("80% interval", (80.0, 100.0, 110.0, 100.0), (100.0, 150.0, 150.0, 180.0)),
        )
    )
    [actual] = line_paths(html, "#e45756")
    [forecast] = line_paths(html, "#4c78a8")
    dashed = [p for p in paths(html) if p.get("stroke-dasharray")]
    assert len(dashed) == 1 and dashed[0].get("d") == forecast
    assert len(points(html)) == 2  # the actuals' marks only
    [band] = [p for p in paths(html) if p.get("fill-opacity")]
    assert band.get("d", "").count("L") == 7  # four periods' highs, then their lows
    assert title_tips(html)[1] == (
        "February 2026: Actual $120 · Forecast $125 · 80% interval $100 to $150"
    )
    assert title_tips(html)[3] == "April 2026: Forecast $140 · 80% interval $100 to $180"
    assert "border-top:2px dashed #4c78a8" in html and "border-top:2px solid #e45756" in html


def test_every_text_is_escaped_for_html_and_markdown():
    html = line_chart_image_html(
        LineChart(
            '<script>"x"</script>',
            MONTHS[:2],
            (Line("$ <b>", (1.0, 2.0)),),
            "money",
            "USD",
            notes=("a & b", ""),
        )
    )
    assert "<script>" not in html and "<b>" not in html and "$" not in html
    assert "&lt;script&gt;" in html and "&#36; &lt;b&gt;" in html
    assert title_tips(html)[0] == "January 2026: $ <b> $1 (a & b)"


def test_summary_names_the_span_the_ends_and_the_extremes():
    html = chart([0.25, None, 0.5, 0.3])
    label = unescape(re.search(r'aria-label="([^"]*)"', html)[1])
    assert label == (
        "Win rate by month, January 2026 to April 2026. Win rate: 25.0% (January 2026) to "
        "30.0% (April 2026), lowest 25.0%, highest 50.0%; no value in 1 month."
    )


def test_x_labels_are_month_starts_no_more_than_eight():
    ticks, fmt = x_ticks(pd.Timestamp("2025-10-01"), pd.Timestamp("2026-09-01"))
    assert fmt == "%b %Y" and len(ticks) <= 8
    assert ticks[0] == pd.Timestamp("2025-10-01") or ticks[0].month in (10, 11, 12)
    ticks, fmt = x_ticks(pd.Timestamp("2021-03-01"), pd.Timestamp("2026-12-01"))
    assert fmt == "%Y" and [t.month for t in ticks] == [1] * len(ticks) and len(ticks) <= 8


def test_kpi_trend_keeps_the_reasons_and_the_benchmark():
    frame = pd.DataFrame(
        {
            "month": MONTHS[:3],
            "value": [2.5, None, 3.2],
            "reason": [None, "no acquisition spend recorded", None],
        }
    )
    html = trend_html(frame, "x", "LTV : CAC", "USD", benchmark=3.0)
    assert "<svg" not in html.split("<img", 1)[0]  # an SVG image for st.html, not inline SVG
    assert title_tips(html) == [
        "January 2026: LTV : CAC 2.5×",
        "February 2026: LTV : CAC — (no acquisition spend recorded)",
        "March 2026: LTV : CAC 3.2×",
    ]
    assert "Benchmark 3.0×" in html
    assert 'aria-label="LTV : CAC by month, ' in html


def test_forecast_band_hovers_say_actual_forecast_and_interval_in_full():
    points_frame = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-08-03", "2026-08-10", "2026-08-17"]),
            "actual": [1_234_567.0, None, None],
            "yhat": [1_200_000.0, 1_300_000.0, 1_350_000.0],
            "yhat_lower": [1_000_000.0, 1_050_000.0, 1_100_000.0],
            "yhat_upper": [1_400_000.0, 1_550_000.0, 1_600_000.0],
            "is_future": [False, True, True],
        }
    )
    html = forecast_band_html(points_frame, "USD", "80% interval", "week")
    assert title_tips(html) == [
        "Week of 3 Aug 2026: Actual $1,234,567 · Forecast $1,200,000 · "
        "80% interval $1,000,000 to $1,400,000",
        "Week of 10 Aug 2026: Forecast $1,300,000 · 80% interval $1,050,000 to $1,550,000",
        "Week of 17 Aug 2026: Forecast $1,350,000 · 80% interval $1,100,000 to $1,600,000",
    ]


def test_forecast_band_writes_its_caption_under_the_chart_outside_the_image_role():
    frame = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-08-01", "2026-09-01"]),
            "actual": [1_000.0, None],
            "yhat": [1_100.0, 1_200.0],
            "yhat_lower": [900.0, 1_000.0],
            "yhat_upper": [1_300.0, 1_400.0],
        }
    )
    plain = forecast_band_html(frame, "USD", "80% interval")
    html = forecast_band_html(frame, "USD", "80% interval", caption="Red, solid: <actual> $")
    assert html.startswith(plain)  # the chart as without it, then the caption after it
    assert html[len(plain) :].startswith("<p ")
    assert html.endswith(">Red, solid: &lt;actual&gt; &#36;</p>")
    assert plain.count("<div") == plain.count("</div>")  # the figure closed before it


def test_quarter_bars_write_each_amount_and_leave_an_undefined_one_empty():
    quarters = pd.DataFrame(
        {
            "period": pd.to_datetime(["2027-01-01", "2026-10-01"]),
            "pipeline_forecast": [2_000_000.0, 5_000_000.0],
            "forecast": [3_000_000.0, 4_500_000.0],
            "quota": [float("nan"), 6_000_000.0],
        }
    )
    html = quarter_bars_html(quarters, "USD")
    tips = [unescape(t) for t in re.findall(r'title="([^"]*)"', html)]
    assert tips == [
        "Q4 2026 · Pipeline-weighted: $5,000,000",
        "Q4 2026 · Prophet: $4,500,000",
        "Q4 2026 · Quota: $6,000,000",
        "Q1 2027 · Pipeline-weighted: $2,000,000",
        "Q1 2027 · Prophet: $3,000,000",
        "Q1 2027 · Quota: —",
    ]
    heights = re.findall(r"\* ([0-9.]+)\);background", html)
    assert heights == ["0.8333", "0.7500", "1.0000", "0.3333", "0.5000", "0.0000"]


BAND_CHART = LineChart(
    "Bookings",
    MONTHS[:5],
    (
        Line("Actual", (100.0, 120.0, None, 90.0, None), "#e45756"),
        Line("Forecast", (90.0, 125.0, 130.0, 140.0, 150.0), "#4c78a8", dashed=True, marker=""),
    ),
    "money",
    "USD",
    band=Band(
        "80% interval", (80.0, 100.0, 110.0, 100.0, None), (100.0, 150.0, 150.0, 180.0, None)
    ),
    notes=("", "", "a & <b>", "", ""),
)


def test_each_period_has_one_hover_column_sharing_the_plots_width():
    html = line_chart_image_html(BAND_CHART)
    assert title_tips(html)[2] == (
        "March 2026: Forecast $130 · 80% interval $110 to $150 (a & <b>)"
    )
    assert len(title_tips(html)) == 5
    # the summary for screen readers, the axes' labels and the legend, as HTML
    for text in (
        'aria-label="Bookings, January 2026 to May 2026.',
        ">&#36;150<",
        ">Jan 2026<",
        "border-top:2px dashed #4c78a8",
        "80% interval</span>",
    ):
        assert text in html, text
    # each column reaches halfway to its neighbours: the inner ones as wide as a month
    widths = [float(w) for w in re.findall(r'style="flex:([0-9.]+)"', html)]
    assert sum(widths) == pytest.approx(1000.0, abs=0.05)
    assert widths[0] < widths[1] and widths[-1] < widths[-2]
    assert widths[1] == pytest.approx(widths[2], rel=0.1)
    assert "<svg" not in html.split("<img", 1)[0]  # no inline SVG: st.html keeps it all
    assert "<b>" not in html and "$" not in html.split("<img", 1)[0].replace("&#36;", "")


def test_each_line_is_one_path_and_its_points_another():
    html = line_chart_image_html(BAND_CHART)
    svg = image_svg(html)
    assert svg.get("viewBox") == "0 -4 1000 248"  # the plot and 4 px above and below
    assert not list(svg.iter(f"{SVG}title"))  # an image has no hover: the columns say it
    # the actuals: 100, 120 joined, 90 alone (a gap on each side), so one stretch and
    # three marks; the forecast one dashed stretch over five periods, no marks
    [actual] = [p for p in paths(html) if p.get("stroke") == "#e45756" and p.get("fill")]
    assert actual.get("d", "").count("M") == 1 and actual.get("d", "").count("L") == 1
    [forecast] = [p for p in paths(html) if p.get("stroke-dasharray")]
    assert forecast.get("d", "").count("M") == 1 and forecast.get("d", "").count("L") == 4
    [marks] = [p for p in paths(html) if p.get("stroke-linecap") == "round"]
    assert marks.get("stroke") == "#e45756" and len(points(html)) == 3
    [band] = [p for p in paths(html) if p.get("fill-opacity")]
    assert band.get("d", "").count("L") == 7  # four periods with both edges
    ticks = y_ticks([80.0, 100.0, 110.0, 100.0, 100.0, 150.0, 150.0, 180.0])
    assert len(list(svg.iter(f"{SVG}line"))) == len(ticks)  # one grid line per tick


def test_marks_only_isolated_points_among_many():
    values: list[float | None] = [None] * 100
    values[50] = 3.0
    values[70:72] = [2.0, 2.5]
    x = tuple(pd.date_range("2024-01-01", periods=100, freq="W-MON"))
    many = LineChart("Weeks", x, (Line("Win rate", tuple(values)),), "x", "USD", period="week")
    html = line_chart_image_html(many)
    [marks] = [p for p in image_svg(html).iter(f"{SVG}path") if p.get("stroke-linecap")]
    assert marks.get("d", "").count("h0") == 1
    assert len(title_tips(html)) == 100
