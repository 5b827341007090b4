"""Pipeline review charts: the week's waterfall."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import money_axis, money_format, money_tooltip

WATERFALL_COLORS = {"total": "#4c78a8", "increase": "#54a24b", "decrease": "#e45756"}


def waterfall(frame: pd.DataFrame, currency: str) -> alt.Chart:
    """Returns a pipeline waterfall: total bars for opening/closing, floating signed steps.

    Requires the frame of Waterfall.to_frame() (label, amount, kind, bar_start, bar_end, deals).
    Amounts are labelled in `currency`.
    """
    order = frame["label"].tolist()
    base = alt.Chart(frame).encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
    )
    bars = base.mark_bar(size=42).encode(
        y=alt.Y("bar_start:Q", title="Pipeline", axis=money_axis(currency, compact=False)),
        y2="bar_end:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(WATERFALL_COLORS), range=list(WATERFALL_COLORS.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Step"),
            money_tooltip("amount:Q", "amount", currency),
            alt.Tooltip("deals:Q", title="Deals"),
        ],
    )
    text = (
        base.mark_text(dy=-8, fontSize=11)
        .encode(y=alt.Y("top:Q"), text=alt.Text("amount:Q", format=money_format(currency)))
        .transform_calculate(top="max(datum.bar_start, datum.bar_end)")
    )
    return (bars + text).properties(height=320)
