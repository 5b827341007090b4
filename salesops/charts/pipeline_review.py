"""Pipeline review charts: the week's waterfall."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_tooltip
from salesops.charts.html_bars import Chart, Span, spans_html
from salesops.formatting import format_money

# Inflows green, outflows red, won (the pipeline leaving as bookings) its own colour.
WATERFALL_COLORS = {
    "Pipeline": "#4c78a8",
    "Added": "#54a24b",
    "Removed": "#e45756",
    "Won (booked)": "#b279a2",
}
SHORT_LABELS = {"opening": "Opening", "closing": "Closing", "pulled_in": "Pulled in"}
# The zoomed axis leaves this share of the movements' span below the lowest bar end.
AXIS_MARGIN = 0.15


def waterfall_frame(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Returns the chart's rows: short bar names, colour groups, signed labels, axis floor.

    Requires the frame of Waterfall.to_frame() (step, label, amount, kind, bar_start,
    bar_end, deals). Total bars start at `floor`, the zoomed axis's bottom: every running
    total lies above it, so each movement is visible beside the totals.
    """
    out = frame.copy()
    levels = pd.concat([out["bar_start"], out["bar_end"]])
    levels = levels[levels.index.isin(out.index[out["kind"] != "total"])]
    totals = out.loc[out["kind"] == "total", "bar_end"]
    low = float(min(levels.min(), totals.min())) if len(levels) else float(totals.min())
    high = float(max(levels.max(), totals.max())) if len(levels) else float(totals.max())
    span = max(high - low, abs(high) * 0.05, 1.0)
    floor = max(0.0, low - AXIS_MARGIN * span) if low >= 0 else low - AXIS_MARGIN * span
    out["bar"] = [
        SHORT_LABELS.get(s, label) for s, label in zip(out["step"], out["label"], strict=True)
    ]
    out["group"] = [
        "Pipeline"
        if k == "total"
        else "Won (booked)"
        if s == "won"
        else "Added"
        if a >= 0
        else "Removed"
        for s, k, a in zip(out["step"], out["kind"], out["amount"], strict=True)
    ]
    is_total = out["kind"] == "total"
    out.loc[is_total, "bar_start"] = floor
    out["text"] = [
        format_money(a, currency) if t else ("+" if a > 0 else "") + format_money(a, currency)
        for a, t in zip(out["amount"], is_total, strict=True)
    ]
    out["deals_text"] = [f"{d:,} deal{'s' if d != 1 else ''}" for d in out["deals"]]
    out["top"] = out[["bar_start", "bar_end"]].max(axis=1)
    out["floor"] = floor
    return out


def waterfall_html(frame: pd.DataFrame, currency: str) -> str:
    """Returns the pipeline waterfall as HTML bars, as `waterfall` draws it with Vega.

    Floating steps between the opening and closing totals on the same zoomed axis, coloured
    alike, each bar's signed amount and deal count written above it and its step, full
    amount and deals in its hover. HTML: the page's first chart would cost a cold tab
    Vega's scripts (issue 21). Requires the frame of Waterfall.to_frame().
    """
    data = waterfall_frame(frame, currency)
    floor = float(data["floor"].iloc[0])
    spans = [
        Span(
            label=row.bar,
            start=row.bar_start,
            end=row.bar_end,
            colour=WATERFALL_COLORS[row.group],
            tip=f"{row.label}: {format_money(row.amount, currency, full=True)} · {row.deals_text}",
            shown=row.text,
            note=row.deals_text,
        )
        for row in data.itertuples(index=False)
    ]
    chart = Chart(
        "Pipeline waterfall",
        legend=tuple(WATERFALL_COLORS.items()),
        axis=f"Pipeline (axis from {format_money(floor, currency)})",
    )
    return spans_html(spans, chart, floor)


def waterfall(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Returns a pipeline waterfall on a zoomed axis: floating steps between labelled totals.

    Requires the frame of Waterfall.to_frame(). Opening and closing are blue totals; money
    entering the pipeline is green, leaving it red, and won deals (pipeline turned into
    bookings) purple, so won is never mistaken for lost. Every bar carries its signed amount
    and deal count; amounts are in `currency`.
    """
    data = waterfall_frame(frame, currency)
    floor = float(data["floor"].iloc[0])
    high = float(data["top"].max())
    order = data["bar"].tolist()
    base = alt.Chart(data).encode(
        x=alt.X("bar:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelLimit=0)),
    )
    bars = base.mark_bar(size=44, clip=True).encode(
        y=alt.Y(
            "bar_start:Q",
            title=f"Pipeline (axis from {format_money(floor, currency)})",
            scale=alt.Scale(domain=[floor, high + (high - floor) * 0.12], zero=False, nice=False),
            axis=money_axis(currency),
        ),
        y2="bar_end:Q",
        color=alt.Color(
            "group:N",
            scale=alt.Scale(domain=list(WATERFALL_COLORS), range=list(WATERFALL_COLORS.values())),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Step"),
            money_tooltip("amount:Q", "Amount", currency),
            alt.Tooltip("deals:Q", title="Deals"),
        ],
    )
    amounts = base.mark_text(dy=-16, fontSize=12, fontWeight="bold").encode(
        y=alt.Y("top:Q"), text="text:N"
    )
    counts = base.mark_text(dy=-4, fontSize=10, color="#666").encode(
        y=alt.Y("top:Q"), text="deals_text:N"
    )
    return (bars + amounts + counts).properties(height=340)
