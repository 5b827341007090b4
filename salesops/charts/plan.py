"""Plan charts: the expected attainment distribution, current against suggested quotas."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.territory.quotas import BANDS

QUOTA_COLOURS = {"Current quotas": "#9e9e9e", "Suggested quotas": "#1f77b4"}


def attainment_chart(distribution: pd.DataFrame) -> alt.Chart:
    """Returns the expected number of reps per attainment band, current vs suggested side by side.

    Requires columns band, current, suggested (from `salesops.territory.quotas`).
    """
    long = distribution.melt(
        id_vars="band", value_vars=["current", "suggested"], var_name="quotas", value_name="reps"
    )
    long["quotas"] = long["quotas"].map({"current": "Current quotas",
                                         "suggested": "Suggested quotas"})  # fmt: skip
    order = [label for _, _, label in BANDS]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "band:N",
                sort=order,
                title="Attainment (bookings / quota)",
                axis=alt.Axis(labelAngle=0),
            ),  # fmt: skip
            xOffset=alt.XOffset("quotas:N", sort=list(QUOTA_COLOURS)),
            y=alt.Y("reps:Q", title="Expected reps"),
            color=alt.Color(
                "quotas:N",
                scale=alt.Scale(domain=list(QUOTA_COLOURS), range=list(QUOTA_COLOURS.values())),
                title=None,
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("quotas:N", title=" "),
                alt.Tooltip("band:N", title="Attainment"),
                alt.Tooltip("reps:Q", format=".1f", title="Expected reps"),
            ],
        )
        .properties(height=260)
    )
