"""KPI charts: monthly trends, breakdown bars and monthly bookings."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import axis_format
from salesops.charts.svg_lines import Benchmark, Line, LineChart, line_chart_image_html
from salesops.formatting import format_value


def trend_html(
    frame: pd.DataFrame, unit: str, title: str, currency: str, benchmark: float | None = None
) -> str:
    """Returns a monthly line of `value` by `month` as HTML for st.html (no Vega; issue 21).

    An SVG image under one HTML hover column per month (svg_lines.line_chart_image_html):
    no inline SVG, so Streamlit's Markdown loads no HTML parser for it.

    What `trend_line` draws: undefined months break the line (never drawn as zero), each
    month's hover says its value in full and its `reason` (why it is undefined); the benchmark
    is a dashed grey line. Requires columns month, value, reason.
    """
    reasons = tuple(r if isinstance(r, str) else "" for r in frame["reason"])
    rule = None
    if benchmark is not None:
        rule = Benchmark(benchmark, f"Benchmark {format_value(benchmark, unit, currency)}")
    return line_chart_image_html(
        LineChart(
            title=f"{title} by month",
            x=tuple(pd.to_datetime(frame["month"])),
            lines=(Line(title, tuple(frame["value"])),),
            unit=unit,
            currency=currency,
            benchmark=rule,
            notes=reasons,
        )
    )


def trend_line(
    frame: pd.DataFrame, unit: str, title: str, currency: str, benchmark: float | None = None
) -> alt.Chart:
    """Returns a monthly line of `value` by `month`; undefined months show as gaps."""
    fmt = axis_format(unit, currency)
    base = alt.Chart(frame).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("value:Q", title=title, axis=alt.Axis(format=fmt)),
        tooltip=[
            alt.Tooltip("month:T", format="%B %Y"),
            alt.Tooltip("value:Q", format=fmt),
            alt.Tooltip("reason:N"),
        ],
    )
    # An undefined month breaks the line: a gap, never a bridged or zero value.
    chart = base.mark_line(point=True, invalid="break-paths-show-domains")
    if benchmark is not None:
        rule = (
            alt.Chart(pd.DataFrame({"benchmark": [benchmark]}))
            .mark_rule(strokeDash=[4, 4], color="gray")
            .encode(y="benchmark:Q")
        )
        chart = chart + rule
    return chart.properties(height=220)


def breakdown_bars(ranked: pd.DataFrame, unit: str, title: str, currency: str) -> alt.Chart:
    """Returns horizontal bars of a ranking, best first; rows too small to rank in grey.

    Requires the frame of salesops.kpis.ranking.ranking (label, value, sample, ranked). Each
    bar's label carries its sample size ("Ann Lee (n = 34)").
    """
    fmt = axis_format(unit, currency)
    return (
        alt.Chart(ranked)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=title, axis=alt.Axis(format=fmt)),
            y=alt.Y(
                "label:N", sort=ranked["label"].tolist(), title=None, axis=alt.Axis(labelLimit=0)
            ),
            color=alt.Color(
                "ranked:N",
                scale=alt.Scale(domain=[True, False], range=["#4c78a8", "#c7c7c7"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("value:Q", format=fmt, title=title),
                alt.Tooltip("sample:Q", title="Sample (n)"),
                alt.Tooltip("rank:Q", title="Rank"),
            ],
        )
        # Streamlit fits the whole chart, axis and title included, into the height: 24 px
        # per bar plus the axis keeps every label (Vega drops labels that would overlap).
        .properties(height=max(120, 24 * len(ranked) + 70))
    )
