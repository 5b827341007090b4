"""The new-rep ramp: bookings per rep by tenure month, and what a shorter ramp is worth.

**Ramp**: tenure month 1 is the hire month. The curve is mean bookings per rep in each
tenure month; the ramped level is the mean over the rep-months at tenure
``ramped_from..max_tenure`` (the curve's plateau; both are Settings). Shortening the
ramp by N months shifts the curve N months earlier:
``gain per hire = sum_{m=1..W} (c[m+N] - c[m])`` with ``c[m] = ramped`` for
``m > W = ramped_from - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesops.capacity.smoothing import monotone_increasing
from salesops.figures import Figure

# Month indexes are year x 12 + month, far below this: (rep, month) keys are rep x this + month.
MONTHS_PER_REP = 1 << 20


def _month_index(dates: pd.Series) -> pd.Series:
    """Returns each date's month index: year x 12 + month - 1."""
    d = pd.to_datetime(dates)
    return d.dt.year * 12 + d.dt.month - 1


def _month_of(day: pd.Timestamp | str) -> int:
    """Returns the month index (year x 12 + month - 1) of one day."""
    return int(_month_index(pd.Series([pd.Timestamp(day)])).iloc[0])


@dataclass(frozen=True)
class RampCurve:
    """Mean bookings per rep by tenure month, and the fully ramped level."""

    curve: pd.DataFrame
    ramped_from: int
    ramped_level: Figure
    months_to_ramp: Figure
    threshold: float

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict (curve as records)."""
        records = [
            {
                "tenure_month": int(r.tenure_month),
                "reps": int(r.reps),
                "bookings_per_rep": None
                if pd.isna(r.bookings_per_rep)
                else float(r.bookings_per_rep),
            }
            for r in self.curve.itertuples()
        ]
        return {
            "curve": records,
            "ramped_from": self.ramped_from,
            "ramped_level": self.ramped_level.value,
            "ramped_level_reason": self.ramped_level.reason,
            "months_to_ramp": self.months_to_ramp.value,
            "months_to_ramp_reason": self.months_to_ramp.reason,
            "threshold": self.threshold,
        }


def ramp_curve(
    monthly_bookings: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    window_start: pd.Timestamp | str,
    window_end: pd.Timestamp | str,
    ramped_from: int,
    max_tenure: int,
    threshold: float,
) -> RampCurve:
    """Returns mean bookings per rep by tenure month (1 = hire month) and the ramped level.

    The ramped level is the mean bookings per rep-month at tenure ``ramped_from`` to
    ``max_tenure`` (the plateau of the same curve, so the same cohorts).

    Every rep-month the rep was employed inside the window counts, with 0 bookings
    when nothing closed (so the curve is not biased upwards by months without deals).
    Months before ``hire_date``, after ``end_date`` or outside the window are left out.

    Requires columns ``rep_id``, ``month`` (any date in the month), ``bookings`` in
    ``monthly_bookings``; ``id``, ``hire_date``, ``end_date`` (optional) in ``reps``.

    Args:
        monthly_bookings: Won amount per rep and month.
        reps: The reps in scope.
        window_start: First month of observed bookings.
        window_end: Last month of observed bookings.
        ramped_from: Tenure month from which a rep counts as fully ramped.
        max_tenure: Tenure months shown on the curve (>= ramped_from).
        threshold: Share of the ramped level that counts as "ramped" for
            ``months_to_ramp`` (the first tenure month reaching it).

    Returns a RampCurve whose ``curve`` has columns ``tenure_month``, ``reps``
    (rep-months observed), ``bookings_per_rep`` (Float64, NA when no rep was observed).
    """
    if ramped_from < 2:
        raise ValueError("ramped_from must be at least 2 (tenure month 1 is the hire month).")
    max_tenure = max(max_tenure, ramped_from)
    keys, tenure_month = _observed_rep_months(
        reps, _month_of(window_start), _month_of(window_end), max_tenure
    )
    bookings = _rep_month_bookings(monthly_bookings, keys)
    reps_at = np.bincount(tenure_month, minlength=max_tenure + 1)[1 : max_tenure + 1]
    total_at = np.bincount(tenure_month, weights=bookings, minlength=max_tenure + 1)
    total_at = total_at[1 : max_tenure + 1]
    per_rep = np.divide(total_at, reps_at, out=np.full(max_tenure, np.nan), where=reps_at > 0)
    curve = pd.DataFrame(
        {
            "tenure_month": np.arange(1, max_tenure + 1),
            "reps": reps_at.astype(int),
            "bookings_per_rep": pd.array(per_rep, dtype="Float64"),
        }
    )
    # The ramped level is the curve's own plateau (tenure ramped_from..max_tenure), so
    # it compares like with like: long-tenured reps hired years earlier are another cohort.
    n_ramped = int(reps_at[ramped_from - 1 :].sum())
    total_ramped = float(total_at[ramped_from - 1 :].sum())
    if n_ramped == 0:
        level = Figure.undefined(f"no rep observed at tenure months {ramped_from}-{max_tenure}")
    else:
        level = Figure(total_ramped / n_ramped)
    return RampCurve(
        curve=curve,
        ramped_from=ramped_from,
        ramped_level=level,
        months_to_ramp=_months_to_ramp(curve, level, threshold, ramped_from),
        threshold=threshold,
    )


def _observed_rep_months(
    reps: pd.DataFrame, lo: int, hi: int, max_tenure: int
) -> tuple[np.ndarray, np.ndarray]:
    """Returns every observed rep-month's (rep, month) key and its tenure month.

    Observed: calendar months from max(hire, lo) to min(end, hi), and no later than the
    curve's last tenure month.
    """
    people = reps[reps["hire_date"].notna()]
    hire = _month_index(people["hire_date"]).to_numpy(dtype="int64")
    end = np.full(len(people), hi, dtype="int64")
    if "end_date" in people:
        end_dates = pd.to_datetime(people["end_date"])
        left = end_dates.notna().to_numpy()
        end[left] = _month_index(end_dates[left]).to_numpy(dtype="int64")
    first = np.maximum(hire, lo)
    last = np.minimum(np.minimum(end, hi), hire + max_tenure - 1)  # nothing beyond the curve
    length = np.clip(last - first + 1, 0, None)
    starts = np.repeat(first, length)
    offset = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    month_idx = starts + offset
    tenure_month = month_idx - np.repeat(hire, length) + 1  # 1 .. max_tenure
    keys = np.repeat(people["id"].astype("int64").to_numpy(), length) * MONTHS_PER_REP
    keys += month_idx
    return keys, tenure_month


def _rep_month_bookings(monthly_bookings: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Returns each (rep, month) key's bookings: 0 where nothing closed."""
    booked_keys = monthly_bookings["rep_id"].to_numpy(dtype="int64") * MONTHS_PER_REP
    booked_keys += _month_index(monthly_bookings["month"]).to_numpy(dtype="int64")
    booked, which = np.unique(booked_keys, return_inverse=True)
    sums = np.bincount(
        which, weights=monthly_bookings["bookings"].to_numpy(dtype=float), minlength=len(booked)
    )
    if not len(booked):
        return np.zeros(len(keys))
    at = np.minimum(np.searchsorted(booked, keys), len(booked) - 1)
    return np.where(booked[at] == keys, sums[at], 0.0)


def _months_to_ramp(
    curve: pd.DataFrame, level: Figure, threshold: float, ramped_from: int
) -> Figure:
    """Returns the first tenure month at ``threshold`` x the ramped level, or why none.

    The months before ``ramped_from`` are made non-decreasing first (weighted by the reps
    observed; `salesops.capacity.smoothing`), so one lucky month does not end the ramp: the
    same months to ramp the capacity model uses everywhere. ``ramped_from`` when no month
    before it reaches the threshold.
    """
    if level.value is None:
        return Figure.undefined(level.reason or "")
    window = curve[curve["tenure_month"] < ramped_from]
    values = window["bookings_per_rep"].to_numpy(dtype=float, na_value=np.nan)
    smooth = monotone_increasing(values, window["reps"].to_numpy(dtype=float))
    reached = np.flatnonzero(smooth >= threshold * level.value)
    return Figure(float(reached[0] + 1) if len(reached) else float(ramped_from))


@dataclass(frozen=True)
class RampValue:
    """What shortening the ramp by N months is worth per hire and per year of hiring."""

    months_shorter: int
    gain_per_hire: Figure
    hires_per_year: float
    gain_per_year: Figure
    by_month: pd.DataFrame = field(repr=False)

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict (without the per-month frame)."""
        return {
            "months_shorter": self.months_shorter,
            "gain_per_hire": self.gain_per_hire.value,
            "gain_per_hire_reason": self.gain_per_hire.reason,
            "hires_per_year": self.hires_per_year,
            "gain_per_year": self.gain_per_year.value,
            "gain_per_year_reason": self.gain_per_year.reason,
        }


def ramp_shortening_value(ramp: RampCurve, months: int, hires_per_year: float) -> RampValue:
    """Returns the bookings gained per new hire (and per year) if the ramp were N months shorter.

    The curve over the ramp window ``m = 1..W`` (``W = ramped_from - 1``) shifts N
    months earlier; months beyond the window take the ramped level:
    ``gain = sum_{m=1..W} (c[m+N] - c[m])``.

    Requires a RampCurve whose window months all have observations; otherwise the
    gain is undefined with the missing months named.
    """
    if months < 0:
        raise ValueError("months cannot be negative.")
    window = ramp.ramped_from - 1
    tenure = ramp.curve["tenure_month"].to_numpy()
    values = ramp.curve["bookings_per_rep"].to_numpy(dtype=float, na_value=np.nan)
    current = np.full(window, np.nan)
    inside = (tenure >= 1) & (tenure <= window)
    current[tenure[inside] - 1] = values[inside]
    empty = pd.DataFrame(columns=["tenure_month", "current", "shortened", "gain"])
    if ramp.ramped_level.value is None:
        undefined = Figure.undefined(ramp.ramped_level.reason or "ramped level undefined")
        return RampValue(months, undefined, hires_per_year, undefined, empty)
    missing = [str(m + 1) for m in np.flatnonzero(np.isnan(current))]
    if missing:
        undefined = Figure.undefined("no rep observed at tenure month(s) " + ", ".join(missing))
        return RampValue(months, undefined, hires_per_year, undefined, empty)
    shortened = np.append(current, np.full(months, ramp.ramped_level.value))[months:]
    frame = pd.DataFrame(
        {
            "tenure_month": np.arange(1, window + 1),
            "current": current,
            "shortened": shortened,
            "gain": shortened - current,
        }
    )
    gain = float((shortened - current).sum())
    return RampValue(months, Figure(gain), hires_per_year, Figure(gain * hires_per_year), frame)


def observed_hires_per_year(
    reps: pd.DataFrame, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> Figure:
    """Returns hires per year observed between start and end (hire_date inside the window).

    Requires column ``hire_date``.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    years = (hi - lo).days / 365.25
    if years <= 0:
        return Figure.undefined("empty window")
    hires = pd.to_datetime(reps["hire_date"]).between(lo, hi).sum()
    return Figure(float(hires) / years)
