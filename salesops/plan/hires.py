"""Hires: what a new rep brings, and how many each territory needs for coverage and bookings.

A **hire** starts Settings `plan_hiring_lead_months` after the quota year begins and ramps
along the one measured ramp (`salesops.capacity.ramp`). Per segment:
- full capacity = the segment's median weekly hours x working weeks x the team's selling share;
- first-year bookings = the segment's bookings per ramped month x the hire's ramped months
  in the quota year; first-year quota = that x the same chance factor as today's reps;
- first-year cost = the segment's median annual cost x the months employed / 12.
**Coverage hires** of a territory: the number of fully ramped hires that brings its
utilisation nearest Settings `plan_target_utilisation`, counting only the capacity of reps
who stay all year (one more while it would still be over-loaded). **Bookings hires**: while
the hires' quotas fall short of the bookings gap (the target minus what today's reps carry),
one more goes to the territory with the most potential per selling hour, up to Settings
`plan_max_hires`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import add_months
from salesops.capacity.model import CapacityModel
from salesops.capacity.ramp import RampModel
from salesops.territory.outlook import Outlook

YEAR = 12


@dataclass(frozen=True)
class HireProfile:
    """What one new rep of a segment brings in the quota year, and from when."""

    segment: str
    start: date
    ramped_by: date
    full_capacity_hours: float
    year_capacity_hours: float
    expected_bookings: float
    quota: float
    cost: float | None


def ramped_months(ramp: RampModel, lead_months: int) -> float:
    """Returns the ramped months in the year of a rep starting `lead_months` into it."""
    tenure = np.arange(YEAR) - lead_months + 1
    return float(ramp.at(np.where(tenure >= 1, tenure, 0)).sum())


def hire_profiles(
    reps: pd.DataFrame,
    model: CapacityModel,
    outlook: Outlook,
    chance: float,
    year_start: date,
    lead_months: int,
) -> dict[str, HireProfile]:
    """Returns the hire profile of each segment of `reps` (and "(team)" for any other).

    Requires columns segment, weekly_hours, annual_cost in `reps`.
    """
    start = add_months(year_start, lead_months)
    ramped_by = add_months(start, model.ramp.months_to_ramp - 1)
    months = ramped_months(model.ramp, lead_months)
    share = model.team_selling_share.value or 0.0
    employed = max(0, YEAR - lead_months) / YEAR
    keys = reps["segment"].astype("object").fillna("(no segment)").astype(str)
    out = {}
    for segment in [*pd.unique(keys), "(team)"]:
        mine = reps[keys == segment] if segment != "(team)" else reps
        weekly = float(mine["weekly_hours"].median()) if len(mine) else model.default_weekly_hours
        full = weekly * model.working_weeks * share
        rate = outlook.rates.get(segment, float(np.mean(list(outlook.rates.values()) or [0.0])))
        costs = pd.to_numeric(mine["annual_cost"], errors="coerce").dropna()
        expected = rate * months
        out[segment] = HireProfile(
            segment=segment,
            start=start,
            ramped_by=ramped_by,
            full_capacity_hours=full,
            year_capacity_hours=full * months / YEAR,
            expected_bookings=expected,
            quota=expected * outlook.factor(segment, chance),
            cost=float(costs.median()) * employed if len(costs) else None,
        )
    return out


def coverage_hires(
    territories: pd.DataFrame, profiles: dict[str, HireProfile], target: float, over: float
) -> pd.Series:
    """Returns the hires that bring each territory's workload nearest `target` utilisation.

    The number of fully ramped hires whose capacity, with what the territory keeps, comes
    nearest the workload / target (rounded), plus one more while that still leaves the
    territory over-loaded (above `over`). Requires columns segment, workload_hours,
    kept_capacity_hours (the fully ramped capacity of the reps who stay all year).
    """
    workload = territories["workload_hours"].to_numpy(dtype="float64")
    kept = territories["kept_capacity_hours"].to_numpy(dtype="float64")
    per_hire = _profile_values(territories, profiles, "full_capacity_hours")
    safe = np.where(per_hire > 0, per_hire, 1.0)
    need = (workload / max(target, 1e-9) - kept) / safe
    hires = np.where(per_hire > 0, np.maximum(np.floor(need + 0.5), 0.0), 0.0)
    still_over = (per_hire > 0) & (workload > over * (kept + hires * per_hire))
    hires = hires + still_over
    return pd.Series(hires.astype(int), index=territories.index)


def _profile_values(
    territories: pd.DataFrame, profiles: dict[str, HireProfile], field: str
) -> np.ndarray:
    """Returns each territory's hire profile value `field` (the team's for other segments)."""
    keys = territories["segment"].astype("object").fillna("(no segment)").astype(str)
    return np.array(
        [getattr(profiles.get(k, profiles["(team)"]), field) for k in keys], dtype="float64"
    )


def bookings_hires(
    territories: pd.DataFrame,
    profiles: dict[str, HireProfile],
    hires: pd.Series,
    gap: float,
    limits: tuple[int, float],
) -> tuple[pd.Series, float, int]:
    """Returns (more hires per territory, gap left, hires below the under-loaded line).

    Each further hire goes to the territory with the most potential per selling hour among
    those it would leave at or above the under-loaded line (`limits`: most hires, that
    line); when none is left, to the one with the most potential per hour anyway (counted).
    Requires columns potential, workload_hours, kept_capacity_hours.
    """
    max_hires, under = limits
    quota = _profile_values(territories, profiles, "quota")
    per_hire = _profile_values(territories, profiles, "full_capacity_hours")
    extra = np.zeros(len(territories), dtype=int)
    left = gap - float((hires.to_numpy() * quota).sum())
    potential = territories["potential"].to_numpy(dtype="float64")
    workload = territories["workload_hours"].to_numpy(dtype="float64")
    kept = territories["kept_capacity_hours"].to_numpy(dtype="float64")
    total, idle = int(hires.sum()), 0
    while left > 0 and total < max_hires and (quota > 0).any():
        capacity = kept + (hires.to_numpy() + extra) * per_hire
        pph = np.where(quota > 0, potential / np.maximum(capacity, 1.0), -np.inf)
        loaded = workload >= under * (capacity + per_hire)
        room = np.where(loaded, pph, -np.inf)
        best = int(np.argmax(room)) if np.isfinite(room).any() else int(np.argmax(pph))
        idle += 0 if loaded[best] else 1
        extra[best] += 1
        total += 1
        left -= float(quota[best])
    return pd.Series(extra, index=territories.index), max(0.0, left), idle
