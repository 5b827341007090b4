"""The quota calibration's track record: last year's quotas set this way, against what happened.

**Backtest**: stand at the start of the previous quota year (the origin), with only what was
known then (bookings, the ramp and the spread measured up to the origin), calibrate quotas
for that year's reps exactly as the plan does for next year, then count the reps who
actually booked at least their suggested quota over the year, and at least their quota of
record. Reps who left during the year are not counted (their year is incomplete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesops.calendar import Period, add_months
from salesops.capacity.ramp import RampModel, month_index, month_indexes
from salesops.capacity.report import build_capacity_model, capacity_inputs
from salesops.config import Settings
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory.outlook import outlook
from salesops.territory.quotas import QuotaPolicy, QuotaResult, calibrate_quotas


@dataclass(frozen=True)
class QuotaBacktest:
    """How the calibration did last year: target, expected and actual share at quota."""

    year: Period
    reps: int
    target_share: float
    expected_share: float | None
    actual_share: float | None
    actual_share_current: float | None
    reason: str | None
    notes: tuple[str, ...]

    def sentence(self) -> str:
        """Returns the track record as one sentence (or why there is none)."""
        if self.actual_share is None:
            return f"No track record: {self.reason}."
        current = (
            ""
            if self.actual_share_current is None
            else f" (on the quotas of record: {self.actual_share_current:.0%})"
        )
        expected = "" if self.expected_share is None else f", {self.expected_share:.0%} expected"
        return (
            f"Set this way at the start of {self.year.start:%b %Y}, {self.actual_share:.0%} of "
            f"{self.reps} reps reached their quota over the year (target "
            f"{self.target_share:.0%}{expected}){current}."
        )

    def to_json(self) -> dict[str, object]:
        """Returns the backtest as JSON."""
        return {
            "from": self.year.start.isoformat(),
            "to": self.year.end.isoformat(),
            "reps": self.reps,
            "target_share": self.target_share,
            "expected_share": self.expected_share,
            "actual_share": self.actual_share,
            "actual_share_current_quotas": self.actual_share_current,
            "reason": self.reason,
            "notes": list(self.notes),
            "sentence": self.sentence(),
        }


def _year_reps(repo: Repository, year: Period, origin: date, scope: Scope) -> pd.DataFrame:
    """Returns the reps employed at the origin with their quota of record and segment."""
    reps = repo.territory_reps(year, scope)
    segments = repo.territory_list().set_index("id")["segment"]
    reps["segment"] = reps["territory_id"].map(segments)
    hire = pd.to_datetime(reps["hire_date"])
    end = pd.to_datetime(reps["end_date"])
    started = hire.isna() | (hire <= pd.Timestamp(origin))
    employed = end.isna() | (end > pd.Timestamp(origin))
    return reps[started & employed].reset_index(drop=True)


@dataclass(frozen=True)
class BacktestInputs:
    """What a backtest reads once: the year, its reps, every rep's bookings by month, the ramp."""

    year: Period
    reps: pd.DataFrame
    monthly: pd.DataFrame
    ramp: RampModel


def backtest_inputs(
    repo: Repository,
    quota_year_start: date,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
) -> BacktestInputs:
    """Returns the inputs of the backtest of the year before `quota_year_start`."""
    chosen = settings or Settings()
    year = Period(add_months(quota_year_start, -12), quota_year_start - timedelta(days=1))
    origin = year.start - timedelta(days=1)
    model = build_capacity_model(capacity_inputs(repo, origin, chosen, history_end=origin), chosen)
    monthly = repo.bookings_by_rep_month(EVERYTHING)
    return BacktestInputs(year, _year_reps(repo, year, origin, scope), monthly, model.ramp)


def score_backtest(inputs: BacktestInputs, policy: QuotaPolicy) -> QuotaBacktest:
    """Returns the backtest of `policy` on the inputs' year (no query: a slider can move it)."""
    year, reps, monthly = inputs.year, inputs.reps, inputs.monthly
    if reps.empty or monthly.empty:
        return QuotaBacktest(year, 0, policy.attainment_target, None, None, None,
                             "no reps or no bookings in the year to test", ())  # fmt: skip
    origin = year.start - timedelta(days=1)
    view = outlook(monthly, reps, inputs.ramp, origin, policy.shrink_months)
    calibration = pd.DataFrame(
        {
            "rep_id": reps["id"],
            "rep": reps["name"],
            "territory": reps["territory_id"],
            "active": True,
            "current_quota": pd.to_numeric(reps["annual_quota"], errors="coerce").fillna(0.0),
        }
    )
    result = calibrate_quotas(view, calibration, policy)
    return _score(year, reps, monthly, result, policy, view.reason)


def quota_backtest(
    repo: Repository,
    quota_year_start: date,
    policy: QuotaPolicy,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
) -> QuotaBacktest:
    """Returns the track record of quotas calibrated for the year before `quota_year_start`."""
    return score_backtest(backtest_inputs(repo, quota_year_start, scope, settings), policy)


def _score(
    year: Period,
    reps: pd.DataFrame,
    monthly: pd.DataFrame,
    result: QuotaResult,
    policy: QuotaPolicy,
    reason: str | None,
) -> QuotaBacktest:
    """Returns the backtest: actual bookings over the year against suggested and current quotas."""
    first, last = month_index(year.start), month_index(year.end)
    months = month_indexes(monthly["month"])
    in_year = monthly[(months >= first) & (months <= last)]
    actual = in_year.groupby("rep_id")["bookings"].sum().reindex(reps["id"]).fillna(0.0).to_numpy()
    end = pd.to_datetime(reps["end_date"])
    whole = (end.isna() | (end > pd.Timestamp(year.end))).to_numpy()
    suggested = result.table["suggested_quota"].to_numpy(dtype="float64")
    current = result.table["current_quota"].to_numpy(dtype="float64")
    judged = whole & (suggested > 0)
    if result.expected_share_suggested is None or not judged.any():
        why = reason or "no rep with a suggested quota stayed the whole year"
        return QuotaBacktest(year, int(judged.sum()), policy.attainment_target, None, None, None,
                             why, result.notes)  # fmt: skip
    with_current = whole & (current > 0)
    share_current = (
        float(np.mean(actual[with_current] >= current[with_current]))
        if with_current.any()
        else None
    )
    return QuotaBacktest(
        year=year,
        reps=int(judged.sum()),
        target_share=policy.attainment_target,
        expected_share=result.expected_share_suggested,
        actual_share=float(np.mean(actual[judged] >= suggested[judged])),
        actual_share_current=share_current,
        reason=None,
        notes=result.notes,
    )
