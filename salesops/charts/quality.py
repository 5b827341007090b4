"""Altair builders for the data-quality section of the Data page."""

from __future__ import annotations

import altair as alt
import pandas as pd


def quality_trend_chart(trend: pd.DataFrame) -> alt.Chart:
    """Returns a line chart of problem counts per month, one line per check.

    Requires columns month, label, count (QualityReport.trend).
    """
    return (
        alt.Chart(trend)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Created month"),
            y=alt.Y("count:Q", title="Rows with the problem"),
            color=alt.Color("label:N", title="Problem"),
            tooltip=[alt.Tooltip("yearmonth(month):T", title="Month"), "label:N", "count:Q"],
        )
        .properties(height=260)
    )
