"""Territory balance charts: utilisation per territory against the band, potential per hour."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_tooltip
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_BALANCED,
    FLAG_EMPTY,
    FLAG_NO_CAPACITY,
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
)
from salesops.territory.presentation import utilisation_bars

FLAG_COLOURS = {
    FLAG_OVER: "#d62728",
    FLAG_UNDER: "#1f77b4",
    FLAG_BALANCED: "#2ca02c",
    FLAG_UNCOVERED: "#ff7f0e",
    FLAG_EMPTY: "#7f7f7f",
    FLAG_NO_CAPACITY: "#7f7f7f",
    "inactive": "#bbbbbb",
}
# The same flags' colours by name, for tables drawn as Markdown text (background colours).
FLAG_TONES = {
    FLAG_OVER: "red",
    FLAG_UNDER: "blue",
    FLAG_BALANCED: "green",
    FLAG_UNCOVERED: "orange",
    FLAG_EMPTY: "gray",
    FLAG_NO_CAPACITY: "gray",
    "inactive": "gray",
}


def _flag_scale(flags: pd.Series) -> alt.Scale:
    """Returns the flag colours of the flags present (so the legend lists only those)."""
    shown = [f for f in FLAG_COLOURS if f in set(flags)]
    return alt.Scale(domain=shown, range=[FLAG_COLOURS[f] for f in shown])


def utilisation_chart(metrics: pd.DataFrame, settings: TerritorySettings) -> alt.TopLevelMixin:
    """Returns one bar per territory: its utilisation, coloured by flag, with the band's edges.

    A bar beyond the right rule is over-loaded, short of the left one under-loaded, so the
    colour and the position always agree. Territories without capacity have no bar.
    Requires the columns of `territory_metrics`.
    """
    bars = utilisation_bars(metrics)
    bars = bars[bars["utilisation"].notna()]
    y = alt.Y("territory:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    body = (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "utilisation:Q",
                title="Utilisation (workload / selling capacity)",
                axis=alt.Axis(format=".0%"),
            ),  # fmt: skip
            color=alt.Color(
                "flag:N",
                scale=_flag_scale(bars["flag"]),
                title="Flag",
                legend=alt.Legend(orient="bottom"),
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("territory:N", title="Territory"),
                alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip("utilisation:Q", format=".0%", title="Utilisation"),
                alt.Tooltip("workload_hours:Q", format=",.0f", title="Workload h"),
                alt.Tooltip("capacity_hours:Q", format=",.0f", title="Selling capacity h"),
                alt.Tooltip("flag:N", title="Flag"),
            ],
        )
    )
    band = pd.DataFrame({"edge": [settings.under, settings.over],
                         "label": ["under-loaded below", "over-loaded above"]})  # fmt: skip
    rules = (
        alt.Chart(band)
        .mark_rule(strokeDash=[5, 4], color="gray")
        .encode(x="edge:Q", tooltip=[alt.Tooltip("label:N", title=" "),
                                     alt.Tooltip("edge:Q", format=".0%", title="Utilisation")])
    )  # fmt: skip
    return alt.layer(body, rules).properties(height=alt.Step(24))


def potential_per_hour_chart(metrics: pd.DataFrame, currency: str) -> alt.Chart:
    """Returns potential per selling hour per territory, coloured by segment (the opportunity).

    Requires columns territory, segment, potential_per_capacity_hour, pph_vs_peers.
    """
    data = metrics[["territory", "segment", "potential_per_capacity_hour", "pph_vs_peers"]].copy()
    for col in ("potential_per_capacity_hour", "pph_vs_peers"):
        data[col] = pd.to_numeric(data[col], errors="coerce").astype("float64")
    data = data[data["potential_per_capacity_hour"].notna()]
    data["segment"] = data["segment"].astype(object).fillna("(no segment)")  # not "null"
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("territory:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "potential_per_capacity_hour:Q",
                title="Potential per selling hour",
                axis=money_axis(currency),
            ),  # fmt: skip
            color=alt.Color("segment:N", title="Segment", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("territory:N", title="Territory"),
                money_tooltip("potential_per_capacity_hour:Q", "per selling hour", currency),
                alt.Tooltip("pph_vs_peers:Q", format="+.0%", title="vs peers"),
            ],
        )
        .properties(height=alt.Step(24))
    )
