"""Forecast page widgets: the pickers (kept in the URL), quarter tiles and the what-if fragment."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from salesops import forecast as fc
from salesops.charts import forecast as forecast_charts
from salesops.forecast_report import ForecastReport, what_if_view
from salesops.formatting import EM_DASH, format_value
from salesops.repository import EVERYTHING, Scope

HOLIDAY_CHOICES = ["", "US", "GB", "DE", "FR", "CA", "AU", "IN", "BR", "JP"]
FREQ_LABELS = {"M": "Month", "W": "Week"}


@dataclass(frozen=True)
class ForecastChoice:
    """What the user picked on the Forecast page."""

    freq: str
    horizon: int
    scope: Scope
    scope_token: str
    params: fc.ProphetParams


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


def _from_url(choices: dict[str, str]) -> None:
    """Seeds the pickers from st.query_params once; invalid values fall back with a warning."""
    if st.session_state.get("forecast.initialised"):
        return
    params, problems = st.query_params, []
    freq = params.get("freq", "M")
    if freq not in FREQ_LABELS:
        problems.append(f"freq {freq!r}")
        freq = "M"
    horizon_text = params.get("horizon", "6")
    horizon = int(horizon_text) if horizon_text.isdigit() else 0
    if not 1 <= horizon <= 104:
        problems.append(f"horizon {horizon_text!r}")
        horizon = 6
    token = params.get("scope", "all")
    if token not in choices:
        problems.append(f"scope {token!r}")
        token = "all"
    st.session_state.update(
        {
            "forecast.freq": freq,
            "forecast.horizon": horizon,
            "forecast.scope": token,
            "forecast.problems": problems,
            "forecast.initialised": True,
        }
    )


def pickers(territories: pd.DataFrame, segments: list[str]) -> ForecastChoice:
    """Draws frequency, horizon, scope and model options; returns the choice (also in the URL)."""
    choices = scope_choices(territories, segments)
    _from_url(choices)
    if st.session_state.get("forecast.problems"):
        problems = ", ".join(st.session_state["forecast.problems"])
        st.warning(f"Ignored {problems} in the link; showing defaults.")
    left, middle, right = st.columns([1, 1, 2])
    freq = left.segmented_control(
        "Frequency",
        list(FREQ_LABELS),
        format_func=FREQ_LABELS.get,
        key="forecast.freq",
        required=True,
    )
    unit = "months" if freq == "M" else "weeks"
    horizon = middle.number_input(
        f"Horizon ({unit})", min_value=1, max_value=104, step=1, key="forecast.horizon"
    )
    token = right.selectbox("Scope", list(choices), format_func=choices.get, key="forecast.scope")
    with st.expander("Model options"):
        a, b, c = st.columns(3)
        quarterly = a.checkbox("Quarterly seasonality", value=True, key="forecast.quarterly")
        multiplicative = b.checkbox(
            "Multiplicative seasonality",
            value=False,
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
    st.query_params.update({"freq": freq, "horizon": str(horizon), "scope": token})
    params = fc.ProphetParams(
        quarterly=quarterly,
        seasonality_mode="multiplicative" if multiplicative else "additive",
        country_holidays=holidays or None,
    )
    return ForecastChoice(freq, int(horizon), scope_of(token), token, params)


def quarter_tiles(vs_quota: pd.DataFrame, currency: str = "USD") -> None:
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
        column.caption(row.reason or f"{attainment}; quota {format_value(row.quota, 'money')}")


@st.fragment
def what_if_panel(report: ForecastReport, currency: str = "USD") -> None:
    """Sliders that re-price the fitted forecast (no refit, no query) and redraw the result."""
    a, b, c, d, e = st.columns(5)
    win = a.slider("Win rate change", -50, 50, 0, 5, format="%d%%", key="forecast.win_rate")
    cycle = b.slider("Sales cycle change (days)", -60, 60, 0, 5, key="forecast.cycle")
    reps = c.slider("Reps added / removed", -10, 10, 0, 1, key="forecast.reps")
    ramp = d.slider("New-rep ramp (months)", 0, 12, 3, 1, key="forecast.ramp")
    size = e.slider("Average deal size change", -50, 50, 0, 5, format="%d%%", key="forecast.size")
    what_if = fc.WhatIf(win / 100, cycle, reps, ramp, size / 100)
    points, vs_quota = what_if_view(report, what_if)
    st.caption(
        f"{report.base_reps} reps selling in this scope today. Removed reps stop at once; "
        "added reps ramp linearly. A longer cycle moves bookings later."
    )
    st.altair_chart(forecast_charts.forecast_band(points, "Adjusted bookings"))
    quarter_tiles(vs_quota, currency)
