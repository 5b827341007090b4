"""Forecast page widgets: pickers (kept in the URL), quarter tiles, what-if fragment, headline.

The headline is the page's contribution to the Overview: next quarter's forecast against
quota (salesops.ui.overview lists it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from salesops.charts import forecast as forecast_charts
from salesops.config import Settings
from salesops.forecast.frequency import MONTH
from salesops.forecast.params import ProphetParams
from salesops.forecast.report import (
    ForecastReport,
    build_forecast_report,
    forecast_inputs,
    what_if_view,
)
from salesops.forecast.what_if import WhatIf
from salesops.formatting import EM_DASH, format_value
from salesops.repository import EVERYTHING, Scope
from salesops.ui.cache import cached_call, settings
from salesops.ui.filters import Filters
from salesops.ui.nav import page_link
from salesops.ui.url_state import UrlReader, warn_ignored, write_params

HOLIDAY_CHOICES = ["", "US", "GB", "DE", "FR", "CA", "AU", "IN", "BR", "JP"]
FREQ_LABELS = {"M": "Month", "W": "Week"}


@dataclass(frozen=True)
class ForecastChoice:
    """What the user picked on the Forecast page."""

    freq: str
    horizon: int
    scope: Scope
    scope_token: str
    params: ProphetParams


def scope_choices(territories: pd.DataFrame, segments: list[str]) -> dict[str, str]:
    """Returns token -> label for the scope picker: all, each territory, each segment."""
    choices = {"all": "Whole company"}
    for row in territories.itertuples(index=False):
        choices[f"t{row.id}"] = f"Territory: {row.name}"
    for segment in segments:
        choices[f"s:{segment}"] = f"Segment: {segment}"
    return choices


def scope_of(token: str) -> Scope:
    """Returns the Scope a picker token stands for."""
    if token.startswith("t") and token[1:].isdigit():
        return Scope(territory_ids=(int(token[1:]),))
    if token.startswith("s:"):
        return Scope(segments=(token[2:],))
    return EVERYTHING


def _from_url(choices: dict[str, str], config: Settings) -> None:
    """Seeds the pickers from the URL once; invalid values fall back with a warning."""
    if st.session_state.get("forecast.initialised"):
        return
    url = UrlReader()
    freq = url.choice("freq", list(FREQ_LABELS), config.forecast_freq)
    horizon = url.int_value("horizon", config.forecast_horizon, 1, config.forecast_max_horizon)
    token = url.choice("scope", list(choices), "all")
    st.session_state.update(
        {
            "forecast.freq": freq,
            "forecast.horizon": horizon,
            "forecast.scope": token,
            "forecast.problems": url.problems,
            "forecast.initialised": True,
        }
    )


def pickers(territories: pd.DataFrame, segments: list[str]) -> ForecastChoice:
    """Draws frequency, horizon, scope and model options; returns the choice (also in the URL)."""
    config = settings()
    choices = scope_choices(territories, segments)
    _from_url(choices, config)
    warn_ignored(st.session_state.get("forecast.problems") or [])
    left, middle, right = st.columns([1, 1, 2])
    freq = left.segmented_control(
        "Frequency",
        list(FREQ_LABELS),
        format_func=lambda code: FREQ_LABELS[code],
        key="forecast.freq",
        required=True,
    )
    freq = freq or config.forecast_freq
    unit = "months" if freq == MONTH.code else "weeks"
    horizon = middle.number_input(
        f"Horizon ({unit})",
        min_value=1,
        max_value=config.forecast_max_horizon,
        step=1,
        key="forecast.horizon",
    )
    token = right.selectbox(
        "Scope", list(choices), format_func=lambda t: choices[t], key="forecast.scope"
    )
    token = token or "all"
    write_params({"freq": freq, "horizon": str(horizon), "scope": token}, replace=False)
    return ForecastChoice(freq, int(horizon), scope_of(token), token, _model_options(config))


def _model_options(config: Settings) -> ProphetParams:
    """Draws the model options (seasonality, holidays); returns the Prophet settings."""
    with st.expander("Model options"):
        a, b, c = st.columns(3)
        quarterly = a.checkbox(
            "Quarterly seasonality",
            value=config.forecast_quarterly_seasonality,
            key="forecast.quarterly",
        )
        multiplicative = b.checkbox(
            "Multiplicative seasonality",
            value=config.forecast_seasonality_mode == "multiplicative",
            key="forecast.multiplicative",
            help="Seasonal swings grow with the level of bookings.",
        )
        holidays = c.selectbox(
            "Holidays (country)",
            HOLIDAY_CHOICES,
            key="forecast.holidays",
            format_func=lambda code: code or "none",
            help="Prophet's built-in holidays; effective on weekly data.",
        )
    return ProphetParams(
        quarterly=quarterly,
        seasonality_mode="multiplicative" if multiplicative else "additive",
        country_holidays=holidays or None,
    )


def quarter_tiles(vs_quota: pd.DataFrame, currency: str) -> None:
    """Draws forecast vs quota per quarter as metric tiles (attainment %, gap)."""
    for column, row in zip(st.columns(len(vs_quota)), vs_quota.itertuples(), strict=True):
        quarter = row.period.to_period("Q")
        attainment = EM_DASH if pd.isna(row.attainment) else f"{row.attainment:.0%} of quota"
        gap = None if pd.isna(row.gap) else row.gap
        gap_text = None
        if gap is not None:
            word = "short of" if gap > 0 else "above"
            gap_text = f"{format_value(abs(gap), 'money', currency)} {word} quota"
        column.metric(
            f"{quarter} forecast",
            format_value(None if pd.isna(row.forecast) else row.forecast, "money", currency),
            delta=gap_text,
            # A shortfall points down and shows red; beating quota points up in green.
            delta_color="red" if gap is not None and gap > 0 else "green",
            delta_arrow="down" if gap is not None and gap > 0 else "up",
            border=True,
        )
        quota = format_value(row.quota, "money", currency)
        column.caption(row.reason or f"{attainment}; quota {quota}")


@st.fragment
def what_if_panel(report: ForecastReport, currency: str) -> None:
    """Sliders that re-price the fitted forecast (no refit, no query) and redraw the result."""
    a, b, c, e = st.columns(4)
    win = a.slider("Win rate change", -50, 50, 0, 5, format="%d%%", key="forecast.win_rate")
    cycle = b.slider("Sales cycle change (days)", -60, 60, 0, 5, key="forecast.cycle")
    reps = c.slider("Reps added / removed", -10, 10, 0, 1, key="forecast.reps")
    size = e.slider("Average deal size change", -50, 50, 0, 5, format="%d%%", key="forecast.size")
    ramp = report.ramp.fractions if report.ramp is not None else ()
    what_if = WhatIf(win / 100, cycle, reps, ramp, size / 100)
    points, vs_quota = what_if_view(report, what_if)
    st.caption(
        f"{report.base_reps} reps selling in this scope today. Removed reps stop at once; "
        "added reps ramp along the measured ramp: "
        + (report.ramp.describe() if report.ramp is not None else "none known.")
        + " A longer cycle moves bookings later."
    )
    st.altair_chart(forecast_charts.forecast_band(points, currency, "Adjusted bookings"))
    quarter_tiles(vs_quota, currency)


def forecast_headline(filters: Filters) -> None:
    """Draws this and next quarter's monthly forecast vs quota for the Overview's scope."""
    config = settings()
    inputs = cached_call(forecast_inputs, MONTH.code, filters.scope, None, False)
    report = build_forecast_report(inputs, config.forecast_horizon, backtest=False)
    if report.main.method == "none":
        st.caption("No won bookings yet: nothing to forecast.")
        return
    quarter_tiles(report.vs_quota, config.currency)
    if report.main.method != "prophet":
        st.caption(f"Baseline forecast: {report.main.reason}.")
    page_link(
        "pages/forecast.py", "Forecast: backtest, pipeline and what-if", ":material/query_stats:"
    )
