"""The forecast of one bookings series, and of many scopes fitted in parallel.

`forecast_series` drops the leading zero periods, lets `check_history` pick Prophet or a
baseline (the reason said in a sentence), fits it and, on request, backtests Prophet
against seasonal naive. Results are cached by a hash of the series and the parameters
(salesops.forecast.cache); `forecast_many` fits the uncached scopes on worker processes.

Undefined numbers are `None` with a reason, never 0, inf or NaN.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.forecast.backtest import Backtest, run_backtest
from salesops.forecast.cache import ForecastCache, cache_key
from salesops.forecast.frequency import MONTH, Frequency, frequency, future_dates
from salesops.forecast.history import HistoryCheck, check_history
from salesops.forecast.naive import naive_forecast, seasonal_naive_forecast
from salesops.forecast.params import DEFAULT_PARAMS, ProphetParams
from salesops.forecast.prophet import fit_predict_prophet
from salesops.forecast.series import trim_leading_zeros
from salesops.forecast.workers import parallel_map

COMPONENTS = ("trend", "yearly", "quarterly", "holidays")


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
    params: ProphetParams = DEFAULT_PARAMS,
    backtest: bool = False,
    n_cutoffs: int = Settings.backtest_cutoffs,
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
    check = check_history(history, spec, params.min_cycles)
    fitted, future, components = _method_points(history, spec, horizon, params, check)
    result_backtest = None
    if backtest and check.prophet_ok:
        result_backtest = run_backtest(history, spec, horizon, params, n_cutoffs)
    elif backtest:
        result_backtest = Backtest.not_run(horizon, f"no backtest: {check.reason}")
    return ForecastResult(
        scope=scope,
        freq=spec.code,
        horizon=horizon,
        method=check.method,
        reason=check.reason,
        points=_assemble_points(history, fitted, future, nonnegative),
        components=components,
        backtest=result_backtest,
        notes=_notes(history, spec, horizon, params),
        elapsed_seconds=time.perf_counter() - started,
    )


def _method_points(
    history: pd.DataFrame,
    spec: Frequency,
    horizon: int,
    params: ProphetParams,
    check: HistoryCheck,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Returns (fitted history, future, components) from the method `check` chose.

    fitted and future have columns ds, yhat, yhat_lower, yhat_upper; components is
    empty unless the method is Prophet.
    """
    if check.method == "prophet":
        points, components = fit_predict_prophet(history, spec, horizon, params)
        return points.iloc[: len(history)], points.iloc[len(history) :], components
    if check.method == "none":
        return _empty_points(), _empty_points(), empty_components()
    if check.method == "zero":
        dates = future_dates(history["ds"].iloc[-1], horizon, spec)
        future = pd.DataFrame({"ds": dates, "yhat": 0.0, "yhat_lower": 0.0, "yhat_upper": 0.0})
        fitted = history.assign(yhat=0.0, yhat_lower=0.0, yhat_upper=0.0).drop(columns="y")
        return fitted, future, empty_components()
    if check.method == "naive":
        future = naive_forecast(history, spec, horizon, params.interval_width)
        return _naive_fitted(history, 1), future, empty_components()
    future = seasonal_naive_forecast(history, spec, horizon, params.interval_width)
    return _naive_fitted(history, spec.season_length), future, empty_components()


def _notes(
    history: pd.DataFrame, spec: Frequency, horizon: int, params: ProphetParams
) -> list[str]:
    """Returns the cautions to show beside a forecast (long horizon, holidays on months)."""
    notes = []
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
    return notes


def _naive_fitted(history: pd.DataFrame, lag: int) -> pd.DataFrame:
    """Returns a naive baseline's fitted history: each period's value `lag` periods back."""
    shifted = history["y"].shift(lag)
    return pd.DataFrame(
        {"ds": history["ds"], "yhat": shifted, "yhat_lower": shifted, "yhat_upper": shifted}
    )


def _empty_points() -> pd.DataFrame:
    """Returns a forecast frame (ds, yhat, yhat_lower, yhat_upper) with no rows."""
    return pd.DataFrame(
        {
            "ds": pd.Series([], dtype="datetime64[ns]"),
            "yhat": pd.Series([], dtype="float64"),
            "yhat_lower": pd.Series([], dtype="float64"),
            "yhat_upper": pd.Series([], dtype="float64"),
        }
    )


def empty_components() -> pd.DataFrame:
    """Returns a components frame (ds and every component) with no rows."""
    frame = pd.DataFrame({"ds": pd.Series([], dtype="datetime64[ns]")})
    for name in COMPONENTS:
        frame[name] = pd.Series([], dtype="float64")
    return frame


def _assemble_points(
    history: pd.DataFrame, fitted: pd.DataFrame, future: pd.DataFrame, nonnegative: bool
) -> pd.DataFrame:
    """Returns the history and future rows as one `ForecastResult.points` frame."""
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


def default_workers(limit: int = Settings.forecast_max_workers) -> int:
    """Returns how many worker processes fit scopes in parallel: the CPU count, at most `limit`."""
    return max(1, min(limit, os.cpu_count() or 1))


def forecast_many(
    series_by_scope: Mapping[str, pd.DataFrame],
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams = DEFAULT_PARAMS,
    backtest: bool = False,
    n_cutoffs: int = Settings.backtest_cutoffs,
    cache: ForecastCache | None = None,
    max_workers: int | None = None,
) -> dict[str, ForecastResult]:
    """Returns a forecast per scope (e.g. per territory), the uncached ones fitted in parallel.

    Cache hits are answered here; the misses are fitted on forked worker processes
    (`salesops.forecast.workers`; Prophet's Python side holds the GIL, so threads barely
    help) and stored in `cache`. Results equal `forecast_series` on each scope, in the
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


def _fit_job(job: tuple[Any, ...]) -> ForecastResult:
    """Runs `_fit` on one packed job (module level, so worker processes can run it)."""
    history, freq, horizon, params, backtest, n_cutoffs, scope = job
    return _fit(
        history, frequency(freq), horizon, params, backtest, n_cutoffs, scope, nonnegative=True
    )
