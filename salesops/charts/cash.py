"""Altair charts for the Order-to-cash page (aggregated frames only)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.charts.formats import DAYS, money_axis, money_tooltip
from salesops.charts.html_bars import Chart, Part, Stack, rows_html
from salesops.formatting import format_money

STAGE_COLORS = ["#5c6bc0", "#42a5f5", "#26a69a", "#2e7d32"]
AGING_COLORS = ["#2e7d32", "#f9a825", "#ef6c00", "#e64a19", "#b71c1c"]


def funnel_html(stages: pd.DataFrame, currency: str) -> str:
    """Returns booked → ordered → invoiced → paid as horizontal HTML bars of their amounts.

    Each stage's amount written beside its bar, its count and full amount in its hover.
    HTML, not Vega: the page's first chart costs a cold tab Vega's scripts (issue 21).
    Requires columns label, count, amount (the funnel's stages, in order).
    """
    stacks = [
        Stack(
            str(label),
            (Part(float(amount), STAGE_COLORS[i % len(STAGE_COLORS)],
                  f"{label}: {format_money(amount, currency, full=True)} · count {count:,}"),),
            format_money(amount, currency),
        )
        for i, (label, count, amount) in enumerate(
            zip(stages["label"], stages["count"], stages["amount"], strict=True)
        )
    ]  # fmt: skip
    return rows_html(stacks, Chart("Booked, ordered, invoiced, paid", axis=f"Amount ({currency})"))


def days_trend(trend: pd.DataFrame, stat: str = "median") -> alt.Chart:
    """Returns each step's monthly days (`stat`: mean, median or p90) as lines.

    Requires columns step, month, orders and `stat` (salesops.cash.cycle.cycle_trend).
    """
    shown = trend[["step", "month", "orders", stat]].rename(columns={stat: "days"})
    return (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("days:Q", title=f"Days ({stat.replace('p90', 'P90')})"),
            color=alt.Color("step:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                "step:N",
                alt.Tooltip("yearmonth(month):T", title="Month"),
                alt.Tooltip("days:Q", format=DAYS, title="Days"),
                alt.Tooltip("orders:Q", format=",", title="Orders"),
            ],
        )  # fmt: skip
        .properties(height=260)
    )


def aging_bars(aging: pd.DataFrame, currency: str) -> alt.Chart:
    """Returns receivables by aging bucket (current first) as columns.

    Requires columns bucket, orders, amount (salesops.cash.receivables.aging).
    """
    order = aging["bucket"].tolist()
    palette = (AGING_COLORS * 2)[: len(order)]
    return (
        alt.Chart(aging[["bucket", "orders", "amount"]])
        .mark_bar()
        .encode(
            x=alt.X("bucket:N", sort=order, title="Days past due", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("amount:Q", title=f"Receivable ({currency})", axis=money_axis(currency)),
            color=alt.Color(
                "bucket:N", sort=order, legend=None, scale=alt.Scale(domain=order, range=palette)
            ),
            tooltip=[
                "bucket:N",
                alt.Tooltip("orders:Q", format=",", title="Orders"),
                money_tooltip("amount:Q", "Amount", currency),
            ],
        )  # fmt: skip
        .properties(height=240)
    )
