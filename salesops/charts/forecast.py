"""Builders for the Forecast page: band, components, small multiples, quarter bars.

Altair charts, and the page's first two (the band, the quarter bars) also as an SVG image
under HTML hovers and as HTML bars, which a cold new tab draws without loading Vega (issue
21). Amounts are labelled in the database currency (passed in; see charts/formats.py).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops.calendar import quarter_of, quarter_words
from salesops.charts.formats import money_axis, money_tooltip
from salesops.charts.html_bars import Chart, Part, Stack, columns_html
from salesops.charts.svg_lines import Band, Line, LineChart, esc, line_chart_image_html
from salesops.formatting import format_money, format_value

ACTUAL_COLOUR = "#e45756"  # red, as the Vega band drew the actuals
FORECAST_COLOUR = "#4c78a8"  # blue: the forecast and its band
CAPTION_STYLE = "font-size:0.875rem;opacity:0.6;margin:0.75rem 0 0"  # as st.caption's grey
QUARTER_MEASURES = {  # column -> (name, colour): Vega-Lite's default scheme, in its order
    "pipeline_forecast": ("Pipeline-weighted", "#4c78a8"),
    "forecast": ("Prophet", "#f58518"),
    "quota": ("Quota", "#e45756"),
}


def forecast_band_html(
    points: pd.DataFrame,
    currency: str,
    interval: str,
    period: str = "month",
    caption: str | None = None,
) -> str:
    """Returns what `forecast_band` draws as HTML for st.html: actuals, forecast and band.

    The actuals a solid red line with round points, the forecast a dashed blue line over its
    `interval` band ("80% interval"), shaded, drawn as one SVG image; each period's hover
    (an HTML column over it) says its date, actual, forecast and interval in full. `period`
    is "month" or "week"; `caption` (plain text) is written under it, small and grey, as
    st.caption would. Requires columns ds, actual, yhat, yhat_lower, yhat_upper.
    """
    chart = line_chart_image_html(
        LineChart(
            title=f"Bookings by {period}: actual and forecast",
            x=tuple(pd.to_datetime(points["ds"])),
            lines=(
                Line("Actual", tuple(points["actual"]), ACTUAL_COLOUR),
                Line("Forecast", tuple(points["yhat"]), FORECAST_COLOUR, dashed=True, marker=""),
            ),
            unit="money",
            currency=currency,
            band=Band(
                interval, tuple(points["yhat_lower"]), tuple(points["yhat_upper"]), FORECAST_COLOUR
            ),
            period=period,
            height_px=300,
        )
    )
    if caption is None:
        return chart
    return chart + f'<p style="{CAPTION_STYLE}">{esc(caption)}</p>'


def quarter_bars_html(quarters: pd.DataFrame, currency: str) -> str:
    """Returns what `quarter_bars` draws as grouped HTML bars, each amount above its bar.

    Requires columns period, pipeline_forecast, forecast, quota. An undefined amount is
    written "—" with no bar; each bar's hover says the quarter, measure and full amount.
    """
    stacks = []
    for row in quarters.sort_values("period").itertuples():
        quarter = quarter_words(quarter_of(row.period))
        parts = []
        for column, (name, colour) in QUARTER_MEASURES.items():
            amount = getattr(row, column)
            value = 0.0 if pd.isna(amount) else float(amount)
            parts.append(
                Part(
                    value,
                    colour,
                    f"{quarter} · {name}: {format_money(amount, currency, full=True)}",
                    format_value(amount, "money", currency),
                )
            )
        stacks.append(Stack(quarter, tuple(parts)))
    legend = tuple(QUARTER_MEASURES.values())
    return columns_html(
        stacks, Chart("Forecast and quota per quarter", legend), grouped=True, height_px=220
    )


def forecast_band(
    points: pd.DataFrame, currency: str, title: str = "Bookings", height: int = 300
) -> alt.LayerChart:
    """Returns actual bookings (dots+line), the forecast line and its uncertainty band.

    Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future.
    """
    base = alt.Chart(points).encode(x=alt.X("ds:T", title=None))
    band = base.mark_area(opacity=0.25, color="#4c78a8").encode(
        y=alt.Y("yhat_lower:Q", title=title, axis=money_axis(currency, compact=False)),
        y2="yhat_upper:Q",
    )
    fitted = base.mark_line(color="#4c78a8", strokeDash=[4, 3]).encode(
        y="yhat:Q",
        tooltip=[
            alt.Tooltip("ds:T", title="period"),
            money_tooltip("yhat:Q", "forecast", currency),
            money_tooltip("yhat_lower:Q", "low", currency),
            money_tooltip("yhat_upper:Q", "high", currency),
        ],
    )
    actual = (
        alt.Chart(points.dropna(subset=["actual"]))
        .mark_line(point=True, color="#e45756")
        .encode(
            x="ds:T",
            y="actual:Q",
            tooltip=[
                alt.Tooltip("ds:T", title="period"),
                money_tooltip("actual:Q", "actual", currency),
            ],
        )
    )
    return (band + fitted + actual).properties(height=height)


def components_chart(components: pd.DataFrame, currency: str) -> alt.FacetChart:
    """Returns one small line chart per Prophet component (trend, yearly, quarterly, holidays).

    Requires columns ds and one column per component; all-zero components are left out.
    """
    names = [c for c in components.columns if c != "ds" and components[c].abs().sum() > 0]
    long = components.melt("ds", value_vars=names, var_name="component", value_name="value")
    return (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("ds:T", title=None),
            y=alt.Y("value:Q", title=None, axis=money_axis(currency)),
            tooltip=["component:N", "ds:T", money_tooltip("value:Q", "value", currency)],
        )
        .properties(height=130, width=300)
        .facet(facet=alt.Facet("component:N", title=None, sort=names), columns=2)
        .resolve_scale(y="independent")
    )


def small_multiples(table: pd.DataFrame, currency: str, columns: int = 3) -> alt.FacetChart:
    """Returns one actual+forecast panel per scope.

    Requires columns scope, ds, actual, yhat, yhat_lower, yhat_upper.
    """
    base = alt.Chart(table).encode(x=alt.X("ds:T", title=None))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("yhat_lower:Q", title=None, axis=money_axis(currency)), y2="yhat_upper:Q"
    )
    line = base.mark_line(strokeDash=[4, 3]).encode(y="yhat:Q")
    actual = base.mark_line(color="#e45756").encode(y="actual:Q")
    return (
        (band + line + actual)
        .properties(height=140, width=240)
        .facet(facet=alt.Facet("scope:N", title=None), columns=columns)
        .resolve_scale(y="independent")
    )


def quarter_bars(quarters: pd.DataFrame, currency: str) -> alt.Chart:
    """Returns grouped bars of pipeline-weighted forecast, Prophet forecast and quota per quarter.

    Requires columns period, pipeline_forecast, forecast, quota.
    """
    labels = {
        "pipeline_forecast": "Pipeline-weighted",
        "forecast": "Prophet",
        "quota": "Quota",
    }
    ordered = quarters.sort_values("period")
    names = [quarter_words(quarter_of(p)) for p in ordered["period"]]
    long = ordered.assign(quarter=names).melt(
        "quarter", value_vars=list(labels), var_name="measure", value_name="amount"
    )
    long["measure"] = long["measure"].map(labels)
    return (
        alt.Chart(long.dropna(subset=["amount"]))
        .mark_bar()
        .encode(
            x=alt.X("quarter:N", title=None, sort=names),  # in time order, not as text
            xOffset=alt.XOffset("measure:N", sort=list(labels.values())),
            y=alt.Y("amount:Q", title=None, axis=money_axis(currency)),
            color=alt.Color("measure:N", sort=list(labels.values()), title=None),
            tooltip=["quarter:N", "measure:N", money_tooltip("amount:Q", "amount", currency)],
        )
        .properties(height=240)
    )
