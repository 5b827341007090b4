"""Quarter call charts: the track record at this day of past quarters, the call's evolution."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_tooltip

METHOD_LABELS = {
    "projection": "The call",
    "stage_probability": "Stage probabilities",
    "won_plus_commit": "Won + commit",
}
METHOD_COLORS = ["#4c78a8", "#e45756", "#f58518"]


def track_record_chart(track: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Returns each past quarter's won amount (bars) and each method's call at this day (points).

    Requires columns quarter, actual, projection, stage_probability, won_plus_commit.
    """
    long = track.melt(
        id_vars=["quarter"], value_vars=list(METHOD_LABELS), var_name="method", value_name="amount"
    ).dropna(subset=["amount"])
    long["method"] = long["method"].map(METHOD_LABELS)
    bars = (
        alt.Chart(track)
        .mark_bar(color="#d9d9d9")
        .encode(
            x=alt.X("quarter:N", title=None),
            y=alt.Y("actual:Q", axis=money_axis(currency), title="Won in the quarter"),
            tooltip=[alt.Tooltip("quarter:N"), money_tooltip("actual", "Won", currency)],
        )
    )
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=90)
        .encode(
            x="quarter:N",
            y=alt.Y("amount:Q"),
            color=alt.Color(
                "method:N",
                scale=alt.Scale(domain=list(METHOD_LABELS.values()), range=METHOD_COLORS),
                title="Called at this day",
            ),
            shape="method:N",
            tooltip=[
                alt.Tooltip("quarter:N"),
                alt.Tooltip("method:N"),
                money_tooltip("amount", "Called", currency),
            ],
        )
    )
    return (bars + points).properties(height=280)


def evolution_chart(evolution: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Returns the call, won to date and commit week by week through the quarter, with quota.

    Requires columns as_of, won_to_date, commit, projection, quota.
    """
    names = {"projection": "The call", "commit": "Commit", "won_to_date": "Won to date"}
    long = evolution.melt(
        id_vars=["as_of"], value_vars=list(names), var_name="line", value_name="amount"
    ).dropna(subset=["amount"])
    long["line"] = long["line"].map(names)
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("as_of:T", title="As of"),
            y=alt.Y("amount:Q", axis=money_axis(currency), title=None),
            color=alt.Color("line:N", title=None),
            tooltip=[
                alt.Tooltip("as_of:T", title="As of"),
                alt.Tooltip("line:N"),
                money_tooltip("amount", "Amount", currency),
            ],
        )
    )
    quota = evolution["quota"].dropna().head(1).astype("float64")
    rule = (
        alt.Chart(pd.DataFrame({"quota": quota.to_numpy()}))
        .mark_rule(strokeDash=[6, 4], color="#888")
        .encode(y="quota:Q", tooltip=[money_tooltip("quota", "Quota", currency)])
    )
    return (lines + rule).properties(height=260)
