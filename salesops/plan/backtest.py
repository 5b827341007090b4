"""The quota calibration's track record: quotas set this way in the past, against what happened.

**Backtest** (rolling origin, as the forecast's): for each of the last Settings
`quota_backtest_origins` months whose year ahead is fully observed (the most recent is the
start of last quota year), stand at the start of that month with only what was known then
(bookings, the ramp and the spread measured up to the origin), calibrate quotas for that
year's reps exactly as the plan does for next year, then count the reps who actually booked
at least their suggested quota over the year, and at least their quota of record. Reps who
left during the year are not counted (their year is incomplete); an origin with too little
history to measure the spread is skipped. The shares are pooled over every origin's
rep-years (one year of one team is a handful of reps, all sharing that year's luck), and
last year's alone is shown beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesops.calendar import Period, add_months
from salesops.capacity.ramp import month_index, month_indexes
from salesops.capacity.report import CapacityInputs, measured_ramp
from salesops.config import Settings
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory.outlook import Outlook, outlook
from salesops.territory.quotas import QuotaPolicy, suggested_quotas


@dataclass(frozen=True)
class YearScore:
    """One origin's year: reps judged, their mean chance, and how many reached quota."""

    year: Period
    reps: int
    expected: float  # the sum of the judged reps' chances at their suggested quota
    reached: int
    current_reps: int
    reached_current: int


@dataclass(frozen=True)
class QuotaBacktest:
    """How the calibration did: target, expected and actual share at quota, pooled and last year."""

    year: Period  # last quota year
    reps: int
    target_share: float
    expected_share: float | None
    actual_share: float | None
    actual_share_current: float | None
    reason: str | None
    notes: tuple[str, ...]
    years: tuple[YearScore, ...] = ()

    @property
    def rep_years(self) -> int:
        """Returns the rep-years judged over every origin."""
        return sum(y.reps for y in self.years)

    def pooled(self, field: str) -> float | None:
        """Returns the pooled share `field`: "expected", "actual" or "current" (None: none)."""
        if field == "current":
            n = sum(y.current_reps for y in self.years)
            return sum(y.reached_current for y in self.years) / n if n else None
        n = self.rep_years
        if not n:
            return None
        hits = sum(y.expected if field == "expected" else y.reached for y in self.years)
        return float(hits) / n

    def sentence(self) -> str:
        """Returns the track record as one sentence (or why there is none)."""
        if not self.years:
            return f"No track record: {self.reason}."
        actual, expected, current = (self.pooled(f) for f in ("actual", "expected", "current"))
        first, last = self.years[-1].year.start, self.years[0].year.start
        on_record = "" if current is None else f"; on the quotas of record {current:.0%}"
        alone = (
            ""
            if self.actual_share is None
            else f" Last year alone (from {self.year.start:%b %Y}): {self.actual_share:.0%} of "
            f"{self.reps} reps."
        )
        return (
            f"Set this way at the start of each of {len(self.years)} months ({first:%b %Y} – "
            f"{last:%b %Y}), {actual or 0:.0%} of {self.rep_years} rep-years reached their "
            f"quota over the year ahead (target {self.target_share:.0%}, {expected or 0:.0%} "
            f"expected{on_record}).{alone}"
        )

    def to_json(self) -> dict[str, object]:
        """Returns the backtest as JSON (last year's figures and the pooled ones)."""
        return {
            "from": self.year.start.isoformat(),
            "to": self.year.end.isoformat(),
            "reps": self.reps,
            "target_share": self.target_share,
            "expected_share": self.expected_share,
            "actual_share": self.actual_share,
            "actual_share_current_quotas": self.actual_share_current,
            "pooled": {
                "origins": len(self.years),
                "rep_years": self.rep_years,
                "expected_share": self.pooled("expected"),
                "actual_share": self.pooled("actual"),
                "actual_share_current_quotas": self.pooled("current"),
                "years": [
                    {"from": y.year.start.isoformat(), "reps": y.reps, "reached": y.reached}
                    for y in self.years
                ],
            },
            "reason": self.reason,
            "notes": list(self.notes),
            "sentence": self.sentence(),
        }


@dataclass(frozen=True)
class YearInputs:
    """One origin's year: its reps (quota of record), the outlook from the origin, actuals."""

    year: Period
    reps: pd.DataFrame
    outlook: Outlook
    actual: np.ndarray  # bookings per rep over the year
    whole: np.ndarray  # True: employed the whole year


@dataclass(frozen=True)
class BacktestInputs:
    """What a backtest reads once: every origin's year, most recent (last year) first."""

    year: Period
    years: tuple[YearInputs, ...]
    shrink: float


def _year_reps(
    repo: Repository, year: Period, origin: date, scope: Scope, segments: pd.Series
) -> pd.DataFrame:
    """Returns the reps employed at the origin with their quota of record and segment."""
    reps = repo.territory_reps(year, scope)
    reps["segment"] = reps["territory_id"].map(segments)
    hire = pd.to_datetime(reps["hire_date"])
    end = pd.to_datetime(reps["end_date"])
    started = hire.isna() | (hire <= pd.Timestamp(origin))
    employed = end.isna() | (end > pd.Timestamp(origin))
    return reps[started & employed].reset_index(drop=True)


def _actuals(monthly: pd.DataFrame, reps: pd.DataFrame, year: Period) -> np.ndarray:
    """Returns each rep's bookings over the year's months."""
    months = month_indexes(monthly["month"])
    keep = (months >= month_index(year.start)) & (months <= month_index(year.end))
    booked = monthly[keep].groupby("rep_id")["bookings"].sum()
    return booked.reindex(reps["id"].to_numpy()).fillna(0.0).to_numpy(dtype="float64")


def backtest_inputs(
    repo: Repository,
    quota_year_start: date,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
) -> BacktestInputs:
    """Returns the inputs of the backtest whose last year ends the day before `quota_year_start`.

    Reads every rep's bookings by month, the reps and the territories once, and each origin's
    quotas of record; measures each origin's ramp and outlook from what was known then.
    """
    chosen = settings or Settings()
    monthly = repo.bookings_by_rep_month(EVERYTHING)
    everyone = repo.time_reps(EVERYTHING)
    segments = repo.territory_list().set_index("id")["segment"]
    bounds = repo.closed_bounds()
    empty = pd.DataFrame(columns=["rep_id", "activity", "hours"])
    months = month_indexes(monthly["month"]) if len(monthly) else np.array([])
    years = []
    for k in range(max(int(chosen.quota_backtest_origins), 1)):
        year = Period(add_months(quota_year_start, -12 - k),
                      add_months(quota_year_start, -k) - timedelta(days=1))  # fmt: skip
        origin = year.start - timedelta(days=1)
        known = monthly[months <= month_index(origin)] if len(monthly) else monthly
        last = None if bounds["last"] is None else min(bounds["last"], origin)
        history = CapacityInputs(origin, everyone, empty, empty, known, bounds["first"], last)
        reps = _year_reps(repo, year, origin, scope, segments)
        view = outlook(monthly, reps, measured_ramp(history, chosen), origin,
                       chosen.quota_shrink_months)  # fmt: skip
        end = pd.to_datetime(reps["end_date"])
        whole = (end.isna() | (end > pd.Timestamp(year.end))).to_numpy(dtype=bool)
        years.append(YearInputs(year, reps, view, _actuals(monthly, reps, year), whole))
    return BacktestInputs(years[0].year, tuple(years), float(chosen.quota_shrink_months))


def _score_year(inputs: YearInputs, policy: QuotaPolicy) -> tuple[YearScore | None, tuple]:
    """Returns one year's score (None: no spread or nobody to judge) and the calibration notes."""
    reps, view = inputs.reps, inputs.outlook
    if reps.empty or view.spread is None:
        return None, ()
    current = pd.to_numeric(reps["annual_quota"], errors="coerce").fillna(0.0).to_numpy()
    active = np.ones(len(reps), dtype=bool)
    suggested, _, _, _, notes, _ = suggested_quotas(view, active, current, policy)
    chance = np.nan_to_num(view.chance(suggested), nan=0.0)
    judged = inputs.whole & (suggested > 0)
    if not judged.any():
        return None, tuple(notes)
    on_record = inputs.whole & (current > 0)
    score = YearScore(
        year=inputs.year,
        reps=int(judged.sum()),
        expected=float(chance[judged].sum()),
        reached=int((inputs.actual[judged] >= suggested[judged]).sum()),
        current_reps=int(on_record.sum()),
        reached_current=int((inputs.actual[on_record] >= current[on_record]).sum()),
    )
    return score, tuple(notes)


def score_backtest(inputs: BacktestInputs, policy: QuotaPolicy) -> QuotaBacktest:
    """Returns the backtest of `policy` over the inputs' origins (no query: a slider moves it)."""
    scored = []
    last_notes: tuple = ()
    for i, year in enumerate(inputs.years):
        view = year.outlook  # measured with the inputs' quota_shrink_months
        score, notes = _score_year(year, policy)
        if i == 0:
            last_notes = notes
        if score is not None:
            scored.append(score)
        elif i == 0 and view.reason:
            last_notes = (*notes, f"Last year: {view.reason}.")
    if not scored:
        return QuotaBacktest(inputs.year, 0, policy.attainment_target, None, None, None,
                             _no_record(inputs), last_notes)  # fmt: skip
    last = scored[0] if scored[0].year == inputs.year else None
    return QuotaBacktest(
        year=inputs.year,
        reps=0 if last is None else last.reps,
        target_share=policy.attainment_target,
        expected_share=None if last is None else last.expected / last.reps,
        actual_share=None if last is None else last.reached / last.reps,
        actual_share_current=_current_share(last),
        reason=None,
        notes=last_notes,
        years=tuple(scored),
    )


def _current_share(last: YearScore | None) -> float | None:
    """Returns last year's share of reps at their quota of record (None without any)."""
    if last is None or not last.current_reps:
        return None
    return last.reached_current / last.current_reps


def _no_record(inputs: BacktestInputs) -> str:
    """Returns why no origin could be scored."""
    reasons = [y.outlook.reason for y in inputs.years if y.outlook.reason]
    if reasons:
        return reasons[0]
    return "no reps or no bookings in the years to test"


def quota_backtest(
    repo: Repository,
    quota_year_start: date,
    policy: QuotaPolicy,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
) -> QuotaBacktest:
    """Returns the track record of quotas calibrated for the years before `quota_year_start`."""
    return score_backtest(backtest_inputs(repo, quota_year_start, scope, settings), policy)
