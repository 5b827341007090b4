"""Prophet fits: the forecast with its band and components, and the point forecast alone.

Prophet is imported on the first fit, not with this module: a history too short for
Prophet (or a page that never fits) never pays for the import. The class used is
`FastProphet` (salesops.forecast.fast_prophet), Prophet with exact, cheaper internals.
"""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

import numpy as np
import pandas as pd

from salesops.forecast.frequency import Frequency, frequency, future_dates
from salesops.forecast.params import DEFAULT_PARAMS, ProphetParams
from salesops.forecast.workers import register_after_fork

QUARTERLY_PERIOD_DAYS = 91.3125
# Fourier orders (yearly, quarterly) when ProphetParams leaves them None; twelve points a
# year cannot pin down higher harmonics (see fit_predict_prophet).
FOURIER_ORDERS = {"W": (10, 3), "M": (5, 1)}
_PROPHET_LOCK = threading.Lock()
_prophet_class: Any = None


def prophet_class() -> Any:
    """Returns the Prophet class (`FastProphet`), imported once with logging quietened."""
    global _prophet_class
    if _prophet_class is None:
        logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "plotly failed" notice
        from cmdstanpy.utils import get_logger

        from salesops.forecast.fast_prophet import FastProphet

        # Prophet 1.5 still calls pandas' deprecated inplace= arguments; not ours to fix.
        warnings.filterwarnings("ignore", message="The inplace keyword", module=r"prophet\.")
        # cmdstanpy sets its own logger to DEBUG on first use; create it now, then quieten it.
        get_logger().setLevel(logging.WARNING)
        for name in ("prophet", "prophet.models", "prophet.forecaster"):
            logging.getLogger(name).setLevel(logging.WARNING)
        _prophet_class = FastProphet
    return _prophet_class


def fit_predict_prophet(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = DEFAULT_PARAMS,
    with_band: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns Prophet's fitted + future values and its components for one series.

    Yearly seasonality always; quarterly (period 91.3125 days) and country holidays
    when asked. Weekly/daily seasonality is off (one point per week or month). On
    monthly data the Fourier orders default low (yearly 5, quarterly 1): twelve
    points a year cannot pin down higher harmonics, and with order 10 the optimiser
    crawls (36 s instead of 0.3 s on a 30-month series, measured).

    Args:
        series: Requires columns ds and y, regular, ≥ 2 rows (see `check_history`).
        freq: "W" or "M".
        horizon: future periods.
        params: Prophet settings.
        with_band: False skips uncertainty sampling (backtests); the band then equals yhat.

    Returns:
        (points, components): points has columns ds, yhat, yhat_lower, yhat_upper for
        history and future; components has ds, trend, yearly, quarterly, holidays
        (0.0 for a component not in the model).

    Raises:
        ValueError: with fewer than two rows (Prophet cannot fit).
    """
    spec = frequency(freq)
    model, history = _fitted_model(series, spec, params, with_band)
    future = pd.DataFrame(
        {
            "ds": np.concatenate(
                [
                    history["ds"].to_numpy(),
                    future_dates(history["ds"].iloc[-1], horizon, spec).to_numpy(),
                ]
            )
        }
    )
    # Prophet samples the band from numpy's global generator: seed it under a lock so the
    # same input gives the same band (and cache hits equal fresh fits) across threads.
    with _PROPHET_LOCK:
        np.random.seed(params.seed)
        predicted = model.predict(future)
    yhat = predicted["yhat"].to_numpy()
    points = pd.DataFrame(
        {
            "ds": predicted["ds"].astype("datetime64[ns]"),
            "yhat": yhat,
            "yhat_lower": predicted["yhat_lower"].to_numpy() if with_band else yhat,
            "yhat_upper": predicted["yhat_upper"].to_numpy() if with_band else yhat,
        }
    )
    components = pd.DataFrame({"ds": points["ds"]})
    for name in ("trend", "yearly", "quarterly", "holidays"):
        components[name] = predicted[name].to_numpy(dtype="float64") if name in predicted else 0.0
    return points, components


def _fitted_model(
    series: pd.DataFrame, spec: Frequency, params: ProphetParams, with_band: bool
) -> tuple[Any, pd.DataFrame]:
    """Returns (Prophet fitted to the series, the history frame it was fitted on)."""
    if len(series) < 2:
        raise ValueError("Prophet needs at least two points.")
    default_yearly, default_quarterly = FOURIER_ORDERS[spec.code]
    yearly_order = params.yearly_fourier_order or default_yearly
    quarterly_order = params.quarterly_fourier_order or default_quarterly
    model = prophet_class()(
        growth="linear",
        yearly_seasonality=yearly_order,
        weekly_seasonality=False,
        daily_seasonality=False,
        seasonality_mode=params.seasonality_mode,
        changepoint_prior_scale=params.changepoint_prior_scale,
        interval_width=params.interval_width,
        uncertainty_samples=params.uncertainty_samples if with_band else 0,
    )
    if params.quarterly:
        model.add_seasonality(
            name="quarterly",
            period=QUARTERLY_PERIOD_DAYS,
            fourier_order=quarterly_order,
        )
    if params.country_holidays:
        model.add_country_holidays(country_name=params.country_holidays.upper())
    history = pd.DataFrame({"ds": series["ds"].to_numpy(), "y": series["y"].to_numpy()})
    model.fit(history, algorithm=params.algorithm)
    return model, history


def prophet_point_forecast(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = DEFAULT_PARAMS,
) -> np.ndarray:
    """Returns Prophet's yhat for the `horizon` periods after the series (no band, no history).

    What a backtest cutoff needs: the same fit as `fit_predict_prophet(..., with_band=False)`
    and the same future values, computed without Prophet's frame of every component
    where `FastProphet.predict_yhat` applies.
    """
    spec = frequency(freq)
    model, history = _fitted_model(series, spec, params, with_band=False)
    dates = future_dates(history["ds"].iloc[-1], horizon, spec)
    if model.can_predict_yhat():  # FastProphet (see prophet_class)
        return model.predict_yhat(dates)
    return model.predict(pd.DataFrame({"ds": dates}))["yhat"].to_numpy()


def _renew_prophet_lock() -> None:
    """Replaces the band-sampling lock (a forked worker may inherit it held)."""
    global _PROPHET_LOCK
    _PROPHET_LOCK = threading.Lock()


register_after_fork(_renew_prophet_lock)
