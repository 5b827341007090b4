"""Prophet with three of its costly internals replaced by exact, cheaper equivalents.

Profiling a backtest fit of a 60-month series showed Prophet's own Python bookkeeping,
not Stan, taking about 90% of the CPU: `regressor_column_matrix` (a `pd.crosstab`
rebuilt on every fit and every predict) about 40%, `fourier_series` (pandas
timedelta arithmetic) about 10%, and writing the Stan data file about 15% (Prophet
hands cmdstanpy nested Python lists, which stanio then walks value by value).
`FastProphet` changes only those three:

- `regressor_column_matrix` is a pure function of the model's structure (feature
  column names, seasonality modes, holiday and regressor names), so its result is
  remembered per structure and copied out; the training-columns check runs as before.
- `fourier_series` computes days since the epoch with integer numpy arithmetic when
  every date is a whole second (always true for weekly/monthly bookings), which gives
  the same float64 values as pandas; anything else goes to Prophet's own code.
- the Stan backend passes the same data as numpy arrays, which stanio converts in one
  call each; the JSON file cmdstan reads is the same.

It adds `predict_yhat`: the point forecast alone, computed as `predict` computes it
but without its frame of every component (a backtest needs nothing else).

Model, priors, optimiser and outputs are Prophet's: tests/unit/forecast/test_fast_prophet.py holds
fits and predictions equal to plain Prophet's. Importing this module imports Prophet.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any, Literal

import numpy as np
import pandas as pd
from prophet import Prophet
from prophet.models import CmdStanPyBackend

from salesops.forecast.workers import register_after_fork

_NS_PER_SECOND = 1_000_000_000
_SECONDS_PER_DAY = 24 * 60 * 60
_MEMO_SIZE = 64
Modes = dict[Literal["additive", "multiplicative"], list[str]]
_memo: OrderedDict[tuple, tuple[pd.DataFrame, Modes]] = OrderedDict()
_memo_lock = threading.Lock()


def reset_after_fork() -> None:
    """Replaces the memo's lock (a forked child may inherit it held by another thread)."""
    global _memo_lock
    _memo_lock = threading.Lock()


register_after_fork(reset_after_fork)


class ArrayCmdStanPyBackend(CmdStanPyBackend):
    """Prophet's cmdstanpy backend, handing the data to cmdstanpy as arrays, not lists."""

    @staticmethod
    def prepare_data(init: dict[str, Any], data: dict[str, Any]) -> tuple[dict, dict]:
        """Returns (inits, data) for cmdstanpy, with the same values as Prophet's lists."""
        inits = {
            name: np.asarray(init[name]) if name in ("delta", "beta") else init[name]
            for name in ("k", "m", "delta", "beta", "sigma_obs")
        }
        arrays = ("y", "t", "cap", "t_change", "s_a", "s_m", "sigmas")
        values = {name: np.asarray(data[name]) if name in arrays else data[name] for name in data}
        values["X"] = data["X"].to_numpy()
        order = ("T", "S", "K", "tau", "trend_indicator", *arrays[:-1], "X", "sigmas")
        return inits, {name: values[name] for name in order}


class FastProphet(Prophet):
    """Prophet, with its component matrix memoised, Fourier terms and Stan data in numpy."""

    def _load_stan_backend(self, stan_backend: str | None) -> None:
        self.stan_backend = ArrayCmdStanPyBackend()

    @staticmethod
    def fourier_series(dates: pd.Series, period: float, series_order: int) -> np.ndarray:
        """Returns Prophet's Fourier features for `dates` (same values as Prophet's)."""
        values = dates.to_numpy()
        if series_order < 1 or values.dtype.kind != "M":
            return Prophet.fourier_series(dates, period, series_order)
        nanoseconds = values.astype("datetime64[ns]").view("int64")
        if (nanoseconds % _NS_PER_SECOND).any():
            return Prophet.fourier_series(dates, period, series_order)
        days = (nanoseconds // _NS_PER_SECOND).astype("float64") / _SECONDS_PER_DAY
        x_t = np.pi * 2 * days
        features = np.empty((len(values), 2 * series_order))
        for i in range(series_order):
            c = (i + 1) / period * x_t
            features[:, 2 * i] = np.sin(c)
            features[:, 2 * i + 1] = np.cos(c)
        return features

    def regressor_column_matrix(
        self, seasonal_features: pd.DataFrame, modes: Modes
    ) -> tuple[pd.DataFrame, Modes]:
        """Returns Prophet's component indicator matrix and modes, computed once per structure.

        Like Prophet's, it extends `modes` in place with the combination components.
        """
        key = self._structure_key(seasonal_features, modes)
        with _memo_lock:
            remembered = _memo.get(key)
            if remembered is not None:
                _memo.move_to_end(key)
        columns, extended = remembered or self._remember_matrix(key, seasonal_features, modes)
        modes.clear()
        modes.update(copy.deepcopy(extended))
        component_cols = columns.copy()
        if self.train_component_cols is not None:
            component_cols = component_cols[self.train_component_cols.columns]
            if not component_cols.equals(self.train_component_cols):
                raise Exception("A bug occurred in constructing regressors.")
        return component_cols, modes

    def _remember_matrix(
        self, key: tuple, seasonal_features: pd.DataFrame, modes: Modes
    ) -> tuple[pd.DataFrame, Modes]:
        """Returns Prophet's own (matrix, extended modes), remembered under `key`."""
        train_columns, self.train_component_cols = self.train_component_cols, None
        try:
            remembered = Prophet.regressor_column_matrix(
                self, seasonal_features, copy.deepcopy(modes)
            )
        finally:
            self.train_component_cols = train_columns
        with _memo_lock:
            _memo[key] = remembered
            while len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
        return remembered

    def _structure_key(self, seasonal_features: pd.DataFrame, modes: Modes) -> tuple:
        """Returns what the component matrix depends on: features, modes, holidays, regressors."""
        holidays = self.train_holiday_names
        return (
            tuple(seasonal_features.columns),
            tuple((mode, tuple(names)) for mode, names in sorted(modes.items())),
            None if holidays is None else tuple(holidays),
            tuple((name, props["mode"]) for name, props in self.extra_regressors.items()),
            self.holidays_mode,
        )

    def can_predict_yhat(self) -> bool:
        """Returns True when `predict_yhat` applies: a fitted linear model of seasonalities.

        Holidays, extra regressors and conditional seasonalities add features that only
        `predict` builds.
        """
        return (
            self.params is not None
            and self.growth == "linear"
            and self.holidays is None
            and self.country_holidays is None
            and not self.extra_regressors
            and all(props["condition_name"] is None for props in self.seasonalities.values())
        )

    def predict_yhat(self, dates: pd.Series | np.ndarray) -> np.ndarray:
        """Returns `predict(...)["yhat"]` at `dates` (see `can_predict_yhat`), as an array."""
        if not self.can_predict_yhat():
            raise ValueError("predict_yhat needs a fitted linear model without holidays.")
        params, y_scale, changepoints_t, component_cols = self._fitted_state()
        ds = pd.Series(np.asarray(dates, dtype="datetime64[ns]"))
        t = ((ds - self.start) / self.t_scale).to_numpy()
        floor = (self.y_min or 0.0) if self.scaling == "minmax" else 0.0
        trend = (
            self.piecewise_linear(
                t,
                np.nanmean(params["delta"], axis=0),
                np.nanmean(params["k"]),
                np.nanmean(params["m"]),
                changepoints_t,
            )
            * y_scale
            + floor
        )
        features = [
            self.fourier_series(ds, props["period"], props["fourier_order"])
            for props in self.seasonalities.values()
        ]
        x = np.hstack(features) if features else np.zeros((len(ds), 1))
        terms = {}
        for mode in ("additive", "multiplicative"):
            beta = params["beta"] * component_cols[f"{mode}_terms"].to_numpy()
            component = np.matmul(x, beta.transpose())
            if mode == "additive":
                component *= y_scale
            terms[mode] = np.nanmean(component, axis=1)
        return trend * (1 + terms["multiplicative"]) + terms["additive"]

    def _fitted_state(self) -> tuple[dict[str, Any], float, np.ndarray, pd.DataFrame]:
        """Returns (params, y_scale, changepoints_t, train_component_cols) of the fitted model."""
        y_scale, changepoints_t = self.y_scale, self.changepoints_t
        component_cols = self.train_component_cols
        if not self.params or y_scale is None or changepoints_t is None or component_cols is None:
            raise ValueError("predict_yhat needs a fitted linear model without holidays.")
        return self.params, y_scale, changepoints_t, component_cols
