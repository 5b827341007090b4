"""KPI charts: monthly trends, breakdown bars and monthly bookings."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import axis_format, money_axis, money_tooltip


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


def breakdown_bars(
    frame: pd.DataFrame, value: str, unit: str, title: str, currency: str
) -> alt.Chart:
    """Returns horizontal bars of `value` per `name`, sorted descending."""
    fmt = axis_format(unit, currency)
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


def bookings_bars(frame: pd.DataFrame, currency: str) -> alt.Chart:
    """Returns monthly bookings (won amount) as bars, with won and lost counts in the tooltip."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("bookings:Q", title="Bookings", axis=money_axis(currency)),
            tooltip=[
                alt.Tooltip("month:T", format="%B %Y"),
                money_tooltip("bookings:Q", "Bookings", currency),
                "won:Q",
                "lost:Q",
            ],
        )
        .properties(height=240)
    )
