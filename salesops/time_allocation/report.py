"""The Rep time allocation report for one period and scope: fetch once, compute once.

Six small GROUP BY queries (rollups where the period allows) feed `build_time_report`;
the page, `salesops time` and the benchmark all call `time_report`. Slider-driven
figures (`what_if.what_if`, `middle.middle_lift`, `ramp.ramp_shortening_value`) then run
on the report alone, without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Period
from salesops.config import Settings
from salesops.figures import Figure
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.time_allocation.classification import classify_activities
from salesops.time_allocation.middle import BASIS_LABELS, middle_lift, productivity_distribution
from salesops.time_allocation.potential import scope_potential
from salesops.time_allocation.ramp import (
    RampCurve,
    observed_hires_per_year,
    ramp_curve,
    ramp_shortening_value,
)
from salesops.time_allocation.records import records
from salesops.time_allocation.shares import (
    TeamSummary,
    furthest_from_benchmark,
    hours_by_activity,
    rep_time_summary,
    team_time_summary,
)
from salesops.time_allocation.team import employed_during
from salesops.time_allocation.trend import selling_share_trend
from salesops.time_allocation.unit_costs import loaded_hourly_cost, unit_costs
from salesops.time_allocation.what_if import (
    WhatIfBase,
    WhatIfScenario,
    literature_comparison,
    what_if,
    what_if_base,
)

REP_TABLE_COLUMNS = [
    "rep_id",
    "name",
    "hours",
    "selling_hours",
    "back_office_hours",
    "selling_share",
    "share_reason",
    "bookings",
    "revenue_per_selling_hour",
]


@dataclass(frozen=True)
class TimeInputs:
    """The pre-aggregated frames one view of the page needs (what the repository returns).

    Attributes:
        activity_types: ``activity``, ``category``, ``is_back_office``.
        reps: ``id``, ``name``, ``territory_id``, ``hire_date``, ``end_date``,
            ``annual_cost``, ``weekly_capacity_hours`` for the reps in scope.
        rep_activity: ``rep_id``, ``activity``, ``hours``, ``count`` summed over the period.
        trend_activity: ``period``, ``activity``, ``hours`` per week or month.
        bookings: ``rep_id``, ``bookings`` (won amount closed in ``bookings_span``).
        monthly_bookings: ``rep_id``, ``month``, ``bookings`` over all history (for ramp).
        start: First day of the period.
        end: Last day of the period.
        freq: Trend bucket, ``"W"`` or ``"M"``.
        history_start: First month of bookings history (ramp window).
        history_end: Last month of bookings history (ramp window).
        open_pipeline: Open pipeline amount in scope (caps the what-if's extra revenue);
            None when not read.
        account_potential: Yearly potential of the accounts in scope, or of the chosen
            reps' part of their territories (`scope_potential`); with the bookings and
            the open pipeline it caps the what-if too. None when not read.
        bookings_span: The days ``bookings`` cover (`logged_span`): the period, narrowed to
            the weeks with time logged, so bookings per selling hour divides the bookings of
            the hours logged. None: the whole period.
    """

    activity_types: pd.DataFrame
    reps: pd.DataFrame
    rep_activity: pd.DataFrame
    trend_activity: pd.DataFrame
    bookings: pd.DataFrame
    monthly_bookings: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    freq: str
    history_start: pd.Timestamp | None = None
    history_end: pd.Timestamp | None = None
    open_pipeline: float | None = None
    account_potential: float | None = None
    bookings_span: Period | None = None

    @property
    def period_weeks(self) -> float:
        """Returns the length of the period in weeks (days / 7, both ends included)."""
        return ((pd.Timestamp(self.end) - pd.Timestamp(self.start)).days + 1) / 7


@dataclass(frozen=True)
class TimeReport:
    """Everything the page and the CLI show, computed once per filter change."""

    inputs: TimeInputs = field(repr=False)
    benchmark: float
    unknown_activities: tuple[str, ...]
    warning: str | None
    rep_activity: pd.DataFrame = field(repr=False)
    rep_summary: pd.DataFrame = field(repr=False)
    team: TeamSummary
    by_activity: pd.DataFrame = field(repr=False)
    by_rep_activity: pd.DataFrame = field(repr=False)
    trend: pd.DataFrame = field(repr=False)
    extremes: pd.DataFrame = field(repr=False)
    hourly_costs: pd.DataFrame = field(repr=False)
    unit_costs: pd.DataFrame = field(repr=False)
    what_if_base: WhatIfBase
    distribution: pd.DataFrame = field(repr=False)
    ramp: RampCurve
    hires_per_year: Figure
    settings: Settings = field(repr=False)

    @property
    def back_office_activities(self) -> list[str]:
        """Returns the back-office activities with logged hours, most hours first."""
        hours = self.what_if_base.activity_hours
        return sorted(hours, key=lambda a: (-hours[a], a))

    @property
    def has_time(self) -> bool:
        """Returns True when any hours were logged in the period and scope."""
        return self.team.hours > 0

    def rep_table(self) -> pd.DataFrame:
        """Returns the per-rep table `salesops time` prints: hours, share, bookings per rep."""
        return self.rep_summary[REP_TABLE_COLUMNS]


def time_inputs(
    repo: Repository, period: Period, scope: Scope, freq: str, settings: Settings
) -> TimeInputs:
    """Returns the pre-aggregated frames for one view (all aggregation done in SQL)."""
    bounds = repo.closed_bounds()  # the ramp's bookings history
    reps = repo.time_reps(scope)
    history_start = pd.Timestamp(bounds["first"]) if bounds["first"] else pd.Timestamp(period.start)
    history_end = pd.Timestamp(bounds["last"]) if bounds["last"] else pd.Timestamp(period.end)
    # A rep hired more than the curve's tenure months before the first close never shows on it.
    hired_since = history_start - pd.DateOffset(months=settings.ramp_max_tenure_months)
    span = logged_span(period, repo.activity_bounds())
    return TimeInputs(
        activity_types=repo.activity_types(),
        reps=reps,
        rep_activity=repo.activity_hours_by_rep(period, scope),
        trend_activity=repo.activity_hours_by_period(period, scope, freq=freq),
        bookings=repo.bookings_by_rep(span, scope),
        monthly_bookings=repo.bookings_by_rep_month(scope, hired_since=hired_since.date()),
        start=pd.Timestamp(period.start),
        end=pd.Timestamp(period.end),
        freq=freq,
        history_start=history_start,
        history_end=history_end,
        open_pipeline=float(repo.open_pipeline(scope)["open_amount"].sum()),
        account_potential=_account_potential(repo, scope, reps, period, settings),
        bookings_span=span,
    )


def logged_span(period: Period, logged: dict[str, date | None]) -> Period:
    """Returns the part of `period` with time logged: from the first logged week to the last's end.

    `logged` is Repository.activity_bounds (first and last week_start). Bookings per selling
    hour divides the bookings of these days only: a company that logged one quarter of a
    year would otherwise divide a year's bookings by a quarter's hours. The whole period when
    nothing is logged in it (bookings per selling hour is then undefined anyway).
    """
    first, last = logged["first"], logged["last"]
    if first is None or last is None:
        return period
    start, end = max(period.start, first), min(period.end, last + timedelta(days=6))
    return Period(start, end) if start <= end else period


def _account_potential(
    repo: Repository, scope: Scope, reps: pd.DataFrame, period: Period, settings: Settings
) -> float:
    """Returns the yearly potential of the scope's accounts, or its chosen reps' part."""
    if not scope.rep_ids:
        facts = repo.territory_account_facts(Scope(scope.territory_ids, scope.segments))
        return scope_potential(facts, None, None, settings.default_weekly_hours)
    territories = tuple(sorted(set(reps["territory_id"].dropna().astype(int))))
    if not territories:
        return 0.0
    facts = repo.territory_account_facts(Scope(territories, scope.segments))
    peers = employed_during(repo.time_reps(Scope(territories)), period.start, period.end)
    return scope_potential(facts, reps, peers, settings.default_weekly_hours)


def time_report(
    repo: Repository,
    period: Period,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
    freq: str | None = None,
) -> TimeReport:
    """Returns the full time-allocation report; the trend by ``freq`` (default: Settings)."""
    settings = settings or Settings()
    chosen = freq or settings.time_trend_freq
    return build_time_report(time_inputs(repo, period, scope, chosen, settings), settings)


def build_time_report(inputs: TimeInputs, settings: Settings) -> TimeReport:
    """Returns the full time-allocation report for one period and scope.

    Unknown activities are kept as category ``unknown`` and named in ``warning``
    (never silently dropped). Every slider-driven figure (``what_if``,
    ``middle_lift``, ``ramp_shortening_value``) then runs on the report's small
    frames without touching the database.
    """
    rep_classified = classify_activities(
        inputs.rep_activity, inputs.activity_types, on_unknown="keep"
    )
    trend_classified = classify_activities(
        inputs.trend_activity, inputs.activity_types, on_unknown="keep"
    )
    unknown = tuple(
        sorted(set(rep_classified.unknown_activities) | set(trend_classified.unknown_activities))
    )
    benchmark = settings.selling_share_benchmark
    team_reps = _team_reps(inputs)
    summary = rep_time_summary(rep_classified, team_reps, inputs.bookings, benchmark=benchmark)
    costs = loaded_hourly_cost(team_reps, working_weeks=settings.working_weeks_per_year)
    history_start, history_end = _history_window(inputs)
    return TimeReport(
        inputs=inputs,
        benchmark=benchmark,
        unknown_activities=unknown,
        warning=rep_classified.warning or trend_classified.warning,
        rep_activity=rep_classified.frame,
        rep_summary=summary,
        team=team_time_summary(summary, benchmark=benchmark),
        by_activity=hours_by_activity(rep_classified),
        by_rep_activity=hours_by_activity(rep_classified, by=["rep_id"]).merge(
            summary[["rep_id", "name"]], on="rep_id", how="left"
        ),
        trend=selling_share_trend(
            trend_classified,
            freq=inputs.freq,
            start=inputs.start,
            end=inputs.end,
            benchmark=benchmark,
        ),
        extremes=furthest_from_benchmark(summary, n=settings.furthest_reps_shown),
        hourly_costs=costs,
        unit_costs=unit_costs(rep_classified, costs, names=team_reps),
        what_if_base=what_if_base(
            rep_classified,
            summary,
            costs,
            team_reps,
            period_weeks=inputs.period_weeks,
            revenue_cap=inputs.open_pipeline,
            account_potential=inputs.account_potential,
        ),
        distribution=productivity_distribution(
            summary, basis=settings.middle_basis, middle_share=settings.middle_share
        ),
        ramp=ramp_curve(
            inputs.monthly_bookings,
            inputs.reps,
            window_start=history_start,
            window_end=history_end,
            ramped_from=settings.ramped_from_month,
            max_tenure=settings.ramp_max_tenure_months,
            threshold=settings.ramp_threshold,
        ),
        hires_per_year=observed_hires_per_year(inputs.reps, history_start, history_end),
        settings=settings,
    )


def _team_reps(inputs: TimeInputs) -> pd.DataFrame:
    """Returns the reps of the period's team: employed in it, or logged or booked in it."""
    # Reps who left before the period or joined after it are not part of its team; a rep
    # employed in the period who logged nothing is kept (share undefined, with a reason).
    active = employed_during(inputs.reps, inputs.start, inputs.end)
    logged = inputs.reps["id"].isin(inputs.rep_activity["rep_id"].dropna().astype(int))
    booked = inputs.reps["id"].isin(inputs.bookings["rep_id"].dropna().astype(int))
    return inputs.reps[inputs.reps.index.isin(active.index) | logged | booked]


def _history_window(inputs: TimeInputs) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Returns the first and last day of bookings history (the period when not given)."""
    history_start = inputs.history_start if inputs.history_start is not None else inputs.start
    history_end = inputs.history_end if inputs.history_end is not None else inputs.end
    return history_start, history_end


def time_report_json(
    report: TimeReport, scenario: WhatIfScenario, *, lift: float, ramp_months: int
) -> dict[str, object]:
    """Returns the ``salesops time --format json`` document (DESIGN.md shape plus extras).

    Ratios are fractions; undefined figures are null with a ``*_reason`` beside them.
    """
    team = report.team.to_json()
    span = report.inputs.bookings_span
    if span is not None:  # bookings per selling hour divides these days' bookings
        team["bookings_from"], team["bookings_to"] = span.start.isoformat(), span.end.isoformat()
    team["by_activity"] = records(
        report.by_activity[["activity", "category", "is_back_office", "hours", "count"]]
    )
    reps = report.rep_summary.rename(columns={"name": "rep"})
    hires = report.hires_per_year.value or 0.0
    return {
        "period": {
            "from": pd.Timestamp(report.inputs.start).date().isoformat(),
            "to": pd.Timestamp(report.inputs.end).date().isoformat(),
        },
        "benchmark": report.benchmark,
        "warnings": [report.warning] if report.warning else [],
        "unknown_activities": list(report.unknown_activities),
        "team": team,
        "reps": records(reps),
        "furthest": records(report.extremes),
        "trend": {"freq": report.inputs.freq, "points": records(report.trend)},
        "unit_costs": records(report.unit_costs),
        "what_if": _what_if_json(report, scenario),
        "moving_the_middle": {
            "basis": BASIS_LABELS[report.settings.middle_basis],
            **middle_lift(report.distribution, lift).to_json(),
            "distribution": records(report.distribution),
        },
        "ramp": {
            **report.ramp.to_json(),
            "hires_per_year": report.hires_per_year.value,
            "shortening": ramp_shortening_value(report.ramp, ramp_months, hires).to_json(),
        },
    }


def _what_if_json(report: TimeReport, scenario: WhatIfScenario) -> dict[str, object]:
    """Returns the what-if result, its scenario and the literature comparison as JSON."""
    result = what_if(report.what_if_base, scenario)
    out = result.to_json()
    out["scenario"] = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(scenario).items()
    }
    out["literature"] = records(
        literature_comparison(
            result,
            revenue_lift=report.settings.literature_revenue_lift,
            sga_reduction=report.settings.literature_sga_reduction,
        )
    )
    return out
