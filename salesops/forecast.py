"""Bookings forecasts: Prophet, a seasonal-naive baseline, backtests, pipeline and what-if.

Everything here is a pure function over small frames (no Streamlit, no SQL):

- `regular_series` turns bookings rows into a regular weekly (Monday start) or monthly series.
- `check_history` decides whether the history can carry Prophet (two yearly cycles, no
  long zero gap) or needs the seasonal-naive baseline, and says why in a sentence.
- `forecast_series` fits Prophet (or the baseline), returns the forecast with its band,
  the trend/seasonality components and, on request, a rolling-origin backtest of Prophet
  against seasonal naive (MAPE and WAPE). Results are cached by a hash of the series and
  the parameters (`ForecastCache`); `forecast_many` fits many scopes on worker processes.
- `stage_win_probabilities`, `pipeline_weighted_forecast` and `forecast_vs_quota` give the
  quarter view: open pipeline weighted by the historical stage-to-win conversion, next to
  the forecast and the quota.
- `apply_what_if` adjusts an already fitted forecast (win rate, cycle length, headcount with
  a ramp, deal size) with array arithmetic only, so a slider answers without refitting.

Undefined numbers are `None` with a reason, never 0, inf or NaN.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from salesops.parallel import parallel_map, register_after_fork

logger = logging.getLogger(__name__)

CACHE_VERSION = 2
QUARTERLY_PERIOD_DAYS = 91.3125
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Frequency:
    """A forecast frequency: its pandas alias, season length and words for messages."""

    code: str
    alias: str
    season_length: int
    quarter_length: int
    unit: str

    def offset(self) -> pd.DateOffset:
        """Returns the pandas offset of one period."""
        return pd.tseries.frequencies.to_offset(self.alias)


WEEK = Frequency("W", "W-MON", 52, 13, "week")
MONTH = Frequency("M", "MS", 12, 3, "month")
_FREQUENCIES = {"W": WEEK, "W-MON": WEEK, "WEEK": WEEK, "M": MONTH, "MS": MONTH, "MONTH": MONTH}


def frequency(freq: str | Frequency) -> Frequency:
    """Returns the `Frequency` for "W"/"W-MON"/"week" or "M"/"MS"/"month".

    Raises:
        ValueError: for any other frequency.
    """
    if isinstance(freq, Frequency):  # an unpickled copy (worker process) maps back too
        freq = freq.code
    try:
        return _FREQUENCIES[str(freq).strip().upper()]
    except KeyError:
        raise ValueError(f"Unknown frequency {freq!r}: use W (weekly) or M (monthly).") from None


def period_start(dates: pd.Series, freq: str | Frequency) -> pd.Series:
    """Returns each date floored to the start of its period (Monday of its week, 1st of month)."""
    spec = frequency(freq)
    days = pd.to_datetime(dates).astype("datetime64[ns]").dt.normalize()
    if spec == WEEK:
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days.dt.to_period("M").dt.start_time.astype("datetime64[ns]")


def regular_series(
    bookings: pd.DataFrame,
    freq: str | Frequency,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Returns bookings summed onto a regular period grid, missing periods as 0.

    A period with no won deal booked nothing, so gaps are zeros. When `as_of` is
    given, the period containing it (still running) and later ones are dropped, so a
    half-finished month does not look like a collapse.

    Args:
        bookings: Requires columns ds (any date inside the period) and y (amount).
        freq: "W" (weeks starting Monday) or "M" (months).
        start: first period of the grid (default: the earliest ds).
        end: last period of the grid (default: the latest ds).
        as_of: today; periods not complete by this date are dropped.

    Returns:
        A frame with columns ds (datetime64[ns], period start) and y (float64).
    """
    spec = frequency(freq)
    frame = bookings[["ds", "y"]].dropna(subset=["ds"])
    starts = period_start(frame["ds"], spec)
    amounts = pd.to_numeric(frame["y"], errors="coerce").fillna(0.0).astype("float64")
    summed = amounts.groupby(starts.to_numpy()).sum()
    first = period_start(pd.Series([pd.Timestamp(start)]), spec)[0] if start is not None else None
    last = period_start(pd.Series([pd.Timestamp(end)]), spec)[0] if end is not None else None
    if first is None:
        first = summed.index.min() if len(summed) else None
    if last is None:
        last = summed.index.max() if len(summed) else None
    grid = _period_grid(first, last, spec, as_of)
    values = summed.reindex(grid, fill_value=0.0).to_numpy(dtype="float64")
    return pd.DataFrame({"ds": grid, "y": values})


def _period_grid(
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
    spec: Frequency,
    as_of: pd.Timestamp | str | None,
) -> pd.DatetimeIndex:
    """Returns the period starts from first to last, ending before the period of `as_of`."""
    if as_of is not None:
        running = period_start(pd.Series([pd.Timestamp(as_of)]), spec)[0]
        last_complete = running - spec.offset()
        last = last_complete if last is None or last > last_complete else last
    if first is None or last is None or first > last:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return pd.date_range(first, last, freq=spec.alias).astype("datetime64[ns]")


def trim_leading_zeros(series: pd.DataFrame) -> pd.DataFrame:
    """Returns the series from its first non-zero period on (a scope's history starts there).

    Requires columns ds and y. Returns a new frame with columns ds (datetime64[ns]) and
    y (float64); an all-zero series is returned whole. Built from arrays: it runs for
    every scope on every page view, cached fits included.
    """
    ds = series["ds"].to_numpy(dtype="datetime64[ns]")
    y = series["y"].to_numpy(dtype="float64")
    nonzero = np.flatnonzero(y != 0)
    first = int(nonzero[0]) if len(nonzero) else 0
    return pd.DataFrame({"ds": ds[first:], "y": y[first:]})


def longest_zero_run(values: np.ndarray | pd.Series) -> int:
    """Returns the length of the longest run of consecutive zeros."""
    best = run = 0
    for is_zero in np.asarray(values, dtype="float64") == 0:
        run = run + 1 if is_zero else 0
        best = max(best, run)
    return best


@dataclass(frozen=True)
class HistoryCheck:
    """Whether a history can carry Prophet; `method` is what will be used and `reason` why."""

    method: str  # prophet / seasonal_naive / naive / zero / none
    n_points: int
    needed: int
    reason: str | None

    @property
    def prophet_ok(self) -> bool:
        """Returns True when the history is long and regular enough for Prophet."""
        return self.method == "prophet"


def check_history(
    series: pd.DataFrame,
    freq: str | Frequency,
    min_cycles: int = 2,
    max_zero_run: int | None = None,
) -> HistoryCheck:
    """Returns which method the history supports, with the reason in one sentence.

    Prophet needs at least `min_cycles` yearly cycles (24 months / 104 weeks by
    default) and no run of zero periods longer than a quarter (a gap that usually
    means missing data, which Prophet would read as a real collapse). Fewer than two
    points never reach Prophet (it raises). Below one cycle the baseline is a plain
    naive forecast (last value), from one cycle on it is seasonal naive.

    Args:
        series: Requires columns ds and y, regular and sorted (see `regular_series`).
        freq: "W" or "M".
        min_cycles: yearly cycles Prophet needs.
        max_zero_run: longest tolerated run of zero periods (default: one quarter).
    """
    spec = frequency(freq)
    y = series["y"].to_numpy(dtype="float64")
    n = len(y)
    needed = min_cycles * spec.season_length
    unit = f"{spec.unit}s"
    if n == 0:
        return HistoryCheck("none", 0, needed, "no bookings history to forecast from")
    if not np.any(y != 0):
        return HistoryCheck(
            "zero", n, needed, f"no won bookings in the {n} {unit} of history: forecast is 0"
        )
    if n < 2:
        return HistoryCheck(
            "naive",
            n,
            needed,
            f"not enough history ({n} point; need ≥ {needed}): repeating the last value",
        )
    if n < spec.season_length:
        return HistoryCheck(
            "naive",
            n,
            needed,
            f"not enough history ({n} {unit}; need ≥ {needed} for Prophet and "
            f"≥ {spec.season_length} for seasonal naive): repeating the last value",
        )
    if n < needed:
        return HistoryCheck(
            "seasonal_naive",
            n,
            needed,
            f"not enough history for Prophet ({n} {unit}; need ≥ {needed}, "
            f"{min_cycles} yearly cycles): showing the seasonal-naive baseline",
        )
    limit = spec.quarter_length if max_zero_run is None else max_zero_run
    gap = longest_zero_run(y)
    if gap > limit:
        return HistoryCheck(
            "seasonal_naive",
            n,
            needed,
            f"history has {gap} {unit} in a row with no bookings (more than {limit}); "
            "that looks like missing data, so showing the seasonal-naive baseline",
        )
    return HistoryCheck("prophet", n, needed, None)


def _future_dates(last: pd.Timestamp, horizon: int, spec: Frequency) -> pd.DatetimeIndex:
    return pd.date_range(last, periods=horizon + 1, freq=spec.alias)[1:].astype("datetime64[ns]")


def _z(interval_width: float) -> float:
    return NormalDist().inv_cdf(0.5 + interval_width / 2)


def seasonal_naive_forecast(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    interval_width: float = 0.8,
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
    half = _z(interval_width) * sigma * np.sqrt(k + 1)
    dates = _future_dates(series["ds"].iloc[-1], horizon, spec)
    return pd.DataFrame(
        {"ds": dates, "yhat": yhat, "yhat_lower": yhat - half, "yhat_upper": yhat + half}
    )


def naive_forecast(
    series: pd.DataFrame, freq: str | Frequency, horizon: int, interval_width: float = 0.8
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
    half = _z(interval_width) * sigma * np.sqrt(steps)
    dates = _future_dates(series["ds"].iloc[-1], horizon, spec)
    return pd.DataFrame(
        {"ds": dates, "yhat": yhat, "yhat_lower": yhat - half, "yhat_upper": yhat + half}
    )


# --------------------------------------------------------------------------- Prophet


@dataclass(frozen=True)
class ProphetParams:
    """Prophet settings used for a fit; part of the cache key."""

    yearly_fourier_order: int | None = None  # None: 10 weekly, 5 monthly
    quarterly: bool = True
    quarterly_fourier_order: int | None = None  # None: 3 weekly, 1 monthly
    country_holidays: str | None = None
    seasonality_mode: str = "additive"
    changepoint_prior_scale: float = 0.05
    interval_width: float = 0.8
    uncertainty_samples: int = 300
    seed: int = 42
    # Prophet itself picks Newton below 100 points (every monthly series): several times
    # the CPU of L-BFGS for forecasts within about 1% of them on the large demo's months
    # (bench/bench_forecast.py --plain-prophet). Prophet retries with Newton should
    # L-BFGS fail.
    algorithm: str = "LBFGS"

    def validate(self) -> ProphetParams:
        """Returns self after checking the values; raises ValueError with a clear sentence."""
        if self.seasonality_mode not in {"additive", "multiplicative"}:
            raise ValueError("seasonality_mode must be 'additive' or 'multiplicative'.")
        if not 0 < self.interval_width < 1:
            raise ValueError("interval_width must be between 0 and 1.")
        if self.algorithm not in {"LBFGS", "Newton", "BFGS"}:
            raise ValueError("algorithm must be 'LBFGS', 'Newton' or 'BFGS'.")
        if self.country_holidays:
            import holidays

            if self.country_holidays.upper() not in holidays.list_supported_countries():
                raise ValueError(
                    f"Unknown holiday country {self.country_holidays!r}: "
                    "use a two-letter code such as US, GB, DE or FR."
                )
        return self


DEFAULT_PARAMS = ProphetParams()
_PROPHET_LOCK = threading.Lock()
_prophet_class: Any = None


def _prophet() -> Any:
    """Returns the Prophet class (`FastProphet`), imported once with logging quietened."""
    global _prophet_class
    if _prophet_class is None:
        logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "plotly failed" notice
        from cmdstanpy.utils import get_logger

        from salesops.prophet_fast import FastProphet

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
    params: ProphetParams = ProphetParams(),
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
                    _future_dates(history["ds"].iloc[-1], horizon, spec).to_numpy(),
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
    monthly = spec == MONTH
    yearly_order = params.yearly_fourier_order or (5 if monthly else 10)
    quarterly_order = params.quarterly_fourier_order or (1 if monthly else 3)
    model = _prophet()(
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
    params: ProphetParams = ProphetParams(),
) -> np.ndarray:
    """Returns Prophet's yhat for the `horizon` periods after the series (no band, no history).

    What a backtest cutoff needs: the same fit as `fit_predict_prophet(..., with_band=False)`
    and the same future values, computed without Prophet's frame of every component
    where `FastProphet.predict_yhat` applies.
    """
    spec = frequency(freq)
    model, history = _fitted_model(series, spec, params, with_band=False)
    dates = _future_dates(history["ds"].iloc[-1], horizon, spec)
    if model.can_predict_yhat():  # FastProphet (see _prophet)
        return model.predict_yhat(dates)
    return model.predict(pd.DataFrame({"ds": dates}))["yhat"].to_numpy()


# --------------------------------------------------------------------------- accuracy


@dataclass(frozen=True)
class Accuracy:
    """An error measure: `value` (a fraction) or None with the reason; n points used."""

    value: float | None
    reason: str | None
    n: int
    skipped_zero_actuals: int = 0


def mape(actual: np.ndarray | pd.Series, predicted: np.ndarray | pd.Series) -> Accuracy:
    """Returns the mean absolute percentage error as a fraction, skipping zero actuals.

    A period with actual 0 has no percentage error; it is left out and counted in
    `skipped_zero_actuals` (the reason says so). None when every actual is 0.
    """
    a = np.asarray(actual, dtype="float64")
    p = np.asarray(predicted, dtype="float64")
    keep = a != 0
    skipped = int((~keep).sum())
    if not keep.any():
        return Accuracy(None, "every actual is 0: percentage error undefined", 0, skipped)
    value = float(np.mean(np.abs(p[keep] - a[keep]) / np.abs(a[keep])))
    reason = f"{skipped} period(s) with actual 0 left out" if skipped else None
    return Accuracy(value, reason, int(keep.sum()), skipped)


def wape(actual: np.ndarray | pd.Series, predicted: np.ndarray | pd.Series) -> Accuracy:
    """Returns the weighted absolute percentage error: sum|error| / sum|actual|, a fraction.

    None with a reason when the actuals sum to 0.
    """
    a = np.asarray(actual, dtype="float64")
    p = np.asarray(predicted, dtype="float64")
    denominator = float(np.abs(a).sum())
    if len(a) == 0:
        return Accuracy(None, "no periods to compare", 0)
    if denominator == 0:
        return Accuracy(None, "actuals sum to 0: WAPE undefined", len(a))
    return Accuracy(float(np.abs(p - a).sum() / denominator), None, len(a))


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: Prophet vs seasonal naive over the same cutoffs.

    `details` has columns cutoff, ds, actual, prophet, seasonal_naive.
    """

    cutoffs: list[pd.Timestamp]
    horizon: int
    prophet_mape: Accuracy
    prophet_wape: Accuracy
    naive_mape: Accuracy
    naive_wape: Accuracy
    winner: str | None
    reason: str | None
    details: pd.DataFrame

    def verdict(self) -> str:
        """Returns a plain sentence saying which method to trust."""
        if self.winner is None:
            return f"No backtest verdict: {self.reason}."
        p, n = self.prophet_wape.value, self.naive_wape.value
        if self.winner == "prophet":
            return (
                f"Prophet beat the seasonal-naive baseline in the backtest "
                f"(WAPE {p:.0%} vs {n:.0%})."
            )
        return (
            f"Prophet did worse than simply repeating last year (seasonal naive) in the "
            f"backtest (WAPE {p:.0%} vs {n:.0%}): trust the baseline more than Prophet here."
        )


def backtest_cutoffs(
    n_points: int, freq: str | Frequency, horizon: int, n_cutoffs: int
) -> list[int]:
    """Returns cutoff positions (index of the last training point) spread over the last year.

    The last cutoff leaves `horizon` periods to score; earlier ones step back evenly
    so the cutoffs span one year (a season) of history.
    """
    spec = frequency(freq)
    last = n_points - 1 - horizon
    if n_cutoffs < 1 or last < 0:
        return []
    step = max(1, spec.season_length // n_cutoffs)
    positions = [last - i * step for i in range(n_cutoffs)]
    return sorted(p for p in positions if p >= 0)


def run_backtest(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = ProphetParams(),
    n_cutoffs: int = 4,
    min_cycles: int = 2,
) -> Backtest:
    """Returns a rolling-origin backtest of Prophet against seasonal naive.

    For each cutoff (spread over the last year, see `backtest_cutoffs`) both methods
    are trained on the history up to the cutoff and score the next `horizon` periods;
    Prophet is fitted exactly as for the forecast shown (same settings and optimiser).
    A cutoff whose training part is too short for Prophet (`min_cycles` years) is
    dropped. Errors are pooled over all cutoffs; the winner has the lower WAPE (MAPE
    when WAPE is undefined); a tie goes to seasonal naive, the simpler method.

    Args:
        series: Requires columns ds and y, regular.
        freq: "W" or "M".
        horizon: periods scored after each cutoff (shrunk to a season when longer).
        params: Prophet settings (the band is not sampled in backtests).
        n_cutoffs: how many cutoffs.
        min_cycles: yearly cycles each training part needs.
    """
    spec = frequency(freq)
    horizon = max(1, min(horizon, spec.season_length))
    needed = min_cycles * spec.season_length
    positions = [
        p for p in backtest_cutoffs(len(series), spec, horizon, n_cutoffs) if p + 1 >= needed
    ]
    empty = Accuracy(None, "no backtest", 0)
    if not positions:
        reason = (
            f"history too short for a backtest ({len(series)} {spec.unit}s; need ≥ "
            f"{needed + horizon} for {min_cycles} yearly cycles plus a "
            f"{horizon}-{spec.unit} horizon)"
        )
        return Backtest([], horizon, empty, empty, empty, empty, None, reason, _empty_details())
    rows = []
    for pos in positions:
        train = series.iloc[: pos + 1]
        test = series.iloc[pos + 1 : pos + 1 + horizon]
        prophet_future = prophet_point_forecast(train, spec, len(test), params)
        naive_future = seasonal_naive_forecast(train, spec, len(test))["yhat"].to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "cutoff": train["ds"].iloc[-1],
                    "ds": test["ds"].to_numpy(),
                    "actual": test["y"].to_numpy(dtype="float64"),
                    "prophet": prophet_future,
                    "seasonal_naive": naive_future,
                }
            )
        )
    details = pd.concat(rows, ignore_index=True)
    pm, pw = (
        mape(details["actual"], details["prophet"]),
        wape(details["actual"], details["prophet"]),
    )
    nm = mape(details["actual"], details["seasonal_naive"])
    nw = wape(details["actual"], details["seasonal_naive"])
    winner, reason = _winner(pw, nw, pm, nm)
    cutoffs = [pd.Timestamp(c) for c in details["cutoff"].unique()]
    return Backtest(cutoffs, horizon, pm, pw, nm, nw, winner, reason, details)


def _winner(
    pw: Accuracy, nw: Accuracy, pm: Accuracy, nm: Accuracy
) -> tuple[str | None, str | None]:
    for p, n in ((pw, nw), (pm, nm)):
        if p.value is not None and n.value is not None:
            return ("prophet" if p.value < n.value else "seasonal_naive"), None
    return None, "backtest errors undefined (actuals are all 0)"


def _empty_details() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cutoff": pd.Series([], dtype="datetime64[ns]"),
            "ds": pd.Series([], dtype="datetime64[ns]"),
            "actual": pd.Series([], dtype="float64"),
            "prophet": pd.Series([], dtype="float64"),
            "seasonal_naive": pd.Series([], dtype="float64"),
        }
    )


# --------------------------------------------------------------------------- one forecast


@dataclass(frozen=True)
class ForecastResult:
    """A forecast of one scope.

    `points` has columns ds, actual (NaN in the future), yhat, yhat_lower,
    yhat_upper, is_future; `components` has ds, trend, yearly, quarterly, holidays
    (empty when the method is not Prophet). `reason` explains a fallback method.
    """

    scope: str
    freq: str
    horizon: int
    method: str
    reason: str | None
    points: pd.DataFrame
    components: pd.DataFrame
    backtest: Backtest | None
    notes: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def future(self) -> pd.DataFrame:
        """Returns the future rows of `points`."""
        return self.points[self.points["is_future"]].reset_index(drop=True)


def forecast_series(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = ProphetParams(),
    backtest: bool = False,
    n_cutoffs: int = 4,
    scope: str = "all",
    cache: ForecastCache | None = None,
    nonnegative: bool = True,
) -> ForecastResult:
    """Returns the forecast of one bookings series, with a backtest when asked.

    Leading zero periods are dropped (the scope's history starts with its first
    booking). `check_history` picks Prophet or a baseline; a fallback is explained in
    `reason`. Bookings cannot be negative, so with `nonnegative` yhat and its band
    are floored at 0 (components are left as fitted). Results come from `cache` when
    the same series and parameters were forecast before.

    Args:
        series: Requires columns ds and y, regular (see `regular_series`).
        freq: "W" or "M".
        horizon: future periods (≥ 1).
        params: Prophet settings.
        backtest: also run `run_backtest` (Prophet only).
        n_cutoffs: backtest cutoffs.
        scope: label carried into the result ("all", a territory name...).
        cache: where to look up / store the result.
        nonnegative: floor forecasts at 0.
    """
    spec, params = _checked(freq, horizon, params)
    history, key, hit = _look_up(
        series, spec, horizon, params, backtest, n_cutoffs, nonnegative=nonnegative, cache=cache
    )
    if hit is not None:
        return replace(hit, scope=scope)
    result = _fit(history, spec, horizon, params, backtest, n_cutoffs, scope, nonnegative)
    if cache is not None and key is not None:
        cache.put(key, result)
    return result


def _checked(
    freq: str | Frequency, horizon: int, params: ProphetParams
) -> tuple[Frequency, ProphetParams]:
    """Returns (the frequency, the validated settings); raises ValueError on bad input."""
    spec = frequency(freq)
    if horizon < 1:
        raise ValueError("horizon must be at least 1 period.")
    return spec, params.validate()


def _look_up(
    series: pd.DataFrame,
    spec: Frequency,
    horizon: int,
    params: ProphetParams,
    backtest: bool,
    n_cutoffs: int,
    nonnegative: bool,
    cache: ForecastCache | None,
) -> tuple[pd.DataFrame, str | None, ForecastResult | None]:
    """Returns (the history to fit, its cache key or None, the cached result or None)."""
    history = trim_leading_zeros(series)
    if cache is None:
        return history, None, None
    key = cache_key(history, spec, horizon, params, backtest, n_cutoffs, nonnegative)
    return history, key, cache.get(key)


def _fit(
    history: pd.DataFrame,
    spec: Frequency,
    horizon: int,
    params: ProphetParams,
    backtest: bool,
    n_cutoffs: int,
    scope: str,
    nonnegative: bool,
) -> ForecastResult:
    """Returns the forecast of a prepared history (see `forecast_series`), never cached."""
    started = time.perf_counter()
    check = check_history(history, spec)
    notes: list[str] = []
    if len(history) and horizon > len(history):
        notes.append(
            f"horizon ({horizon} {spec.unit}s) is longer than the history "
            f"({len(history)} {spec.unit}s): read the far end with care"
        )
    if params.country_holidays and spec == MONTH:
        notes.append(
            "holidays barely affect a monthly model (a holiday counts only when it falls on "
            "the 1st); use weekly frequency for holiday effects"
        )
    components = _empty_components()
    result_backtest = None
    if check.method == "none":
        fitted = _empty_points()
        future = fitted
    elif check.method == "zero":
        dates = _future_dates(history["ds"].iloc[-1], horizon, spec)
        future = pd.DataFrame({"ds": dates, "yhat": 0.0, "yhat_lower": 0.0, "yhat_upper": 0.0})
        fitted = history.assign(yhat=0.0, yhat_lower=0.0, yhat_upper=0.0).drop(columns="y")
    elif check.method == "naive":
        future = naive_forecast(history, spec, horizon, params.interval_width)
        fitted = _naive_fitted(history, 1)
    elif check.method == "seasonal_naive":
        future = seasonal_naive_forecast(history, spec, horizon, params.interval_width)
        fitted = _naive_fitted(history, spec.season_length)
    else:
        points, components = fit_predict_prophet(history, spec, horizon, params)
        fitted, future = points.iloc[: len(history)], points.iloc[len(history) :]
        if backtest:
            result_backtest = run_backtest(history, spec, horizon, params, n_cutoffs)
    if backtest and result_backtest is None:
        result_backtest = Backtest(
            [],
            horizon,
            *([Accuracy(None, "no backtest", 0)] * 4),
            None,
            f"no backtest: {check.reason}",
            _empty_details(),
        )
    return ForecastResult(
        scope=scope,
        freq=spec.code,
        horizon=horizon,
        method=check.method,
        reason=check.reason,
        points=_assemble_points(history, fitted, future, nonnegative),
        components=components,
        backtest=result_backtest,
        notes=notes,
        elapsed_seconds=time.perf_counter() - started,
    )


def _naive_fitted(history: pd.DataFrame, lag: int) -> pd.DataFrame:
    shifted = history["y"].shift(lag)
    return pd.DataFrame(
        {"ds": history["ds"], "yhat": shifted, "yhat_lower": shifted, "yhat_upper": shifted}
    )


def _empty_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ds": pd.Series([], dtype="datetime64[ns]"),
            "yhat": pd.Series([], dtype="float64"),
            "yhat_lower": pd.Series([], dtype="float64"),
            "yhat_upper": pd.Series([], dtype="float64"),
        }
    )


def _empty_components() -> pd.DataFrame:
    frame = pd.DataFrame({"ds": pd.Series([], dtype="datetime64[ns]")})
    for name in ("trend", "yearly", "quarterly", "holidays"):
        frame[name] = pd.Series([], dtype="float64")
    return frame


def _assemble_points(
    history: pd.DataFrame, fitted: pd.DataFrame, future: pd.DataFrame, nonnegative: bool
) -> pd.DataFrame:
    past = pd.DataFrame(
        {
            "ds": history["ds"].to_numpy(),
            "actual": history["y"].to_numpy(dtype="float64"),
            "yhat": fitted["yhat"].to_numpy(dtype="float64"),
            "yhat_lower": fitted["yhat_lower"].to_numpy(dtype="float64"),
            "yhat_upper": fitted["yhat_upper"].to_numpy(dtype="float64"),
            "is_future": False,
        }
    )
    ahead = pd.DataFrame(
        {
            "ds": future["ds"].to_numpy(),
            "actual": np.nan,
            "yhat": future["yhat"].to_numpy(dtype="float64"),
            "yhat_lower": future["yhat_lower"].to_numpy(dtype="float64"),
            "yhat_upper": future["yhat_upper"].to_numpy(dtype="float64"),
            "is_future": True,
        }
    )
    points = pd.concat([past, ahead], ignore_index=True) if len(past) else ahead
    points["ds"] = points["ds"].astype("datetime64[ns]")
    points["is_future"] = points["is_future"].astype(bool)
    if nonnegative:
        for column in ("yhat", "yhat_lower", "yhat_upper"):
            points[column] = points[column].clip(lower=0.0)
    return points


# --------------------------------------------------------------------------- cache


def cache_key(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams,
    backtest: bool,
    n_cutoffs: int,
    nonnegative: bool = True,
) -> str:
    """Returns a sha256 hex key of the series values and every parameter of the forecast."""
    digest = hashlib.sha256()
    digest.update(series["ds"].astype("datetime64[ns]").to_numpy().view("int64").tobytes())
    digest.update(series["y"].to_numpy(dtype="float64").tobytes())
    settings = {
        "version": CACHE_VERSION,
        "freq": frequency(freq).code,
        "horizon": horizon,
        "params": asdict(params),
        "backtest": backtest,
        "n_cutoffs": n_cutoffs,
        "nonnegative": nonnegative,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


class ForecastCache:
    """A thread-safe LRU of forecast results, optionally persisted as pickles in a directory.

    Only use a directory you own: pickles are trusted input.
    """

    def __init__(self, maxsize: int = 256, directory: str | Path | None = None) -> None:
        self.maxsize = maxsize
        self.directory = Path(directory) if directory is not None else None
        self._items: OrderedDict[str, ForecastResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> ForecastResult | None:
        """Returns the cached result for `key`, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        path = self._path(key)
        if path is not None and path.exists():
            try:
                with path.open("rb") as handle:
                    result = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
                logger.warning("Ignoring unreadable forecast cache file %s: %s", path, exc)
            else:
                self._remember(key, result)
                with self._lock:
                    self.hits += 1
                return result
        with self._lock:
            self.misses += 1
        return None

    def put(self, key: str, result: ForecastResult) -> None:
        """Stores `result` under `key` (and on disk when a directory is set)."""
        self._remember(key, result)
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            with partial.open("wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)

    def clear(self) -> None:
        """Empties the in-memory cache (files on disk stay)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _remember(self, key: str, result: ForecastResult) -> None:
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"forecast-{key}.pkl"


DEFAULT_CACHE = ForecastCache()


def default_workers() -> int:
    """Returns how many worker processes fit scopes in parallel: the CPU count, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def forecast_many(
    series_by_scope: Mapping[str, pd.DataFrame],
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = ProphetParams(),
    backtest: bool = False,
    n_cutoffs: int = 4,
    cache: ForecastCache | None = None,
    max_workers: int | None = None,
) -> dict[str, ForecastResult]:
    """Returns a forecast per scope (e.g. per territory), the uncached ones fitted in parallel.

    Cache hits are answered here; the misses are fitted on forked worker processes
    (`salesops.parallel`; Prophet's Python side holds the GIL, so threads barely help)
    and stored in `cache`. Results equal `forecast_series` on each scope, in the
    order of `series_by_scope`.

    Args:
        series_by_scope: scope name -> frame with columns ds, y.
        freq: "W" or "M".
        horizon: future periods.
        params: Prophet settings.
        backtest: also backtest each scope.
        n_cutoffs: backtest cutoffs.
        cache: shared result cache.
        max_workers: worker processes (None: `default_workers()`; 1 fits here, in turn).
    """
    spec, params = _checked(freq, horizon, params)
    results: dict[str, ForecastResult] = {}
    misses: list[tuple[str, str | None, tuple]] = []
    for scope, series in series_by_scope.items():
        history, key, hit = _look_up(
            series, spec, horizon, params, backtest, n_cutoffs, nonnegative=True, cache=cache
        )
        if hit is not None:
            results[scope] = replace(hit, scope=scope)
            continue
        job = (history, spec.code, horizon, params, backtest, n_cutoffs, scope)
        misses.append((scope, key, job))
    workers = default_workers() if max_workers is None else max_workers
    fitted = parallel_map(_fit_job, [job for _, _, job in misses], workers)
    for (scope, key, _), result in zip(misses, fitted, strict=True):
        if cache is not None and key is not None:
            cache.put(key, result)
        results[scope] = result
    return {scope: results[scope] for scope in series_by_scope}


def _fit_job(job: tuple) -> ForecastResult:
    """Runs `_fit` on one packed job (module level, so worker processes can run it)."""
    history, freq, horizon, params, backtest, n_cutoffs, scope = job
    return _fit(
        history, frequency(freq), horizon, params, backtest, n_cutoffs, scope, nonnegative=True
    )


def _renew_prophet_lock() -> None:
    global _PROPHET_LOCK
    _PROPHET_LOCK = threading.Lock()


register_after_fork(_renew_prophet_lock)


# --------------------------------------------------------------------------- pipeline


def stage_win_probabilities(
    stage_outcomes: pd.DataFrame, stages: pd.DataFrame, min_observations: int = 20
) -> pd.DataFrame:
    """Returns the probability of winning from each open stage, measured from history.

    The historical rate is: of the closed opportunities that were ever in the stage,
    the share that was won. A stage with fewer than `min_observations` such deals
    falls back to the stage table's probability.

    Args:
        stage_outcomes: Requires columns stage, reached (closed deals that passed
            through the stage) and won (of those, won).
        stages: Requires columns name, sort_order, probability, is_closed.
        min_observations: deals needed before the measured rate is trusted.

    Returns:
        A frame with columns stage, sort_order, reached, won, historical_rate (NaN when
        no deal reached it), table_probability, probability (the one used) and source
        ("history" or "stage table"), one row per open stage in sort order.
    """
    open_stages = stages[~stages["is_closed"].astype(bool)].sort_values("sort_order")
    counts = stage_outcomes.set_index("stage")[["reached", "won"]]
    frame = pd.DataFrame(
        {
            "stage": open_stages["name"].to_numpy(),
            "sort_order": open_stages["sort_order"].to_numpy(),
            "table_probability": open_stages["probability"].to_numpy(dtype="float64"),
        }
    )
    frame["reached"] = (
        counts["reached"].reindex(frame["stage"]).fillna(0).astype("int64").to_numpy()
    )
    frame["won"] = counts["won"].reindex(frame["stage"]).fillna(0).astype("int64").to_numpy()
    reached = frame["reached"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["historical_rate"] = np.where(reached > 0, frame["won"] / reached, np.nan)
    trusted = frame["reached"] >= max(1, min_observations)
    frame["probability"] = np.where(trusted, frame["historical_rate"], frame["table_probability"])
    frame["source"] = np.where(trusted, "history", "stage table")
    return frame[
        [
            "stage",
            "sort_order",
            "reached",
            "won",
            "historical_rate",
            "table_probability",
            "probability",
            "source",
        ]
    ]


def quarter_start(day: pd.Timestamp | str) -> pd.Timestamp:
    """Returns the first day of the calendar quarter containing `day`."""
    stamp = pd.Timestamp(day)
    return pd.Timestamp(stamp.year, 3 * ((stamp.month - 1) // 3) + 1, 1)


def _quarter_of(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period("Q").dt.start_time.astype("datetime64[ns]")


def pipeline_weighted_forecast(
    open_pipeline: pd.DataFrame,
    probabilities: pd.DataFrame,
    as_of: pd.Timestamp | str,
    won_to_date: pd.DataFrame | None = None,
    n_quarters: int = 2,
) -> pd.DataFrame:
    """Returns the pipeline-weighted forecast for the current and following quarters.

    Each open deal counts with the win probability of its stage. Deals whose expected
    close date already passed are counted in the current quarter (they are still
    open) and shown in overdue_amount. The quarter's forecast is what is already won
    in it plus the weighted open pipeline.

    Args:
        open_pipeline: Requires columns expected_close (a date in the close period),
            stage, open_amount.
        probabilities: Requires columns stage, probability (see `stage_win_probabilities`).
        as_of: today.
        won_to_date: optional, requires columns ds (close date or period) and y (won amount).
        n_quarters: quarters from the current one.

    Returns:
        A frame with columns period (quarter start), open_amount, weighted_amount,
        overdue_amount, won_to_date, forecast; one row per quarter.
    """
    current = quarter_start(as_of)
    periods = pd.date_range(current, periods=n_quarters, freq="QS").astype("datetime64[ns]")
    pipeline = open_pipeline.copy()
    probability = probabilities.set_index("stage")["probability"]
    pipeline["probability"] = pipeline["stage"].map(probability).fillna(0.0).astype("float64")
    if len(pipeline):
        quarter = _quarter_of(pipeline["expected_close"])
        overdue = quarter < current
        pipeline["period"] = quarter.where(~overdue, current)
        pipeline["overdue"] = np.where(overdue, pipeline["open_amount"], 0.0)
    else:
        pipeline["period"] = pd.Series([], dtype="datetime64[ns]")
        pipeline["overdue"] = pd.Series([], dtype="float64")
    pipeline["weighted"] = pipeline["open_amount"].astype("float64") * pipeline["probability"]
    grouped = pipeline.groupby("period")[["open_amount", "weighted", "overdue"]].sum()
    grouped = grouped.reindex(periods, fill_value=0.0)
    won = pd.Series(0.0, index=periods)
    if won_to_date is not None and len(won_to_date):
        won_quarters = _quarter_of(won_to_date["ds"])
        won = won_to_date["y"].astype("float64").groupby(won_quarters.to_numpy()).sum()
        won = won.reindex(periods, fill_value=0.0)
    frame = pd.DataFrame(
        {
            "period": periods,
            "open_amount": grouped["open_amount"].to_numpy(dtype="float64"),
            "weighted_amount": grouped["weighted"].to_numpy(dtype="float64"),
            "overdue_amount": grouped["overdue"].to_numpy(dtype="float64"),
            "won_to_date": won.to_numpy(dtype="float64"),
        }
    )
    frame["forecast"] = frame["won_to_date"] + frame["weighted_amount"]
    return frame


def quarter_totals(
    points: pd.DataFrame, quarters: pd.Series | pd.DatetimeIndex, freq: str | Frequency
) -> pd.Series:
    """Returns each quarter's total: actuals for past periods, yhat for future ones.

    Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future (a
    `ForecastResult.points`). A period belongs to the quarter its start date is in.
    Returns a float Series indexed by quarter start; NaN where the forecast does not
    cover the whole quarter (see `forecast_vs_quota`).
    """
    quarters = pd.DatetimeIndex(quarters).astype("datetime64[ns]")
    if len(points) == 0:
        return pd.Series(np.nan, index=quarters)
    value = np.where(points["is_future"], points["yhat"], points["actual"])
    quarter = _quarter_of(points["ds"])
    totals = pd.Series(value, index=quarter.to_numpy()).groupby(level=0).sum()
    last_covered = points["ds"].max()
    out = totals.reindex(quarters)
    for q in quarters:
        quarter_last_day = q + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        last_period = period_start(pd.Series([quarter_last_day]), freq)[0]
        if last_covered < last_period:
            out[q] = np.nan
    return out


def forecast_vs_quota(
    points: pd.DataFrame,
    quotas: pd.DataFrame,
    as_of: pd.Timestamp | str,
    freq: str | Frequency,
    pipeline: pd.DataFrame | None = None,
    n_quarters: int = 2,
) -> pd.DataFrame:
    """Returns forecast vs quota for the current and next quarters.

    Args:
        points: Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future.
        quotas: Requires columns period_start and amount (monthly quota rows).
        as_of: today.
        freq: the points' frequency, "W" or "M".
        pipeline: optional `pipeline_weighted_forecast` frame to show beside it.
        n_quarters: quarters from the current one.

    Returns:
        A frame with columns period, forecast, quota, attainment (forecast / quota, a
        fraction), gap (quota - forecast; positive means short), pipeline_forecast,
        reason (why attainment is undefined, else None). Undefined numbers are None.
    """
    quarters = pd.date_range(quarter_start(as_of), periods=n_quarters, freq="QS").astype(
        "datetime64[ns]"
    )
    forecast = quarter_totals(points, quarters, freq)
    quota = pd.Series(0.0, index=quarters)
    has_quota = pd.Series(False, index=quarters)
    if len(quotas):
        q = (
            quotas["amount"]
            .astype("float64")
            .groupby(_quarter_of(quotas["period_start"]).to_numpy())
        )
        quota = q.sum().reindex(quarters, fill_value=0.0)
        has_quota = q.size().reindex(quarters, fill_value=0) > 0
    pipe = (
        pipeline.set_index("period")["forecast"].reindex(quarters)
        if pipeline is not None
        else pd.Series(np.nan, index=quarters)
    )
    rows = []
    for period in quarters:
        f = forecast[period]
        f_value = None if pd.isna(f) else float(f)
        quota_value = float(quota[period]) if bool(has_quota[period]) else None
        reason = None
        attainment = gap = None
        if f_value is None:
            reason = "the forecast horizon does not reach the end of this quarter"
        elif quota_value is None:
            reason = "no quota set for this quarter"
        elif quota_value == 0:
            reason = "quota is 0"
            gap = quota_value - f_value
        else:
            attainment = f_value / quota_value
            gap = quota_value - f_value
        rows.append(
            {
                "period": period,
                "forecast": f_value,
                "quota": quota_value,
                "attainment": attainment,
                "gap": gap,
                "pipeline_forecast": None if pd.isna(pipe[period]) else float(pipe[period]),
                "reason": reason,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["period", "forecast", "quota", "attainment", "gap", "pipeline_forecast", "reason"],
    )


# --------------------------------------------------------------------------- what-if


@dataclass(frozen=True)
class WhatIf:
    """What-if assumptions applied to a fitted forecast.

    win_rate_change and deal_size_change are relative (0.10 = +10 %);
    cycle_change_days > 0 means deals take longer, so bookings arrive later;
    reps_change adds (> 0) or removes (< 0) reps from `base_reps`; added reps ramp
    linearly to full productivity over `ramp_months`, removed reps stop at once.
    """

    win_rate_change: float = 0.0
    cycle_change_days: float = 0.0
    reps_change: int = 0
    ramp_months: float = 3.0
    deal_size_change: float = 0.0

    def is_neutral(self) -> bool:
        """Returns True when nothing changes."""
        return (
            self.win_rate_change == 0
            and self.cycle_change_days == 0
            and self.reps_change == 0
            and self.deal_size_change == 0
        )


def headcount_factor(
    ds: pd.Series | pd.DatetimeIndex,
    start: pd.Timestamp,
    freq: str | Frequency,
    base_reps: float,
    reps_change: int,
    ramp_months: float,
) -> np.ndarray:
    """Returns the bookings multiplier per period from adding or removing reps.

    factor = (base_reps + reps_change * ramp) / base_reps, where ramp is the new
    reps' productivity at the middle of the period: min(1, months since `start` /
    ramp_months) for added reps, 1 for removed reps. Never below 0.
    """
    spec = frequency(freq)
    dates = pd.DatetimeIndex(ds)
    if base_reps <= 0 or reps_change == 0:
        return np.ones(len(dates))
    if spec == MONTH:
        period_days = dates.days_in_month.to_numpy(dtype="float64")
    else:
        period_days = np.full(len(dates), 7.0)
    middle_days = (dates - pd.Timestamp(start)).days.to_numpy(dtype="float64") + period_days / 2
    months = middle_days / DAYS_PER_MONTH
    if reps_change > 0 and ramp_months > 0:
        ramp = np.clip(months / ramp_months, 0.0, 1.0)
    else:
        ramp = np.ones(len(dates))
    return np.maximum(0.0, (base_reps + reps_change * ramp) / base_reps)


def shift_in_time(values: np.ndarray, shift_periods: float) -> np.ndarray:
    """Returns `values` moved later by a (fractional) number of periods, total-preserving.

    Each period's amount is spread evenly over the period, the whole curve is moved
    by `shift_periods` and re-cut at the period edges. Amounts moved past the end
    are lost from the window; the start is filled with the first value (earlier
    bookings flowing in) for a positive shift, and the end with the last value
    for a negative one.
    """
    v = np.asarray(values, dtype="float64")
    n = len(v)
    if n == 0 or shift_periods == 0:
        return v.copy()
    whole = math.floor(shift_periods)
    frac = shift_periods - whole
    padded = np.concatenate([np.full(n + 2, v[0]), v, np.full(n + 2, v[-1])])
    offset = n + 2
    idx = np.clip(np.arange(n) + offset - whole, 1, len(padded) - 1)
    # period i receives (1 - frac) of the value `whole` periods back and frac of `whole + 1`.
    return (1 - frac) * padded[idx] + frac * padded[idx - 1]


def apply_what_if(
    points: pd.DataFrame,
    freq: str | Frequency,
    what_if: WhatIf,
    base_reps: float = 0.0,
) -> pd.DataFrame:
    """Returns `points` with the future yhat and band adjusted by the what-if assumptions.

    future value = shifted(yhat) x (1 + win_rate_change) x (1 + deal_size_change) x
    headcount_factor. The cycle change shifts bookings by cycle_change_days (in
    periods: days / 7 weekly, days / 30.44 monthly); history rows are untouched and the
    shift draws on the history's actuals for the first future periods. Array
    arithmetic only: no refit.

    Args:
        points: Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future.
        freq: "W" or "M".
        what_if: the assumptions.
        base_reps: reps selling in the scope today (needed for reps_change).

    Returns:
        A copy of `points` with yhat, yhat_lower, yhat_upper adjusted for future rows and
        columns yhat_base (the unadjusted yhat) and factor (the multiplier applied).
    """
    spec = frequency(freq)
    out = points.copy()
    out["yhat_base"] = out["yhat"]
    out["factor"] = 1.0
    future = out["is_future"].to_numpy(dtype=bool)
    if not future.any() or what_if.is_neutral():
        return out
    period_days = 7.0 if spec == WEEK else DAYS_PER_MONTH
    shift = what_if.cycle_change_days / period_days
    first_future = int(np.flatnonzero(future)[0])
    multiplier = (1 + what_if.win_rate_change) * (1 + what_if.deal_size_change)
    factor = multiplier * headcount_factor(
        out.loc[future, "ds"],
        out.loc[future, "ds"].iloc[0],
        spec,
        base_reps,
        what_if.reps_change,
        what_if.ramp_months,
    )
    factor = np.maximum(factor, 0.0)
    for column in ("yhat", "yhat_lower", "yhat_upper"):
        base = out[column].to_numpy(dtype="float64").copy()
        if first_future > 0:
            actual = out["actual"].to_numpy(dtype="float64")[:first_future]
            base[:first_future] = np.where(np.isnan(actual), base[:first_future], actual)
        shifted = shift_in_time(base, shift) if shift else base
        out.loc[future, column] = shifted[future] * factor
    out.loc[future, "factor"] = factor
    return out


def summarise(result: ForecastResult) -> dict[str, Any]:
    """Returns the JSON-ready dict of a forecast (the CLI's `series` item shape).

    Keys: scope, method, reason, notes, points (ds, actual, yhat, yhat_lower,
    yhat_upper; NaN as None), backtest (cutoffs, prophet/seasonal_naive mape+wape,
    winner, verdict) or None.
    """
    points = []
    for row in result.points.itertuples(index=False):
        points.append(
            {
                "ds": row.ds.date().isoformat(),
                "actual": _num(row.actual),
                "yhat": _num(row.yhat),
                "yhat_lower": _num(row.yhat_lower),
                "yhat_upper": _num(row.yhat_upper),
            }
        )
    backtest = None
    if result.backtest is not None:
        b = result.backtest
        backtest = {
            "cutoffs": [c.date().isoformat() for c in b.cutoffs],
            "horizon": b.horizon,
            "prophet": _accuracy_pair(b.prophet_mape, b.prophet_wape),
            "seasonal_naive": _accuracy_pair(b.naive_mape, b.naive_wape),
            "winner": b.winner,
            "reason": b.reason,
            "verdict": b.verdict(),
        }
    return {
        "scope": result.scope,
        "method": result.method,
        "reason": result.reason,
        "notes": list(result.notes),
        "points": points,
        "backtest": backtest,
    }


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, 2)


def _accuracy_pair(m: Accuracy, w: Accuracy) -> dict[str, Any]:
    return {
        "mape": None if m.value is None else round(m.value, 4),
        "wape": None if w.value is None else round(w.value, 4),
        "mape_reason": m.reason,
        "wape_reason": w.reason,
        "mape_skipped_zero_actuals": m.skipped_zero_actuals,
    }


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Returns (fn(), seconds it took) — for benches and the page's timing caption."""
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def series_by_scope(
    bookings: pd.DataFrame,
    freq: str | Frequency,
    by: str | None = None,
    names: Mapping[Any, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    total_label: str = "All",
) -> dict[str, pd.DataFrame]:
    """Returns one regular bookings series per scope, all on the same period grid.

    Args:
        bookings: Requires columns ds, y and the `by` column (territory_id or segment).
        freq: "W" or "M".
        by: None for one total series, "territory" (grouped on territory_id and labelled
            through `names`) or "segment".
        names: territory id -> name.
        as_of: today; the running period and later ones are dropped.
        total_label: the label of the total series.

    Returns:
        scope label -> frame with columns ds, y (sorted by label, the total first).
    """
    spec = frequency(freq)
    frame = bookings.dropna(subset=["ds"])
    if len(frame) == 0:
        return {total_label: regular_series(bookings, spec, as_of=as_of)}
    starts = period_start(frame["ds"], spec).to_numpy()
    grid = _period_grid(starts.min(), starts.max(), spec, as_of)
    amounts = pd.to_numeric(frame["y"], errors="coerce").fillna(0.0).astype("float64")
    column = "territory_id" if by == "territory" else by
    keys = np.full(len(frame), total_label, dtype=object) if by is None else frame[column]
    # one GROUP BY (scope, period) for every scope, then each scope's row on the grid
    table = (
        amounts.groupby([np.asarray(keys), starts], dropna=False, sort=True)
        .sum()
        .unstack(fill_value=0.0)
        .reindex(columns=grid, fill_value=0.0)
    )
    out: dict[str, pd.DataFrame] = {}
    for key, values in zip(table.index, table.to_numpy(dtype="float64"), strict=True):
        if by is None:
            label = total_label
        elif pd.isna(key):
            label = f"(no {by})"
        else:
            label = (names or {}).get(key, str(key)) if by == "territory" else str(key)
        out[label] = pd.DataFrame({"ds": grid, "y": values})
    return dict(sorted(out.items()))


def backtest_table(backtest: Backtest | None) -> pd.DataFrame:
    """Returns the backtest as a small table, one row per method.

    Columns: method, mape, wape (fractions; NaN when undefined), note (the reason
    a figure is undefined or points were skipped; "" when there is none), winner (bool).
    """
    columns = ["method", "mape", "wape", "note", "winner"]
    if backtest is None or not backtest.cutoffs:
        return pd.DataFrame(columns=columns)
    rows = []
    for name, label, m, w in (
        ("prophet", "Prophet", backtest.prophet_mape, backtest.prophet_wape),
        (
            "seasonal_naive",
            "Seasonal naive (same period last year)",
            backtest.naive_mape,
            backtest.naive_wape,
        ),
    ):
        note = "; ".join(r for r in (m.reason, w.reason) if r)
        rows.append(
            {
                "method": label,
                "mape": np.nan if m.value is None else m.value,
                "wape": np.nan if w.value is None else w.value,
                "note": note,
                "winner": backtest.winner == name,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def backtest_summary(results: Mapping[str, ForecastResult]) -> pd.DataFrame:
    """Returns one row per scope: method used, backtest WAPE of both methods and the winner.

    Columns: scope, method, reason, prophet_wape, naive_wape, winner (None without backtest).
    """
    rows = []
    for scope, result in results.items():
        b = result.backtest
        rows.append(
            {
                "scope": scope,
                "method": result.method,
                "reason": result.reason,
                "prophet_wape": np.nan
                if b is None or b.prophet_wape.value is None
                else b.prophet_wape.value,
                "naive_wape": np.nan
                if b is None or b.naive_wape.value is None
                else b.naive_wape.value,
                "winner": None if b is None else b.winner,
            }
        )
    return pd.DataFrame(
        rows, columns=["scope", "method", "reason", "prophet_wape", "naive_wape", "winner"]
    )
