"""KPI charts: monthly trends, breakdown bars and monthly bookings."""

from __future__ import annotations

import altair as alt
import pandas as pd

AXIS_FORMATS = {"ratio": ".0%", "days": ",.0f", "money": "$,.0f", "months": ",.1f", "x": ",.1f"}


def trend_line(
    frame: pd.DataFrame, unit: str, title: str, benchmark: float | None = None
) -> alt.Chart:
    """Returns a monthly line of `value` by `month`; undefined months show as gaps."""
    fmt = AXIS_FORMATS.get(unit, ",.2f")
    base = alt.Chart(frame).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %y")),
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


def breakdown_bars(frame: pd.DataFrame, value: str, unit: str, title: str) -> alt.Chart:
    """Returns horizontal bars of `value` per `name`, sorted descending."""
    fmt = AXIS_FORMATS.get(unit, ",.2f")
    shown = frame.dropna(subset=[value])
    return (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
            y=alt.Y("name:N", sort="-x", title=None),
            tooltip=["name:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
        .properties(height=max(120, 22 * len(shown)))
    )


def bookings_bars(frame: pd.DataFrame) -> alt.Chart:
    """Returns monthly bookings (won amount) as bars, with won and lost counts in the tooltip."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y("bookings:Q", title="Bookings", axis=alt.Axis(format="$,.2s")),
            tooltip=[
                alt.Tooltip("month:T", format="%B %Y"),
                alt.Tooltip("bookings:Q", format="$,.0f"),
                "won:Q",
                "lost:Q",
            ],
        )
        .properties(height=240)
    )
