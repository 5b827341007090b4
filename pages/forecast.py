"""Forecast: Prophet bookings forecast, backtest vs seasonal naive, pipeline, quota and what-if."""

from __future__ import annotations

import streamlit as st

from salesops.charts import forecast as forecast_charts
from salesops.forecast.backtest import backtest_summary, backtest_table, poor_forecasts
from salesops.forecast.report import build_forecast_report, forecast_inputs
from salesops.repository import EVERYTHING
from salesops.ui.cache import cached_from, settings
from salesops.ui.call import call_details, call_panel, call_rollup
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.forecast import fit_cache, pickers, quarter_tiles, what_if_panel
from salesops.ui.lazy import lazy_expander, lazy_tabs
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard
from salesops.ui.tables import show_table

ensure_navigation()
st.title("Forecast")
config = settings()
with database_guard():
    filters = page_filters(uses=("territory", "segment", "team", "rep"))
    choice = pickers(filters)
    inputs = ((forecast_inputs, (choice.freq, choice.scope)),)
    with st.spinner("Fitting the forecast…"):  # kept per inputs and parameters
        report = cached_from(
            build_forecast_report, inputs, choice.horizon, None, True, choice.params,
            unhashed={"cache": fit_cache()},
        )  # fmt: skip
main = report.main
unit = "month" if report.freq == "M" else "week"
undefined = report.bookings_reason  # won deals without amounts: no forecast, no $0 charts

st.subheader("The quarter call")
with database_guard():
    call_panel(filters)
    # Each computes the call at many past instants: only when opened.
    with lazy_expander(
        "Track record, week by week, and how the call is made", "forecast.call_details"
    ) as shown:
        if shown:
            call_details(filters)
    with lazy_expander(
        "The call per team and per territory (they add up to the total)", "forecast.call_rollup"
    ) as shown:
        if shown:
            call_rollup(filters, "team")
            call_rollup(filters, "territory")

st.subheader(f"Bookings by {unit}: {md(choice.scope_label)}")
if undefined is not None:
    st.info(undefined)
elif main.method != "prophet":
    st.warning(f"Not a Prophet forecast: {main.reason}.", icon="⚠️")
for note in [*main.notes, *report.notes]:
    st.caption(f"Note: {md(note, limit=400)}.")
points = report.shown_points()
if report.amounts.caption is not None:
    st.caption(report.amounts.caption)
if points.empty and undefined is None:
    st.info("No won bookings in this scope yet, so there is nothing to forecast.")
elif not points.empty:
    # an SVG image under HTML hovers, not Vega: with the quarter bars as HTML the page's
    # first paint loads no Vega (issue 21), and st.html draws it without Streamlit's Markdown
    # parsing its HTML; each period's hover says its actual, forecast and interval in full
    interval = f"{choice.params.interval_width:.0%} interval"
    how = (
        f"Red, solid: actual won amount per {unit} (complete {unit}s up to "
        f"{report.as_of:%d %b %Y}). Blue, dashed: forecast with its "
        f"{choice.params.interval_width:.0%} uncertainty band (shaded)."
    )  # written under the chart in the same element, not a caption of its own
    st.html(forecast_charts.forecast_band_html(points, config.currency, interval, unit, how))

if not main.components.empty:
    st.subheader("Trend and seasonality")
    # Drawn when opened: each chart costs the browser about as much as the rest of a section.
    with lazy_expander(
        "The model's trend, yearly and quarterly seasonality", "forecast.parts"
    ) as shown:
        if shown:
            draw_chart(forecast_charts.components_chart(main.components, config.currency))


def backtest_section() -> None:
    """The backtest against seasonal naive: verdict, method and table."""
    st.subheader("Can you trust it? Backtest against seasonal naive")
    table = backtest_table(main.backtest)
    if undefined is not None:
        st.info("No backtest: bookings are undefined (above).")
    elif main.backtest is None or table.empty:
        st.info(main.backtest.reason if main.backtest else "No backtest.")
    else:
        verdict = main.backtest.verdict()
        if main.backtest.winner == "seasonal_naive":
            st.warning(verdict, icon="⚠️")
        else:
            st.success(verdict)
        cutoffs = ", ".join(f"{c:%d %b %Y}" for c in main.backtest.cutoffs)
        st.caption(
            f"Rolling origin: trained up to each of {cutoffs}, then scored on the next "
            f"{main.backtest.horizon} {unit}s. MAPE = mean |error| / actual (periods with 0 "
            "actual skipped); WAPE = total |error| / total actual."
        )
        show_table(table, key="forecast.backtest_table", currency=config.currency)


def quarters_section() -> None:
    """This quarter and next: pipeline-weighted, forecast and quota."""
    st.subheader("This quarter and next: pipeline, forecast and quota")
    quarters = report.quarter_table()
    quarter_tiles(report.vs_quota, config.currency)
    if undefined is None:
        st.html(forecast_charts.quarter_bars_html(quarters, config.currency))  # HTML bars
    # one caption (each Markdown element is the browser's to parse and lay out: issue 21)
    st.caption(
        "Pipeline-weighted = won so far in the quarter + open amount expected to close in it × "
        "the stage's historical win rate (the stage table's probability where fewer than "
        f"{config.min_stage_observations} closed deals passed the stage). "
        f"{report.overdue_sentence(config.currency)}\n\n"
        "Month and Week give different quarter totals: each is its own model, and a week "
        "counts in the quarter its Monday falls in, so weeks that straddle a quarter's edge "
        "move amounts between quarters. The quarter call above is the number to use for this "
        "quarter."
    )
    with lazy_expander("Stage probabilities used", "forecast.stage_probabilities") as shown:
        if shown:
            show_table(report.probabilities, key="forecast.probabilities", currency=config.currency)


def what_if_section() -> None:
    """What if the win rate, cycle, reps or deal size changed."""
    st.subheader("What if…")
    if undefined is not None:
        st.info("No what-if: bookings are undefined (above).")
    else:
        what_if_panel(report, config.currency)


def territories_section() -> None:
    """Every territory's forecast and backtest, fitted when asked for."""
    st.subheader("Every territory")
    if undefined is not None:
        st.info("No forecast per territory: bookings are undefined (above).")
    elif st.toggle("Forecast every territory", key="forecast.all_territories"):
        every_territory()


def every_territory() -> None:
    """Fits every territory and draws their small multiples and backtests."""
    with database_guard(), st.spinner("Fitting every territory…"):
        by_territory = cached_from(
            build_forecast_report, ((forecast_inputs, (choice.freq, EVERYTHING)),),
            choice.horizon, "territory", True, choice.params, unhashed={"cache": fit_cache()},
        )  # fmt: skip
    draw_chart(
        forecast_charts.small_multiples(
            by_territory.forecast_table().query("scope != @by_territory.scope_label"),
            config.currency,
        )
    )
    summary = backtest_summary(by_territory.breakdown)
    poor = poor_forecasts(summary, config.forecast_wape_warning)
    if poor:
        st.warning(
            f"Backtest WAPE above {config.forecast_wape_warning:.0%} for {', '.join(poor)}: "
            "these territories' forecasts miss by more than that on average; use them with care.",
            icon="⚠️",
        )
    show_table(
        summary,
        key="forecast.territory_backtests",
        currency=config.currency,
        columns={"scope": "Territory"},
    )


# Below the bookings chart, one section at a time: only the open tab is drawn (issue 21).
lazy_tabs(
    {
        "This quarter and next": quarters_section,
        "Can you trust it?": backtest_section,
        "What if…": what_if_section,
        "Every territory": territories_section,
    },
    key="forecast.tabs",
)

st.subheader("Download")
download_csv(report.forecast_table(), "forecast.csv", key="forecast.download")
