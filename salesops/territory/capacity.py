"""Hours: what a rep can give (capacity, with the new-rep ramp) and what accounts need (workload).

Definitions (the page, the CLI and the tests all use these):

- **Capacity hours** of a rep = weekly_capacity_hours x working weeks per year x ramp, where
  ramp = clip(tenure_days / ramp_days, 0, 1) at `as_of` (a linear ramp; both numbers are
  Settings); a rep not yet started or already gone has ramp 0. Missing capacity hours count
  as 0. A territory's capacity is the sum over its reps.
- **Workload hours** = sum over accounts of the yearly coverage hours its segment needs
  (Settings `coverage_hours`, and `default_coverage_hours` for any other segment).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from salesops.territory.assumptions import TerritorySettings
from salesops.territory.columns import numeric


def as_date(value: object) -> date | None:
    """Returns the value as a date, None when it is missing (None, NaN or NaT)."""
    if value is None or pd.isna(value):  # NaT is a datetime subclass, so test NA first
        return None
    return pd.Timestamp(value).date()


def has_left(end_date: object, as_of: date) -> bool:
    """Returns True when a rep's end date is known and not after `as_of`."""
    end = as_date(end_date)
    return end is not None and end <= as_of


def ramp_factor(hire_date: object, end_date: object, as_of: date, ramp_days: int) -> float:
    """Returns the share of full capacity a rep has on `as_of` (0 before start or after leaving).

    Linear ramp: tenure_days / ramp_days, capped at 1. An unknown hire date counts as ramped.
    """
    if has_left(end_date, as_of):
        return 0.0
    hire = as_date(hire_date)
    if hire is None:
        return 1.0
    tenure = (as_of - hire).days
    if tenure < 0:
        return 0.0
    if ramp_days <= 0:
        return 1.0
    return min(1.0, tenure / ramp_days)


def _ramp_integral(t0: float, t1: float, ramp_days: int) -> float:
    """Returns the integral over tenure t in [t0, t1] of clip(t / ramp_days, 0, 1), in days."""
    a, b = max(t0, 0.0), max(t1, 0.0)
    ramping = (min(b, ramp_days) ** 2 - a**2) / (2 * ramp_days) if a < ramp_days else 0.0
    full = b - max(a, ramp_days) if b > ramp_days else 0.0
    return ramping + full


def year_ramp_factor(hire_date: object, end_date: object, as_of: date, ramp_days: int) -> float:
    """Returns the average ramp over the 365 days from `as_of` (the quota year).

    The linear ramp clip(tenure / ramp_days, 0, 1) integrated over the year (days before the
    start date count 0, so do days after a known end date), divided by 365. 0 for a rep who
    has left. E.g. 90 days in with a 180-day ramp: (90 x 0.75 + 275 x 1) / 365.
    """
    end = as_date(end_date)
    if end is not None and end <= as_of:
        return 0.0
    days = 365 if end is None else min(365, (end - as_of).days)
    hire = as_date(hire_date)
    if hire is None or ramp_days <= 0:
        return days / 365
    tenure = (as_of - hire).days
    return _ramp_integral(tenure, tenure + days, ramp_days) / 365


def rep_capacity(reps: pd.DataFrame, as_of: date, settings: TerritorySettings) -> pd.DataFrame:
    """Returns reps with ramp and yearly capacity hours on `as_of`.

    Requires columns id, territory_id, weekly_capacity_hours, hire_date, end_date.
    Returns a frame with the input columns plus ramp, active and capacity_hours.
    """
    out = reps.copy()
    out["ramp"] = [
        ramp_factor(h, e, as_of, settings.ramp_days)
        for h, e in zip(out["hire_date"], out["end_date"], strict=True)
    ]
    ended = [has_left(e, as_of) for e in out["end_date"]]
    out["active"] = ~pd.Series(ended, index=out.index, dtype=bool)
    weekly = numeric(out, "weekly_capacity_hours").clip(lower=0)
    out["capacity_hours"] = (weekly * settings.working_weeks_per_year * out["ramp"]).astype(
        "float64"
    )
    return out


def account_workload(accounts: pd.DataFrame, settings: TerritorySettings) -> pd.Series:
    """Returns the yearly coverage hours of each account row's segment (float64, row index)."""
    codes, segments = pd.factorize(accounts["segment"])  # fast on 100k rows, NA -> -1
    hours = np.array([settings.coverage_for(name) for name in segments] + [0.0])
    out = np.where(codes >= 0, hours[codes], settings.default_coverage_hours)
    return pd.Series(out, index=accounts.index, dtype="float64")


def account_count(accounts: pd.DataFrame) -> pd.Series:
    """Returns 1 per account row, or the `accounts` column of pre-aggregated rows."""
    if "accounts" in accounts:
        return numeric(accounts, "accounts")
    return pd.Series(1.0, index=accounts.index)
