"""What-if: a fitted forecast re-priced under changed assumptions, without refitting.

Win rate, deal size, sales-cycle length and headcount (added reps ramp up along the one
measured ramp, `salesops.capacity.ramp`) adjust the future yhat and its band with array
arithmetic only, so a slider answers at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.forecast.frequency import MONTH, WEEK, Frequency, frequency

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class WhatIf:
    """What-if assumptions applied to a fitted forecast.

    win_rate_change and deal_size_change are relative (0.10 = +10 %);
    cycle_change_days > 0 means deals take longer, so bookings arrive later;
    reps_change adds (> 0) or removes (< 0) reps from `base_reps`; added reps ramp along
    `ramp`, their share of full productivity in each tenure month (month 1 = the first
    forecast period; fully productive after the last; empty: productive at once); removed
    reps stop at once. Pages pass the capacity model's ramp (`RampModel.fractions`).
    """

    win_rate_change: float = 0.0
    cycle_change_days: float = 0.0
    reps_change: int = 0
    ramp: tuple[float, ...] = ()
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
    ramp: tuple[float, ...],
) -> np.ndarray:
    """Returns the bookings multiplier per period from adding or removing reps.

    factor = (base_reps + reps_change * r) / base_reps, where r is the new reps'
    productivity at the middle of the period: `ramp` at the tenure month (1 + whole months
    since `start`; 1 beyond the ramp) for added reps, 1 for removed reps. Never below 0.
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
    tenure = np.floor(middle_days / DAYS_PER_MONTH).astype(int)  # 0 = first month
    if reps_change > 0 and len(ramp):
        table = np.append(np.asarray(ramp, dtype="float64"), 1.0)
        productive = table[np.clip(tenure, 0, len(table) - 1)]
    else:
        productive = np.ones(len(dates))
    return np.maximum(0.0, (base_reps + reps_change * productive) / base_reps)


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
        what_if.ramp,
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
