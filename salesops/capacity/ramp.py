"""The one new-rep ramp: the share of full productivity a rep has in each month of tenure.

**Ramp** (measured): mean bookings per rep by tenure month (month 1 = hire month; see
`salesops.time_allocation.ramp.ramp_curve`) over the months before the plateau, made
non-decreasing (`smoothing.monotone_increasing`, weighted by the reps observed) and divided
by the ramped level; from Settings `ramped_from_month` on a rep is fully productive.
**Months to ramp** = the first tenure month at Settings `ramp_threshold` (90%) of full.
When the data holds fewer than Settings `min_ramp_hires` hires or no ramped level, the
ramp is linear over Settings `default_ramp_months` instead, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesops.capacity.smoothing import monotone_increasing
from salesops.time_allocation.ramp import RampCurve

MEASURED = "measured"
DEFAULT = "default"


def month_index(value: object) -> int:
    """Returns a date's month number (year x 12 + month - 1)."""
    day = pd.Timestamp(value)
    return int(day.year * 12 + day.month - 1)


def month_indexes(values: pd.Series) -> np.ndarray:
    """Returns each date's month number as float64, NaN where the date is missing."""
    days = pd.to_datetime(values)
    out = (days.dt.year * 12 + days.dt.month - 1).astype("float64")
    return out.to_numpy(dtype="float64", na_value=np.nan)


@dataclass(frozen=True)
class RampModel:
    """Share of full productivity by tenure month (1 = hire month); 1 after the last month."""

    fractions: tuple[float, ...]
    months_to_ramp: int
    threshold: float
    source: str
    reason: str | None
    hires: int

    def at(self, tenure_month: np.ndarray | float) -> np.ndarray:
        """Returns the ramp at each tenure month: 0 before month 1, 1 after the curve."""
        m = np.asarray(tenure_month, dtype="float64")
        table = np.concatenate([[0.0], np.asarray(self.fractions, dtype="float64"), [1.0]])
        idx = np.clip(np.nan_to_num(m, nan=0.0), 0, len(table) - 1).astype(int)
        return table[idx]

    def over_months(self, first_tenure_month: np.ndarray, months: int) -> np.ndarray:
        """Returns the ramp over `months` consecutive months per rep (shape reps x months)."""
        start = np.asarray(first_tenure_month, dtype="float64")[:, None]
        return self.at(start + np.arange(months)[None, :])

    def describe(self) -> str:
        """Returns the sentence a page shows beside any figure that uses the ramp."""
        head = (
            f"New reps reach {self.threshold:.0%} of full productivity in month "
            f"{self.months_to_ramp}"
        )
        if self.source == MEASURED:
            return f"{head} (ramp measured from {self.hires} reps hired within the data)."
        return f"{head} (assumed linear ramp: {self.reason})."

    def to_json(self) -> dict[str, object]:
        """Returns the ramp as JSON: the fractions by tenure month, months to ramp, source."""
        return {
            "months_to_ramp": self.months_to_ramp,
            "threshold": self.threshold,
            "source": self.source,
            "reason": self.reason,
            "hires": self.hires,
            "fractions": [round(float(f), 4) for f in self.fractions],
        }


def tenure_months(hire_dates: pd.Series, on: date) -> np.ndarray:
    """Returns each rep's tenure month on `on` (1 = hire month; <= 0 before the hire month).

    An unknown hire date counts as a long tenure (fully ramped).
    """
    hires = month_indexes(hire_dates)
    tenure = month_index(on) - hires + 1
    return np.where(np.isnan(hires), 10_000.0, tenure)


def default_ramp(months: int, threshold: float, reason: str, hires: int = 0) -> RampModel:
    """Returns the linear ramp over `months` (mid-month: (m - 0.5) / months, capped at 1)."""
    n = max(int(months), 0)
    fractions = tuple(min(1.0, (m - 0.5) / n) for m in range(1, n + 1)) if n else ()
    reached = next((i + 1 for i, f in enumerate(fractions) if f >= threshold), n + 1)
    return RampModel(fractions, reached if n else 1, threshold, DEFAULT, reason, hires)


def ramp_model(curve: RampCurve, default_months: int, min_hires: int) -> RampModel:
    """Returns the measured ramp of `curve`, or the default linear ramp with the reason why.

    Measured: bookings per rep over tenure months 1 .. ramped_from - 1, made non-decreasing
    (weighted by the reps observed), divided by the ramped level and capped at 1.
    """
    threshold = curve.threshold
    window = curve.curve[curve.curve["tenure_month"] < curve.ramped_from]
    hires = int(window["reps"].iloc[0]) if len(window) else 0
    level = curve.ramped_level.value
    if level is None or level <= 0:
        why = curve.ramped_level.reason or "no ramped level"
        return default_ramp(default_months, threshold, f"{why} to measure it", hires)
    if hires < min_hires:
        reason = f"only {hires} rep(s) hired within the data, {min_hires} needed to measure it"
        return default_ramp(default_months, threshold, reason, hires)
    values = window["bookings_per_rep"].to_numpy(dtype="float64", na_value=np.nan)
    smooth = monotone_increasing(values, window["reps"].to_numpy(dtype="float64"))
    fractions = np.clip(smooth / level, 0.0, 1.0)
    # The curve's own months to ramp uses the same smoothing (the Rep time page shows it).
    months = int(curve.months_to_ramp.value or curve.ramped_from)
    return RampModel(tuple(float(f) for f in fractions), months, threshold, MEASURED, None, hires)
