"""Baselines: naive (repeat the last value) and seasonal naive (repeat last year).

Bands follow Hyndman & Athanasopoulos, Forecasting: Principles and Practice (3rd ed.), 5.5.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.forecast.frequency import Frequency, frequency, future_dates


def z_score(interval_width: float) -> float:
    """Returns the normal quantile whose central band covers `interval_width` (0.8 -> 1.28)."""
    return NormalDist().inv_cdf(0.5 + interval_width / 2)


def seasonal_naive_forecast(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    interval_width: float = Settings.forecast_interval_width,
    season_length: int | None = None,
) -> pd.DataFrame:
    """Returns the seasonal-naive forecast: each future period repeats the same period a year back.

    The band follows Hyndman & Athanasopoulos (FPP3 5.5): sigma of the seasonal
    differences times sqrt(k + 1), k = whole seasons ahead.

    Args:
        series: Requires columns ds and y, regular, with at least one season of points.
        freq: "W" or "M".
        horizon: periods to forecast.
        interval_width: coverage of the band (0.8 = 80 %).
        season_length: override the season (12 months / 52 weeks).

    Returns:
        A frame with columns ds, yhat, yhat_lower, yhat_upper for the future periods.

    Raises:
        ValueError: when the series is shorter than one season.
    """
    spec = frequency(freq)
    m = season_length or spec.season_length
    y = series["y"].to_numpy(dtype="float64")
    if len(y) < m:
        raise ValueError(f"seasonal naive needs ≥ {m} points, got {len(y)}")
    steps = np.arange(1, horizon + 1)
    last_season = y[-m:]
    yhat = last_season[(steps - 1) % m]
    diffs = y[m:] - y[:-m]
    sigma = float(np.sqrt(np.mean(diffs**2))) if len(diffs) else 0.0
    k = (steps - 1) // m
    half = z_score(interval_width) * sigma * np.sqrt(k + 1)
    dates = future_dates(series["ds"].iloc[-1], horizon, spec)
    return pd.DataFrame(
        {"ds": dates, "yhat": yhat, "yhat_lower": yhat - half, "yhat_upper": yhat + half}
    )


def naive_forecast(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    interval_width: float = Settings.forecast_interval_width,
) -> pd.DataFrame:
    """Returns the naive forecast: every future period repeats the last observed value.

    Requires columns ds and y (at least one row). Returns a frame with columns ds,
    yhat, yhat_lower, yhat_upper; the band uses sigma of one-step differences times
    sqrt(h) and is zero-width with fewer than two points.
    """
    spec = frequency(freq)
    y = series["y"].to_numpy(dtype="float64")
    steps = np.arange(1, horizon + 1)
    yhat = np.full(horizon, y[-1])
    sigma = float(np.sqrt(np.mean(np.diff(y) ** 2))) if len(y) > 1 else 0.0
    half = z_score(interval_width) * sigma * np.sqrt(steps)
    dates = future_dates(series["ds"].iloc[-1], horizon, spec)
    return pd.DataFrame(
        {"ds": dates, "yhat": yhat, "yhat_lower": yhat - half, "yhat_upper": yhat + half}
    )
