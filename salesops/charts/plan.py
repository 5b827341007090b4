"""Plan charts: the expected attainment distribution, current against suggested quotas."""

from __future__ import annotations

import pandas as pd

from salesops.charts.html_bars import Chart, Part, Stack, columns_html

QUOTA_COLOURS = {"Current quotas": "#9e9e9e", "Suggested quotas": "#1f77b4"}


def attainment_html(distribution: pd.DataFrame) -> str:
    """Returns the expected number of reps per attainment band, current vs suggested side by side.

    HTML bars (no Vega at a cold tab's first paint, issue 21): each bar's expected reps
    written above it and in its hover with its band. Requires columns band, current,
    suggested (from `salesops.territory.quotas`), in the bands' order.
    """
    stacks = [
        Stack(
            str(row["band"]),
            tuple(
                Part(float(row[column]), colour,
                     f"{quotas}, attainment {row['band']}: {row[column]:.1f} expected reps",
                     f"{row[column]:.1f}")
                for column, (quotas, colour) in zip(
                    ("current", "suggested"), QUOTA_COLOURS.items(), strict=True
                )
            ),
        )
        for _, row in distribution.iterrows()
    ]  # fmt: skip
    chart = Chart(
        "Expected reps per attainment band",
        legend=tuple(QUOTA_COLOURS.items()),
        axis="Attainment (bookings / quota); bars: expected reps",
    )
    return columns_html(stacks, chart, grouped=True, height_px=240)
