"""The Rep time allocation report for one period and scope: fetch once, compute once.

Six small GROUP BY queries (rollups where the period allows) feed
`time_allocation.build_time_report`; the page, `salesops time` and the benchmark
all call `time_report`. Slider-driven figures then run on the report alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from salesops import time_allocation as ta
from salesops.calendar import Period
from salesops.config import Settings
from salesops.repository import EVERYTHING, Repository, Scope

RAMP_MONTHS = 24  # tenure months drawn on the ramp curve (time_allocation.build_time_report)


def time_inputs(
    repo: Repository, period: Period, scope: Scope = EVERYTHING, freq: str = "W"
) -> ta.TimeInputs:
    """Returns the pre-aggregated frames for one view (all aggregation done in SQL)."""
    bounds = repo.closed_bounds()  # the ramp's bookings history
    reps = repo.time_reps(scope)
    history_start = pd.Timestamp(bounds["first"]) if bounds["first"] else pd.Timestamp(period.start)
    history_end = pd.Timestamp(bounds["last"]) if bounds["last"] else pd.Timestamp(period.end)
    return ta.TimeInputs(
        activity_types=repo.activity_types(),
        reps=reps,
        rep_activity=repo.activity_hours_by_rep(period, scope),
        trend_activity=repo.activity_hours_by_period(period, scope, freq=freq),
        bookings=repo.bookings_by_rep(period, scope),
        monthly_bookings=repo.bookings_by_rep_month(
            scope, hired_since=(history_start - pd.DateOffset(months=RAMP_MONTHS)).date()
        ),
        start=pd.Timestamp(period.start),
        end=pd.Timestamp(period.end),
        freq=freq,
        history_start=history_start,
        history_end=history_end,
    )


def time_report(
    repo: Repository,
    period: Period,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
    freq: str = "W",
) -> ta.TimeReport:
    """Returns the full time-allocation report (see `time_allocation.build_time_report`)."""
    settings = settings or Settings()
    return ta.build_time_report(
        time_inputs(repo, period, scope, freq),
        benchmark=settings.selling_share_benchmark,
        working_weeks=settings.working_weeks_per_year,
    )


def team_scope(scope: Scope, reps: pd.DataFrame, managers: Sequence[str]) -> Scope | None:
    """Returns the scope narrowed to the reps of the chosen teams (managers).

    No managers chosen returns ``scope`` unchanged; None means no rep is left (the
    chosen teams and rep filter do not overlap), which the caller shows as empty.
    Requires columns ``id``, ``manager`` in ``reps``.
    """
    if not managers:
        return scope
    ids = set(reps.loc[reps["manager"].isin(list(managers)), "id"].astype(int))
    if scope.rep_ids:
        ids &= set(scope.rep_ids)
    if not ids:
        return None
    return replace(scope, rep_ids=tuple(sorted(ids)))
