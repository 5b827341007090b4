"""The Forecast page's Overview headline: next quarter's forecast against quota."""

from __future__ import annotations

import streamlit as st

from salesops.forecast_report import build_forecast_report, forecast_inputs
from salesops.ui.cache import cached_call
from salesops.ui.filters import Filters
from salesops.ui.forecast_ui import quarter_tiles
from salesops.ui.nav import page_link


def forecast_headline(filters: Filters) -> None:
    """Draws this and next quarter's monthly forecast vs quota for the Overview's scope."""
    inputs = cached_call(forecast_inputs, "M", filters.scope, None, False)
    report = build_forecast_report(inputs, 6, backtest=False)
    if report.main.method == "none":
        st.caption("No won bookings yet: nothing to forecast.")
        return
    quarter_tiles(report.vs_quota)
    if report.main.method != "prophet":
        st.caption(f"Baseline forecast: {report.main.reason}.")
    page_link(
        "pages/forecast.py", "Forecast: backtest, pipeline and what-if", ":material/query_stats:"
    )
