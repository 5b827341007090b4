"""The capacity model: each rep's selling hours per year, today and over the year ahead.

**Capacity** (selling capacity hours per year) of a rep = available hours x selling share x
ramp, where available hours = weekly hours (reps.weekly_capacity_hours; Settings
`default_weekly_hours` when missing, labelled) x Settings `working_weeks_per_year`, the
selling share comes from `salesops.capacity.selling` and the ramp from
`salesops.capacity.ramp` at the rep's tenure month on the analysis date. A rep who has left,
or has not started yet, has 0; a rep with 0 weekly hours has 0 (utilisation undefined).
**Capacity over the year** averages the ramp over the 12 months after the analysis date,
counting 0 after a known end date. A territory's capacity is the sum over its reps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesops.capacity.ramp import RampModel, month_index, month_indexes, tenure_months
from salesops.capacity.selling import SellingShares
from salesops.figures import Figure

REPS_TABLE = "reps table"
ASSUMED_HOURS = "assumed (no weekly hours)"
YEAR_MONTHS = 12


@dataclass(frozen=True)
class CapacityModel:
    """What every page's capacity figures come from, read once at one analysis date."""

    as_of: date
    ramp: RampModel
    shares: SellingShares
    working_weeks: float
    default_weekly_hours: float

    @property
    def team_selling_share(self) -> Figure:
        """Returns the team's selling share (measured, or the assumed default with a reason)."""
        return self.shares.team_share

    def describe(self) -> str:
        """Returns the sentence that defines capacity with the numbers in use."""
        return (
            f"Capacity = weekly hours × {self.working_weeks:g} working weeks × selling share × "
            f"ramp. {self.shares.describe()} {self.ramp.describe()}"
        )

    def to_json(self) -> dict[str, object]:
        """Returns the model's assumptions as JSON (ramp, team share, weeks)."""
        return {
            "as_of": self.as_of.isoformat(),
            "working_weeks_per_year": self.working_weeks,
            "default_weekly_hours": self.default_weekly_hours,
            "team_selling_share": self.team_selling_share.value,
            "team_selling_share_source": self.shares.team_source,
            "ramp": self.ramp.to_json(),
            "definition": self.describe(),
        }


def _employed_months(reps: pd.DataFrame, as_of: date) -> np.ndarray:
    """Returns, per rep, 1 for each of the 12 months after `as_of` they are employed in."""
    first = month_index(as_of) + 1
    months = first + np.arange(YEAR_MONTHS)[None, :]
    hire = month_indexes(reps["hire_date"])
    end = month_indexes(reps["end_date"]) if "end_date" in reps else np.full(len(reps), np.nan)
    started = np.isnan(hire)[:, None] | (months >= hire[:, None])
    # A rep leaving during a month still works part of it: count months before the end month.
    staying = np.isnan(end)[:, None] | (months < end[:, None])
    return (started & staying).astype("float64")


def _left(reps: pd.DataFrame, as_of: date) -> np.ndarray:
    """Returns True for reps whose known end date is on or before `as_of`."""
    if "end_date" not in reps:
        return np.zeros(len(reps), dtype=bool)
    end = pd.to_datetime(reps["end_date"])
    return (end.notna() & (end <= pd.Timestamp(as_of))).to_numpy(dtype=bool)


def rep_capacity(reps: pd.DataFrame, model: CapacityModel) -> pd.DataFrame:
    """Returns the reps with their selling capacity hours on the model's date and over the year.

    Requires columns id, weekly_capacity_hours, hire_date, end_date. Returns the input columns
    plus weekly_hours, weekly_hours_source, available_hours, selling_share, share_source,
    full_capacity_hours (fully ramped), tenure_month, ramp, active, capacity_hours (per year
    at today's ramp), year_ramp and year_capacity_hours (the year ahead).
    """
    out = reps.copy()
    weekly = pd.to_numeric(out["weekly_capacity_hours"], errors="coerce").astype("float64")
    out["weekly_hours"] = weekly.fillna(model.default_weekly_hours).clip(lower=0)
    out["weekly_hours_source"] = np.where(weekly.isna(), ASSUMED_HOURS, REPS_TABLE)
    out["available_hours"] = out["weekly_hours"] * model.working_weeks
    shares = model.shares.reps.set_index("rep_id")
    ids = out["id"].astype("int64")
    team = model.team_selling_share.value or 0.0
    out["selling_share"] = ids.map(shares["selling_share"]).fillna(team).astype("float64")
    out["share_source"] = ids.map(shares["share_source"]).fillna(model.shares.team_source)
    out["full_capacity_hours"] = out["available_hours"] * out["selling_share"]
    tenure = tenure_months(out["hire_date"], model.as_of)
    left = _left(out, model.as_of)
    out["tenure_month"] = tenure
    out["ramp"] = np.where(left, 0.0, model.ramp.at(tenure))
    out["active"] = ~left
    out["capacity_hours"] = out["full_capacity_hours"] * out["ramp"]
    ahead = model.ramp.over_months(tenure + 1, YEAR_MONTHS) * _employed_months(out, model.as_of)
    out["year_ramp"] = np.where(left, 0.0, ahead.mean(axis=1))
    out["year_capacity_hours"] = out["full_capacity_hours"] * out["year_ramp"]
    return out
