"""Altair charts for the Rep time allocation page (aggregated frames only)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import RATIO, money_axis, money_tooltip
from salesops.charts.html_bars import Chart, Part, Rule, Stack, columns_html, rows_html


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns a copy with nullable extension dtypes turned into float/object (chart-safe)."""
    out = frame.copy()
    for column in out.columns:
        dtype = str(out[column].dtype)
        if dtype in ("Float64", "Int64"):
            out[column] = out[column].astype("float64")
        elif dtype == "boolean":
            out[column] = out[column].astype(object)
    return out


def _benchmark_rule(
    benchmark: float, axis: str = "y", tooltip: alt.Tooltip | None = None
) -> alt.Chart:
    """Returns a dashed rule at ``benchmark`` across the chart (ratio tooltip by default)."""
    encode = {axis: alt.X("benchmark:Q") if axis == "x" else alt.Y("benchmark:Q")}
    shown = tooltip or alt.Tooltip("benchmark:Q", format=RATIO, title="benchmark")
    return (
        alt.Chart(pd.DataFrame({"benchmark": [benchmark]}))
        .mark_rule(strokeDash=[4, 4], color="black")
        .encode(**encode, tooltip=[shown])
    )


SIDE_COLOURS = {"below": "#c62828", "at/above": "#2e7d32"}
SIDES = alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values()))
# Vega-Lite's default categorical colours (tableau10), as the activities' Vega bars had them
CATEGORY10 = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
              "#ff9da6", "#9d755d", "#bab0ac")  # fmt: skip


def share_histogram_html(distribution: pd.DataFrame, benchmark: float) -> str:
    """Returns how many reps fall in each selling-share band, with the benchmark's line.

    `distribution` is salesops.time_allocation.shares.share_distribution's: every band from
    the lowest to the highest with reps (and the benchmark's) is drawn, empty ones flat, so
    the bands stay equal steps; a band's reps are stacked by side of the benchmark (below
    red, at or above green, as share_bars), its total written above it, each part's count
    in its hover. HTML, not Vega: the page's first chart costs a cold tab Vega (issue 21).
    """
    width = 0.05
    if not distribution.empty:
        width = float(distribution["band_end"].iloc[0] - distribution["band_start"].iloc[0])
    steps = [round(float(v) / width) for v in distribution["band_start"]]
    at = min(int(benchmark / width), round(1 / width) - 1)
    first, last = min([*steps, at]), max([*steps, at])
    counts = {
        (round(float(row.band_start) / width), row.position): int(row.reps)
        for row in distribution.itertuples(index=False)
    }
    stacks = []
    for step in range(first, last + 1):
        band = f"{step * width:.0%}–{(step + 1) * width:.0%}"
        reps = {side: counts.get((step, side), 0) for side in SIDE_COLOURS}
        parts = tuple(
            Part(n, SIDE_COLOURS[side], f"{band}: {n} rep{'s' * (n != 1)} {side} the benchmark")
            for side, n in reps.items()
            if n
        )
        stacks.append(Stack(band, parts, str(sum(reps.values())) if parts else ""))
    chart = Chart(
        "Reps per selling-share band",
        legend=tuple(SIDE_COLOURS.items()),
        rules=(Rule(benchmark, f"benchmark {benchmark:.0%}"),),
        axis="Bands: selling share of hours; bars: reps (vs benchmark)",
        span=(first * width, (last + 1) * width),
    )
    return columns_html(stacks, chart, height_px=180)


def team_hours_html(by_activity: pd.DataFrame) -> str:
    """Returns the team's hours as one bar stacked by activity, selling activities first.

    Requires columns activity, category, hours, share_of_hours (hours_by_activity's, in its
    order); each part's hours and share in its hover, the total written beside the bar.
    """
    frame = plain(by_activity)
    colours = {a: CATEGORY10[i % len(CATEGORY10)] for i, a in enumerate(frame["activity"])}
    parts = tuple(
        Part(float(row.hours), colours[row.activity],
             f"{row.activity} ({row.category}): {row.hours:,.1f} h, "
             f"{row.share_of_hours:.1%} of hours")
        for row in frame.itertuples(index=False)
    )  # fmt: skip
    total = float(frame["hours"].sum())
    chart = Chart("Team hours by activity", legend=tuple(colours.items()))
    return rows_html([Stack("Team", parts, f"{total:,.0f} h")], chart)


def share_bars(rep_summary: pd.DataFrame, benchmark: float) -> alt.Chart:
    """Returns selling share per rep (bars, lowest first) with the benchmark as a dashed line."""
    shown = plain(rep_summary.dropna(subset=["selling_share"]))
    shown["position"] = shown["gap_to_benchmark"].map(lambda g: "below" if g < 0 else "at/above")
    bars = (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            x=alt.X("selling_share:Q", title="Selling share of hours", axis=alt.Axis(format=".0%")),
            # every rep named: Vega would drop every other label once the bands get tight
            y=alt.Y("name:N", sort="x", title=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                "position:N",
                scale=SIDES,
                legend=alt.Legend(title="vs benchmark", orient="bottom"),
            ),
            tooltip=[
                "name:N",
                alt.Tooltip("selling_share:Q", format=".1%"),
                alt.Tooltip("hours:Q", format=",.0f"),
                alt.Tooltip("gap_to_benchmark:Q", format="+.1%"),
            ],
        )
    )
    return (bars + _benchmark_rule(benchmark, "x")).properties(height=alt.Step(20))


def stacked_hours(by_activity: pd.DataFrame, y: str, title: str | None = None) -> alt.Chart:
    """Returns horizontal bars of hours per ``y`` (rep name or a constant) stacked by activity."""
    frame = plain(by_activity)
    return (
        alt.Chart(frame)
        .mark_bar(size=16)
        .encode(
            x=alt.X("sum(hours):Q", title="Hours", stack="zero"),
            y=alt.Y(f"{y}:N", title=None, sort="-x", axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                "activity:N",
                title="Activity",
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=0),
            ),
            order=alt.Order("category:N", sort="descending"),
            tooltip=[
                f"{y}:N",
                "activity:N",
                "category:N",
                alt.Tooltip("hours:Q", format=",.1f"),
                alt.Tooltip("share_of_hours:Q", format=".1%"),
            ],
        )
        .properties(height=alt.Step(22), title=title or "")
    )


def share_trend(trend: pd.DataFrame, benchmark: float) -> alt.Chart:
    """Returns the selling share per period (gaps where no hours) with the benchmark line."""
    frame = plain(trend)
    line = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("selling_share:Q", title="Selling share", axis=alt.Axis(format=".0%")),
            tooltip=[
                alt.Tooltip("period:T"),
                alt.Tooltip("selling_share:Q", format=".1%"),
                alt.Tooltip("hours:Q", format=",.0f"),
                "share_reason:N",
            ],
        )
    )
    return (line + _benchmark_rule(benchmark)).properties(height=240)


def productivity_histogram(
    distribution: pd.DataFrame, title: str = "Bookings per selling hour"
) -> alt.Chart:
    """Returns the rep productivity distribution, coloured by bottom / middle / top group."""
    frame = plain(distribution[distribution["group"] != "excluded"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("productivity:Q", bin=alt.Bin(maxbins=20), title=title),
            y=alt.Y("count():Q", title="Reps"),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(
                    domain=["bottom", "middle", "top"], range=["#bdbdbd", "#1565c0", "#2e7d32"]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["group:N", "count():Q"],
        )
        .properties(height=220)
    )


def ramp_line(curve: pd.DataFrame, ramped_level: float | None, currency: str) -> alt.Chart:
    """Returns mean bookings per rep by tenure month, with the ramped level as a dashed line.

    Amounts are labelled in ``currency``.
    """
    frame = plain(curve)
    line = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("tenure_month:Q", title="Tenure month (1 = hire month)"),
            y=alt.Y(
                "bookings_per_rep:Q",
                title="Bookings per rep",
                axis=money_axis(currency, compact=False),
            ),
            tooltip=[
                "tenure_month:Q",
                money_tooltip("bookings_per_rep:Q", "bookings_per_rep", currency),
                alt.Tooltip("reps:Q", title="rep-months"),
            ],
        )
    )
    if ramped_level is None:
        return line.properties(height=240)
    level = _benchmark_rule(
        ramped_level, tooltip=money_tooltip("benchmark:Q", "ramped level", currency)
    )
    return (line + level).properties(height=240)


def literature_bars(comparison: pd.DataFrame) -> alt.Chart:
    """Returns the scenario's figures as points against the literature ranges (grey bands)."""
    frame = plain(comparison)
    band = (
        alt.Chart(frame)
        .mark_bar(color="#e0e0e0", height=18)
        .encode(
            x=alt.X("low:Q", title=None, axis=alt.Axis(format=".0%")),
            x2="high:Q",
            y=alt.Y("metric:N", title=None, axis=alt.Axis(labelLimit=220)),
        )
    )
    point = (
        alt.Chart(frame.dropna(subset=["value"]))
        .mark_point(filled=True, size=120, color="#1565c0")
        .encode(
            x="value:Q",
            y="metric:N",
            tooltip=["metric:N", alt.Tooltip("value:Q", format=".1%"), "status:N"],
        )
    )
    return (band + point).properties(height=120)
