"""Quota suggestions ("Goldilocks" targets): each rep's fair share of a team target.

A rep's base share = potential weight x share of team potential + history weight x share of
team bookings (last 12 months), both weights Settings. Reps with less than a full history
(Settings `quota_full_history_days`) get their potential share only. The base share is
multiplied by the rep's average ramp over the quota year and everything is scaled to the team
target, rounded to cents so the suggestions add up to it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.territory.capacity import as_date, year_ramp_factor
from salesops.territory.columns import numeric

_UNKNOWN_TENURE = 10**6  # an unknown hire date counts as a long history


@dataclass(frozen=True)
class QuotaWeights:
    """How a quota suggestion blends territory potential and booking history.

    A rep's base share = potential_weight x share of team potential + history_weight x share of
    team bookings (last 12 months). Reps with less than `full_history_days` of tenure have
    incomplete history, so their base share is their potential share only. The base share is
    then multiplied by the rep's average ramp over the quota year and everything is scaled to
    the team target. `tolerance` is how far a current quota may sit from the suggestion before
    it is flagged over- or under-assigned.
    """

    potential_weight: float
    history_weight: float
    full_history_days: int
    tolerance: float

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QuotaWeights:
        """Returns the quota weights of `settings`, with `overrides` by field name."""
        chosen = cls(
            potential_weight=settings.quota_potential_weight,
            history_weight=settings.quota_history_weight,
            full_history_days=settings.quota_full_history_days,
            tolerance=settings.quota_tolerance,
        )
        return replace(chosen, **overrides)


def _largest_remainder(raw: np.ndarray, total_cents: int) -> np.ndarray:
    """Returns integers proportional to raw that sum exactly to total_cents."""
    if raw.sum() <= 0:
        return np.zeros(len(raw), dtype=np.int64)
    exact = raw / raw.sum() * total_cents
    floor = np.floor(exact).astype(np.int64)
    short = int(total_cents - floor.sum())
    if short > 0:
        order = np.lexsort((np.arange(len(raw)), -(exact - floor)))
        floor[order[:short]] += 1
    return floor


def _ramp_and_tenure(r: pd.DataFrame, as_of: date, ramp_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns each rep's average ramp over the quota year and tenure in days at `as_of`."""
    year_ramp = np.array(
        [
            year_ramp_factor(h, e, as_of, ramp_days)
            for h, e in zip(r["hire_date"], r["end_date"], strict=True)
        ],
        dtype="float64",
    )
    hires = [as_date(h) for h in r["hire_date"]]
    tenure = np.array([_UNKNOWN_TENURE if h is None else (as_of - h).days for h in hires])
    return year_ramp, tenure


def _shares(
    r: pd.DataFrame, active: np.ndarray, tenure: np.ndarray, w: QuotaWeights
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Returns (potential share, history share, full history?, blended base share) per rep."""
    pot = numeric(r, "potential").clip(lower=0).to_numpy() * active
    hist = numeric(r, "bookings_12m").clip(lower=0).to_numpy() * active
    pot_share = (
        pot / pot.sum() if pot.sum() > 0 else np.where(active, 1.0 / max(1, active.sum()), 0.0)
    )
    hist_share = hist / hist.sum() if hist.sum() > 0 else np.zeros(len(r))
    full_hist = (tenure >= w.full_history_days) & (hist.sum() > 0)
    total_w = w.potential_weight + w.history_weight
    base = np.where(
        full_hist,
        (w.potential_weight * pot_share + w.history_weight * hist_share) / total_w,
        pot_share,
    )
    return pot_share, hist_share, full_hist, base


def _flags(
    active: np.ndarray, current: np.ndarray, suggested: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (current / suggested - 1, flag, reason) per rep."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(suggested > 0, current / np.where(suggested > 0, suggested, 1) - 1, np.nan)
    flag = np.where(
        ~active,
        "inactive",
        np.where(
            suggested <= 0,
            np.where(current > 0, "over-assigned", "fair"),
            np.where(
                ratio > tolerance,
                "over-assigned",
                np.where(ratio < -tolerance, "under-assigned", "fair"),
            ),
        ),
    )
    none = np.array(None, dtype=object)  # np.where's stubs take arrays, not a bare None
    reason = np.where(
        ~active,
        "not active in the quota year",
        np.where(suggested <= 0, "no suggested quota", none),
    )
    return ratio, flag, reason


def suggest_quotas(
    rep_frame: pd.DataFrame,
    reps: pd.DataFrame,
    team_target: float | None,
    as_of: date,
    weights: QuotaWeights,
    ramp_days: int,
) -> pd.DataFrame:
    """Returns a suggested annual quota per rep beside the current one, summing to the target.

    Requires columns:
      rep_frame (from `rep_metrics`): rep_id, rep, territory_id, territory, potential,
        bookings_12m, annual_quota;
      reps: id, hire_date, end_date.
    `team_target` None means the sum of current quotas of active reps. Suggestions are
    rounded to cents so that they add up to the target exactly. Returns a frame with columns
    rep_id, rep, territory, potential_share, history_share, year_ramp, suggested_quota,
    current_quota, difference (current - suggested), difference_ratio, flag
    ("over-assigned", "under-assigned", "fair", "inactive") and reason.
    """
    r = rep_frame.merge(
        reps[["id", "hire_date", "end_date"]], left_on="rep_id", right_on="id", how="left"
    )
    year_ramp, tenure = _ramp_and_tenure(r, as_of, ramp_days)
    active = year_ramp > 0
    current = numeric(r, "annual_quota").to_numpy()
    target = float(current[active].sum()) if team_target is None else float(team_target)
    pot_share, hist_share, full_hist, base = _shares(r, active, tenure, weights)
    raw = base * year_ramp
    cents = (
        _largest_remainder(raw, round(target * 100)) if target > 0 else np.zeros(len(r), np.int64)
    )
    suggested = cents / 100.0
    ratio, flag, reason = _flags(active, current, suggested, weights.tolerance)
    out = pd.DataFrame(
        {
            "rep_id": r["rep_id"],
            "rep": r["rep"],
            "territory": r["territory"],
            "potential_share": pot_share,
            "history_share": np.where(full_hist, hist_share, np.nan),
            "year_ramp": year_ramp,
            "suggested_quota": suggested,
            "current_quota": current,
            "difference": current - suggested,
            "difference_ratio": pd.Series(ratio).astype("Float64"),
            "flag": flag,
            "reason": pd.Series(reason, dtype="object"),
        }
    )
    out["history_share"] = out["history_share"].astype("Float64")
    return out
