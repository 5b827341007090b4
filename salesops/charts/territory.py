"""Territory balance charts: utilisation per territory against the band, potential per hour."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_tooltip
from salesops.charts.html_bars import Chart, Part, Rule, Stack, rows_html
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


def utilisation_html(metrics: pd.DataFrame, settings: TerritorySettings) -> str:
    """Returns one HTML bar per territory: its utilisation, coloured by flag, and the band.

    A bar beyond the right dashed line is over-loaded, short of the left one under-loaded,
    so the colour and the position always agree; each bar's utilisation is written beside
    it, its segment, hours and flag in its hover. Territories without capacity have no bar.
    HTML, not Vega: the page's first chart costs a cold tab Vega's scripts (issue 21).
    Requires the columns of `territory_metrics`.
    """
    bars = utilisation_bars(metrics)
    bars = bars[bars["utilisation"].notna()]
    stacks = []
    for row in bars.itertuples(index=False):
        segment = "" if pd.isna(row.segment) else f" ({row.segment})"
        tip = (
            f"{row.territory}{segment}: utilisation {row.utilisation:.0%} · workload "
            f"{row.workload_hours:,.0f} h / selling capacity {row.capacity_hours:,.0f} h · "
            f"{row.flag}"
        )
        colour = FLAG_COLOURS.get(row.flag, FLAG_COLOURS[FLAG_EMPTY])
        stacks.append(
            Stack(str(row.territory), (Part(row.utilisation, colour, tip),),
                  f"{row.utilisation:.0%}")
        )  # fmt: skip
    flags = set(bars["flag"])
    chart = Chart(
        "Utilisation per territory",
        legend=tuple((f, FLAG_COLOURS[f]) for f in FLAG_COLOURS if f in flags),
        rules=(
            Rule(settings.under, f"under-loaded below {settings.under:.0%}"),
            Rule(settings.over, f"over-loaded above {settings.over:.0%}"),
        ),
        axis="Utilisation = workload / selling capacity",
    )
    return rows_html(stacks, chart)


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
