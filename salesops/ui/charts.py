"""Altair chart builders over aggregated frames (never raw rows)."""

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


WATERFALL_COLORS = {"total": "#4c78a8", "increase": "#54a24b", "decrease": "#e45756"}


def waterfall(frame: pd.DataFrame, currency_format: str = "$,.0f") -> alt.Chart:
    """Returns a pipeline waterfall: total bars for opening/closing, floating signed steps.

    Requires the frame of Waterfall.to_frame() (label, amount, kind, bar_start, bar_end, deals).
    """
    order = frame["label"].tolist()
    base = alt.Chart(frame).encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
    )
    bars = base.mark_bar(size=42).encode(
        y=alt.Y("bar_start:Q", title="Pipeline", axis=alt.Axis(format=currency_format)),
        y2="bar_end:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(WATERFALL_COLORS), range=list(WATERFALL_COLORS.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Step"),
            alt.Tooltip("amount:Q", format=currency_format),
            alt.Tooltip("deals:Q", title="Deals"),
        ],
    )
    text = (
        base.mark_text(dy=-8, fontSize=11)
        .encode(y=alt.Y("top:Q"), text=alt.Text("amount:Q", format=currency_format))
        .transform_calculate(top="max(datum.bar_start, datum.bar_end)")
    )
    return (bars + text).properties(height=320)


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
