"""Rolling-origin backtest: Prophet against seasonal naive over the same cutoffs.

Both methods are trained on the history up to each cutoff and score the periods after
it; the errors (MAPE and WAPE, see salesops.forecast.accuracy) are pooled over all
cutoffs and the method with the lower WAPE wins. It tells a user whether Prophet is
worth more than repeating last year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.figures import Figure
from salesops.forecast.accuracy import mape, no_backtest, wape
from salesops.forecast.frequency import Frequency, frequency
from salesops.forecast.naive import seasonal_naive_forecast
from salesops.forecast.params import DEFAULT_PARAMS, ProphetParams
from salesops.forecast.prophet import prophet_point_forecast

if TYPE_CHECKING:
    from salesops.forecast.series_forecast import ForecastResult


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: Prophet vs seasonal naive over the same cutoffs.

    `details` has columns cutoff, ds, actual, prophet, seasonal_naive.
    """

    cutoffs: list[pd.Timestamp]
    horizon: int
    prophet_mape: Figure
    prophet_wape: Figure
    naive_mape: Figure
    naive_wape: Figure
    winner: str | None
    reason: str | None
    details: pd.DataFrame

    @classmethod
    def not_run(cls, horizon: int, reason: str) -> Backtest:
        """Returns the backtest that could not run, saying why; every error is undefined."""
        empty = no_backtest()
        return cls([], horizon, empty, empty, empty, empty, None, reason, _empty_details())

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
    params: ProphetParams = DEFAULT_PARAMS,
    n_cutoffs: int = Settings.backtest_cutoffs,
) -> Backtest:
    """Returns a rolling-origin backtest of Prophet against seasonal naive.

    For each cutoff (spread over the last year, see `backtest_cutoffs`) both methods
    are trained on the history up to the cutoff and score the next `horizon` periods;
    Prophet is fitted exactly as for the forecast shown (same settings and optimiser).
    A cutoff whose training part is too short for Prophet (`params.min_cycles` years) is
    dropped. Errors are pooled over all cutoffs; the winner has the lower WAPE (MAPE
    when WAPE is undefined); a tie goes to seasonal naive, the simpler method.

    Args:
        series: Requires columns ds and y, regular.
        freq: "W" or "M".
        horizon: periods scored after each cutoff (shrunk to a season when longer).
        params: Prophet settings (the band is not sampled in backtests).
        n_cutoffs: how many cutoffs.
    """
    spec = frequency(freq)
    horizon = max(1, min(horizon, spec.season_length))
    needed = params.min_cycles * spec.season_length
    positions = [
        p for p in backtest_cutoffs(len(series), spec, horizon, n_cutoffs) if p + 1 >= needed
    ]
    if not positions:
        return Backtest.not_run(
            horizon,
            f"history too short for a backtest ({len(series)} {spec.unit}s; need ≥ "
            f"{needed + horizon} for {params.min_cycles} yearly cycles plus a "
            f"{horizon}-{spec.unit} horizon)",
        )
    details = _cutoff_forecasts(series, spec, horizon, params, positions)
    pm, pw = (
        mape(details["actual"], details["prophet"]),
        wape(details["actual"], details["prophet"]),
    )
    nm = mape(details["actual"], details["seasonal_naive"])
    nw = wape(details["actual"], details["seasonal_naive"])
    winner, reason = _winner(pw, nw, pm, nm)
    cutoffs = [pd.Timestamp(c) for c in details["cutoff"].unique()]
    return Backtest(cutoffs, horizon, pm, pw, nm, nw, winner, reason, details)


def _cutoff_forecasts(
    series: pd.DataFrame,
    spec: Frequency,
    horizon: int,
    params: ProphetParams,
    positions: list[int],
) -> pd.DataFrame:
    """Returns both methods' forecasts after every cutoff (the backtest's `details`)."""
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
    return pd.concat(rows, ignore_index=True)


def _winner(pw: Figure, nw: Figure, pm: Figure, nm: Figure) -> tuple[str | None, str | None]:
    """Returns (the winning method or None, why there is none)."""
    for p, n in ((pw, nw), (pm, nm)):
        if p.value is not None and n.value is not None:
            return ("prophet" if p.value < n.value else "seasonal_naive"), None
    return None, "backtest errors undefined (actuals are all 0)"


def _empty_details() -> pd.DataFrame:
    """Returns the backtest details frame with no rows."""
    return pd.DataFrame(
        {
            "cutoff": pd.Series([], dtype="datetime64[ns]"),
            "ds": pd.Series([], dtype="datetime64[ns]"),
            "actual": pd.Series([], dtype="float64"),
            "prophet": pd.Series([], dtype="float64"),
            "seasonal_naive": pd.Series([], dtype="float64"),
        }
    )


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
                "prophet_wape": _value_or_nan(None if b is None else b.prophet_wape),
                "naive_wape": _value_or_nan(None if b is None else b.naive_wape),
                "winner": None if b is None else b.winner,
            }
        )
    return pd.DataFrame(
        rows, columns=["scope", "method", "reason", "prophet_wape", "naive_wape", "winner"]
    )


def _value_or_nan(error: Figure | None) -> float:
    """Returns the figure's value, NaN when there is none (a table cell)."""
    return np.nan if error is None or error.value is None else error.value


def poor_forecasts(summary: pd.DataFrame, threshold: float) -> list[str]:
    """Returns the scopes whose used method's backtest WAPE is above `threshold`.

    Requires the columns of `backtest_summary` (scope, method, prophet_wape, naive_wape).
    """
    used = np.where(summary["method"] == "prophet", summary["prophet_wape"], summary["naive_wape"])
    return [str(s) for s, w in zip(summary["scope"], used, strict=True) if w > threshold]
