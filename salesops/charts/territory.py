"""Territory balance charts: potential vs capacity per peer group, workload vs capacity bars."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_tooltip
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_BALANCED,
    FLAG_EMPTY,
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
)
from salesops.territory.presentation import balanced_lines, workload_long

FLAG_COLOURS = {
    FLAG_OVER: "#d62728",
    FLAG_UNDER: "#1f77b4",
    FLAG_BALANCED: "#2ca02c",
    FLAG_UNCOVERED: "#ff7f0e",
    FLAG_EMPTY: "#7f7f7f",
    "no capacity": "#7f7f7f",
}
_SCALE = alt.Scale(domain=list(FLAG_COLOURS), range=list(FLAG_COLOURS.values()))
_POINT_COLUMNS = [
    "territory", "segment", "potential", "capacity_hours", "potential_per_capacity_hour",
    "deviation", "flag",
]  # fmt: skip


def _points_and_lines(metrics: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns the territories with capacity and the balanced lines in one frame (`kind`)."""
    points = metrics.loc[metrics["capacity_hours"] > 0, _POINT_COLUMNS].copy()
    for col in ("potential_per_capacity_hour", "deviation"):
        points[col] = points[col].astype("float64")
    if settings.peer == "segment":
        points["peer"] = points["segment"].fillna("(no segment)")
    else:
        points["peer"] = "team"
    points["kind"] = "point"
    lines = balanced_lines(metrics, settings).assign(kind="line")
    return pd.concat([points, lines], ignore_index=True)


def potential_vs_capacity(
    metrics: pd.DataFrame, settings: TerritorySettings, currency: str
) -> alt.FacetChart:
    """Returns potential against capacity hours, one panel per peer group, with its balanced line.

    Points above the shaded band are over-loaded, below it under-loaded. One dataset (points
    and line ends, told apart by `kind`) keeps the spec small and fast to serialise.
    Requires the columns of `territory_metrics`.
    """
    x = alt.X("capacity_hours:Q", title="Capacity hours / year")
    band = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "line")
        .mark_area(opacity=0.12, color="gray")
        .encode(x=x, y="low:Q", y2="high:Q")
    )
    line = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "line")
        .mark_line(strokeDash=[5, 4], color="gray")
        .encode(x=x, y="balanced:Q")
    )
    dots = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "point")
        .mark_circle(size=140, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("potential:Q", title="Annual potential", axis=money_axis(currency)),
            color=alt.Color("flag:N", scale=_SCALE, title="Flag"),
            tooltip=[
                "territory:N",
                "segment:N",
                money_tooltip("potential:Q", "potential", currency),
                alt.Tooltip("capacity_hours:Q", format=",.0f"),
                money_tooltip("potential_per_capacity_hour:Q", "per hour", currency),
                alt.Tooltip("deviation:Q", format="+.0%", title="vs peers"),
                "flag:N",
            ],
        )
    )
    return (
        alt.layer(band, line, dots, data=_points_and_lines(metrics, settings))
        .properties(height=300, width=230)
        .facet(column=alt.Column("peer:N", title=None))
        .resolve_scale(x="independent", y="independent")
        .configure_legend(orient="bottom", direction="horizontal")
    )


def workload_bars(metrics: pd.DataFrame) -> alt.Chart:
    """Returns grouped bars of workload hours and capacity hours per territory.

    Requires columns territory, flag, workload_hours, capacity_hours.
    """
    long = workload_long(metrics[["territory", "flag", "workload_hours", "capacity_hours"]])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("territory:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            yOffset="measure:N",
            x=alt.X("hours:Q", title="Hours per year"),
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=["workload", "capacity"], range=["#9467bd", "#bcbd22"]),
                title=None,
            ),
            tooltip=["territory:N", "measure:N", alt.Tooltip("hours:Q", format=",.0f"), "flag:N"],
        )
        .properties(height=max(160, 34 * len(metrics)))
    )
