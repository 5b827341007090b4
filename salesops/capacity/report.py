"""Reads what the capacity model needs and builds it: the one CapacityModel every page uses.

Four small queries: the reps, hours per rep and activity over the 12 months to the analysis
date (running totals), the activity catalogue, and bookings per rep and month of the reps
hired within the data (the ramp curve, on the monthly rollup). The ramp is measured on the
whole company over all history up to `history_end` (default: the last close), so every page
and every filter shows the same ramp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Period, add_months, trailing_months
from salesops.capacity.model import CapacityModel
from salesops.capacity.ramp import RampModel, default_ramp, ramp_model
from salesops.capacity.selling import SellingShares, selling_hours_by_rep, selling_shares
from salesops.config import Settings
from salesops.repository import EVERYTHING, Repository
from salesops.time_allocation.ramp import ramp_curve


def year_to(as_of: date) -> Period:
    """Returns the 12 months to `as_of`: whole months when it is a month end, else 365 days."""
    if (as_of + timedelta(days=1)).day == 1:
        return trailing_months(as_of, 12)
    return Period(as_of - timedelta(days=364), as_of)


@dataclass(frozen=True)
class CapacityInputs:
    """The frames the capacity model is built from (what the repository returns)."""

    as_of: date
    reps: pd.DataFrame
    rep_activity: pd.DataFrame
    activity_types: pd.DataFrame
    monthly_bookings: pd.DataFrame
    history_start: date | None
    history_end: date | None


def _ramp_history(
    repo: Repository, settings: Settings, history_end: date | None
) -> tuple[pd.DataFrame, date | None, date | None]:
    """Returns (bookings by rep and month of reps hired within the data, first, last close)."""
    bounds = repo.closed_bounds()
    first, last = bounds["first"], bounds["last"]
    end = last if history_end is None or last is None else min(last, history_end)
    hired_since = add_months(first, -settings.ramp_max_tenure_months) if first else None
    monthly = repo.bookings_by_rep_month(EVERYTHING, hired_since=hired_since)
    if end is not None and len(monthly):
        monthly = monthly[pd.to_datetime(monthly["month"]) <= pd.Timestamp(end)]
    return monthly, first, end


def capacity_inputs(
    repo: Repository, as_of: date, settings: Settings, history_end: date | None = None
) -> CapacityInputs:
    """Returns the capacity model's inputs read at `as_of`.

    `history_end` bounds the bookings the ramp is measured on (default: the last close; a
    backtest passes its origin so nothing after it is seen).
    """
    monthly, first, end = _ramp_history(repo, settings, history_end)
    return CapacityInputs(
        as_of=as_of,
        reps=repo.time_reps(EVERYTHING),
        rep_activity=repo.activity_hours_by_rep(year_to(as_of), EVERYTHING),
        activity_types=repo.activity_types(),
        monthly_bookings=monthly,
        history_start=first,
        history_end=end,
    )


def company_ramp(repo: Repository, settings: Settings | None = None) -> RampModel:
    """Returns the one ramp, measured on the whole company (what the Forecast what-if uses).

    The same as `capacity_model(...).ramp`, reading only the ramp's two queries.
    """
    chosen = settings or Settings()
    monthly, first, end = _ramp_history(repo, chosen, None)
    reps = repo.time_reps(EVERYTHING)
    empty = pd.DataFrame(columns=["rep_id", "activity", "hours"])
    inputs = CapacityInputs(end or date.today(), reps, empty, empty, monthly, first, end)
    return measured_ramp(inputs, chosen)


def measured_ramp(inputs: CapacityInputs, settings: Settings) -> RampModel:
    """Returns the company's ramp from the inputs' bookings history (or the default)."""
    if inputs.history_start is None or inputs.history_end is None:
        reason = "no closed deals to measure it"
        return default_ramp(settings.default_ramp_months, settings.ramp_threshold, reason)
    curve = ramp_curve(
        inputs.monthly_bookings,
        inputs.reps,
        window_start=pd.Timestamp(inputs.history_start),
        window_end=pd.Timestamp(inputs.history_end),
        ramped_from=settings.ramped_from_month,
        max_tenure=settings.ramp_max_tenure_months,
        threshold=settings.ramp_threshold,
    )
    return ramp_model(curve, settings.default_ramp_months, settings.min_ramp_hires)


def shares_of(inputs: CapacityInputs, settings: Settings) -> SellingShares:
    """Returns every rep's selling share over the 12 months to the analysis date."""
    hours = selling_hours_by_rep(inputs.rep_activity, inputs.activity_types)
    return selling_shares(
        inputs.reps["id"], hours, settings.min_logged_hours, settings.default_selling_share
    )


def build_capacity_model(inputs: CapacityInputs, settings: Settings) -> CapacityModel:
    """Returns the capacity model of the inputs under `settings`."""
    return CapacityModel(
        as_of=inputs.as_of,
        ramp=measured_ramp(inputs, settings),
        shares=shares_of(inputs, settings),
        working_weeks=float(settings.working_weeks_per_year),
        default_weekly_hours=float(settings.default_weekly_hours),
    )


def capacity_model(
    repo: Repository, as_of: date, settings: Settings | None = None
) -> CapacityModel:
    """Returns the capacity model read from the repository at `as_of` (what pages call)."""
    chosen = settings or Settings()
    return build_capacity_model(capacity_inputs(repo, as_of, chosen), chosen)
