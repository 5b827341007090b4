"""Forecast page widgets: pickers (kept in the URL), quarter tiles, what-if fragment, headline.

The headline is the page's contribution to the Overview: next quarter's forecast against
quota (salesops.ui.overview lists it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from salesops.calendar import quarter_of, quarter_words
from salesops.charts import forecast as forecast_charts
from salesops.config import Settings
from salesops.forecast.frequency import MONTH
from salesops.forecast.params import ProphetParams, page_params
from salesops.forecast.report import (
    ForecastReport,
    build_forecast_report,
    forecast_inputs,
    what_if_view,
)
from salesops.forecast.stored import StoredCache
from salesops.forecast.what_if import WhatIf
from salesops.formatting import EM_DASH, format_value
from salesops.repository import Scope
from salesops.ui.cache import cached_from, prefetch, repository, settings
from salesops.ui.charts import draw_chart
from salesops.ui.figure_table import Tile, draw_figures
from salesops.ui.filters import Filters
from salesops.ui.lazy import kept_choices
from salesops.ui.nav import page_link
from salesops.ui.url_state import UrlReader, keep_across_pages, warn_ignored, write_params

HOLIDAY_CHOICES = ["", "US", "GB", "DE", "FR", "CA", "AU", "IN", "BR", "JP"]
FREQ_LABELS = {"M": "Month", "W": "Week"}


@dataclass(frozen=True)
class ForecastChoice:
    """What the user picked on the Forecast page."""

    freq: str
    horizon: int
    scope: Scope
    scope_label: str
    params: ProphetParams


def fit_cache() -> StoredCache:
    """Returns the forecast cache pages fit through: this process's fits, then those stored.

    Stored results are the whole company's default views, fitted on load and import
    (salesops.forecast.stored), so they never wait for Prophet; a viewer who sees less, or
    any other choice, is fitted once and kept in this process.
    """
    repo = repository()
    if not repo.visible.is_everything:
        return StoredCache(lambda key: None)
    return StoredCache(repo.stored_forecast)


def _from_url(config: Settings) -> None:
    """Seeds the pickers from the URL once; invalid values fall back with a warning."""
    if st.session_state.get("forecast.initialised"):
        return
    url = UrlReader()
    freq = url.choice("freq", list(FREQ_LABELS), config.forecast_freq)
    horizon = url.int_value("horizon", config.forecast_horizon, 1, config.forecast_max_horizon)
    st.session_state.update(
        {
            "forecast.freq": freq,
            "forecast.horizon": horizon,
            "forecast.problems": url.problems,
            "forecast.initialised": True,
        }
    )


WEEKS_PER_MONTH = 52 / 12


def horizon_in(freq: str, horizon: int, previous: str, most: int) -> int:
    """Returns the horizon covering the same span in `freq` as `horizon` did in `previous`."""
    if freq == previous:
        return horizon
    span = horizon * WEEKS_PER_MONTH if freq != MONTH.code else horizon / WEEKS_PER_MONTH
    return max(1, min(most, round(span)))


# The horizon chosen, seeded from the URL. Not the input's key: the input is drawn only while
# "Horizon and model options" is open, and Streamlit forgets a widget's key in a run that
# does not draw it (the input's key names its unit, so a Month/Week switch draws it afresh).
HORIZON = "forecast.horizon"


def _horizon(config: Settings) -> int:
    """Returns the horizon chosen (in the frequency's periods), else Settings' default."""
    return int(st.session_state.get(HORIZON) or config.forecast_horizon)


def _keep_horizon_span() -> None:
    """On a Month/Week switch, converts the horizon so it covers the same stretch of time."""
    config = settings()
    freq = st.session_state.get("forecast.freq") or config.forecast_freq
    previous = MONTH.code if freq != MONTH.code else "W"
    st.session_state[HORIZON] = horizon_in(
        freq, _horizon(config), previous, config.forecast_max_horizon
    )


def pickers(filters: Filters) -> ForecastChoice:
    """Draws frequency, horizon and model options; returns the choice (also in the URL).

    The scope is the shared filters' (territory, segment, team, rep). The horizon's input is
    drawn with the model options, once "Horizon and model options" is opened (issue 21: a
    number input loads its own dozen scripts and costs a new tab its drawing); the page says
    the horizon in words beside the frequency.
    """
    config = settings()
    _from_url(config)
    keep_across_pages("forecast.freq")
    warn_ignored(st.session_state.get("forecast.problems") or [])
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    freq = left.segmented_control(
        "Frequency",
        list(FREQ_LABELS),
        format_func=lambda code: FREQ_LABELS[code],
        key="forecast.freq",
        required=True,
        on_change=_keep_horizon_span,
    )
    freq = freq or config.forecast_freq
    unit = "months" if freq == MONTH.code else "weeks"
    said = right.empty()  # the horizon in words, once the options below have said it
    horizon, params = _model_options(config, unit)
    said.caption(
        f"Forecast {horizon} {unit[:-1] if horizon == 1 else unit} ahead "
        "(change it under “Horizon and model options”)."
    )
    write_params({"freq": freq, "horizon": str(horizon)})
    return ForecastChoice(freq, horizon, filters.scope, filters.scope_label, params)


OPTIONS_OPEN = "forecast.options_open"  # the lazy expander: horizon and model options
OPTIONS = "forecast.model_options"  # what those widgets last said, kept while not drawn


def _model_options(config: Settings, unit: str) -> tuple[int, ProphetParams]:
    """Draws the horizon and the model options; returns (horizon, the Prophet settings).

    The widgets are drawn once "Horizon and model options" is opened (issue 21: a number
    input, two checkboxes and a selectbox, closed, still cost a cold new tab their scripts
    and drawing); what they last said is kept in the session, the horizon under HORIZON.
    """
    horizon = _horizon(config)

    def widgets(chosen: dict) -> dict:
        nonlocal horizon
        horizon = int(
            st.number_input(
                f"Horizon ({unit})",
                min_value=1,
                max_value=config.forecast_max_horizon,
                value=horizon,
                step=1,
                key=f"forecast.horizon_{unit}",
            )
        )
        st.session_state[HORIZON] = horizon
        return _option_widgets(chosen)

    start = page_params(config)
    options: dict = {
        "quarterly": start.quarterly,
        "multiplicative": start.seasonality_mode == "multiplicative",
        "holidays": start.country_holidays or "",
    }
    chosen = kept_choices("Horizon and model options", OPTIONS_OPEN, OPTIONS, options, widgets)
    return horizon, replace(
        start,
        quarterly=chosen["quarterly"],
        seasonality_mode="multiplicative" if chosen["multiplicative"] else "additive",
        country_holidays=chosen["holidays"] or None,
    )


def _option_widgets(chosen: dict) -> dict:
    """Draws the seasonality and holiday widgets from `chosen`; returns what they say."""
    a, b, c = st.columns(3)
    quarterly = a.checkbox("Quarterly seasonality", value=chosen["quarterly"],
                           key="forecast.quarterly")  # fmt: skip
    multiplicative = b.checkbox(
        "Multiplicative seasonality",
        value=chosen["multiplicative"],
        key="forecast.multiplicative",
        help="Seasonal swings grow with the level of bookings.",
    )
    holidays = c.selectbox(
        "Holidays (country)",
        HOLIDAY_CHOICES,
        index=HOLIDAY_CHOICES.index(chosen["holidays"])
        if chosen["holidays"] in HOLIDAY_CHOICES
        else 0,
        key="forecast.holidays",
        format_func=lambda code: code or "none",
        help="Prophet's built-in holidays; effective on weekly data.",
    )
    return {"quarterly": quarterly, "multiplicative": multiplicative, "holidays": holidays or ""}


def quarter_figures(vs_quota: pd.DataFrame, currency: str) -> list[Tile]:
    """Returns forecast vs quota per quarter: the forecast, its gap to quota and attainment.

    A shortfall's note is "bad" (red), beating quota "good" (green).
    """
    tiles = []
    for row in vs_quota.itertuples():
        quarter = quarter_words(quarter_of(row.period))
        attainment = EM_DASH if pd.isna(row.attainment) else f"{row.attainment:.0%} of quota"
        gap = None if pd.isna(row.gap) else row.gap
        gap_text = None
        if gap is not None:
            word = "short of" if gap > 0 else "above"
            gap_text = f"{format_value(abs(gap), 'money', currency)} {word} quota"
        quota = format_value(row.quota, "money", currency)
        tiles.append(
            Tile(
                f"{quarter} forecast",
                format_value(None if pd.isna(row.forecast) else row.forecast, "money", currency),
                note=gap_text,
                tone="bad" if gap is not None and gap > 0 else "good",
                caption=row.reason or f"{attainment}; quota {quota}",
            )
        )
    return tiles


def quarter_tiles(vs_quota: pd.DataFrame, currency: str) -> None:
    """Draws forecast vs quota per quarter (gap, attainment) as one figure table.

    Not st.metric tiles (issue 21): with the call's panel also a table, the Forecast page
    draws no metric tile at first paint.
    """
    draw_figures(quarter_figures(vs_quota, currency))


@st.fragment
def what_if_panel(report: ForecastReport, currency: str) -> None:
    """Sliders that re-price the fitted forecast (no refit, no query) and redraw the result."""
    a, b, c, e = st.columns(4)
    win = a.slider(
        "Win rate change (relative %)",
        -50,
        50,
        0,
        5,
        format="%d%%",
        key="forecast.win_rate",
        help="A relative change, not percentage points: +10% turns a 30% win rate into 33%.",
    )
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
    future = points[points["is_future"].astype(bool)]
    draw_chart(forecast_charts.forecast_band(future, currency, "Adjusted bookings"))
    st.caption("The forecast horizon only; the tiles show each quarter against the baseline.")
    versus_baseline_tiles(report.vs_quota, vs_quota, currency)


def versus_baseline_tiles(baseline: pd.DataFrame, adjusted: pd.DataFrame, currency: str) -> None:
    """Draws each quarter's adjusted forecast with its change against the baseline forecast."""
    pairs = zip(baseline.itertuples(), adjusted.itertuples(), strict=True)
    for column, (base, row) in zip(st.columns(len(adjusted)), pairs, strict=True):
        quarter = quarter_words(quarter_of(row.period))
        if pd.isna(row.forecast) or pd.isna(base.forecast):
            column.metric(f"{quarter} what-if", EM_DASH, border=True)
            continue
        change = float(row.forecast) - float(base.forecast)
        sign = "+" if change >= 0 else "−"
        column.metric(
            f"{quarter} what-if",
            format_value(float(row.forecast), "money", currency),
            delta=f"{sign}{format_value(abs(change), 'money', currency)} vs baseline",
            delta_color="off" if change == 0 else "normal",
            border=True,
        )


def _monthly_inputs(scope: Scope) -> tuple:
    """Returns forecast_inputs' arguments for the monthly forecast of `scope`."""
    return (MONTH.code, scope, None, False)


def prefetch_monthly_forecast(scope: Scope) -> None:
    """Starts reading the monthly forecast's inputs (salesops.ui.cache.prefetch)."""
    prefetch(forecast_inputs, *_monthly_inputs(scope))


def monthly_forecast(scope: Scope, horizon: int) -> ForecastReport:
    """Returns the monthly forecast of `scope` without backtest (Overview, the call's view).

    Kept across reruns and sessions with its inputs (salesops.ui.cache.cached_from).
    """
    inputs = ((forecast_inputs, _monthly_inputs(scope)),)
    return cached_from(
        build_forecast_report, inputs, horizon, backtest=False, unhashed={"cache": fit_cache()}
    )


def forecast_headline(filters: Filters) -> None:
    """Draws this and next quarter's monthly forecast vs quota for the Overview's scope."""
    config = settings()
    report = monthly_forecast(filters.scope, config.forecast_horizon)
    if report.bookings_reason is None and report.main.method == "none":
        st.caption("No won bookings yet: nothing to forecast.")
        return
    # without amounts: "—", each saying why in a few words (the bookings headline says it in full)
    draw_figures(quarter_figures(report.vs_quota, config.currency))
    if report.bookings_reason is not None:
        return
    if report.main.method != "prophet":
        st.caption(f"Baseline forecast: {report.main.reason}.")
    page_link(
        "pages/forecast.py", "Forecast: backtest, pipeline and what-if", ":material/query_stats:"
    )
