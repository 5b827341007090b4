"""The weekly pipeline review report: the whole review of a week, read through the repository.

`review_week` is pure (frames in, PipelineReview out). `review_report` fetches the week's
rows for a scope, runs it and adds coverage; the page, the CLI, the meeting pack and the
benchmark all call it (or `review_waterfall`, only the waterfall, for the Overview
headline). Scope is a group of people: the whole company, a manager's team, a territory's
reps, or one rep. Thresholds come from Settings unless the caller passes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Quarter, Week, last_complete_week, week_of
from salesops.config import Settings
from salesops.figures import Figure
from salesops.jsonable import json_value
from salesops.pipeline_review.attributes import attach, state_columns
from salesops.pipeline_review.coverage import coverage_by_rep, coverage_fields
from salesops.pipeline_review.deal_lists import (
    LIST_NAMES,
    counted_apart,
    list_figures,
    list_summary,
    pushes_this_week,
    stage_entry_dates,
    stale_deals,
    week_lists,
)
from salesops.pipeline_review.history import (
    WeekStates,
    in_pipeline,
    review_quarter,
    week_states,
)
from salesops.pipeline_review.movements import deal_movements
from salesops.pipeline_review.rollups import forecast_rollup, pipeline_by_rep
from salesops.pipeline_review.scope import COMPANY, ReviewScope
from salesops.pipeline_review.staleness import StaleRule, stale_rule
from salesops.pipeline_review.waterfall import (
    Waterfall,
    new_deals_note,
    waterfall,
    waterfall_from_movements,
    with_steady_pipeline,
)
from salesops.repository import Repository


@dataclass(frozen=True)
class PipelineReview:
    """Everything the weekly meeting walks through, for one week and one scope."""

    week: Week
    quarter: Quarter
    waterfall: Waterfall
    movements: pd.DataFrame
    closing_pipeline: pd.DataFrame
    lists: Mapping[str, pd.DataFrame]
    forecast: pd.DataFrame


def review_week(
    history: pd.DataFrame | WeekStates,
    deals: pd.DataFrame,
    stages: pd.DataFrame,
    week: Week,
    quarter: Quarter | None = None,
    *,
    stale_days: int,
    big_change: float,
    life_history: pd.DataFrame | None = None,
    stale: tuple[StaleRule | None, pd.DataFrame | None] | None = None,
    with_stale: bool = True,
) -> PipelineReview:
    """Returns the week's PipelineReview: waterfall, per-deal movements, lists, forecast roll-up.

    Requires history as normalise_history (whole histories, or the repository's rows: each
    deal's last row before the week plus the week's rows; or their week_states), deal
    attributes with columns
    opportunity_id, name, rep_id, rep, territory, and stages with name, sort_order.
    `life_history` gives whole histories of pushed deals for their lifetime push count;
    `stale` the stale rule and stage entry dates (default: stale_days in every stage).
    Lists are: new, advanced, regressed, pushed, slipped, overdue, stale, big_changes
    (without `with_stale`, no stale list).
    """
    quarter = quarter or review_quarter(week)
    states = history if isinstance(history, WeekStates) else week_states(history, week)
    movements = deal_movements(states, week, quarter)
    closing = states.closing[in_pipeline(states.closing, quarter)].reset_index(drop=True)
    lists = week_lists(
        states,
        movements,
        deals,
        stages,
        quarter,
        stale_days=stale_days,
        big_change=big_change,
        life_history=life_history,
        stale=stale,
        with_stale=with_stale,
    )
    return PipelineReview(
        week=week,
        quarter=quarter,
        waterfall=waterfall_from_movements(movements, week, quarter),
        movements=attach(movements, deals),
        closing_pipeline=attach(state_columns(closing), deals),
        lists=lists,
        forecast=forecast_rollup(closing, deals),
    )


def default_week(today: date, history_last: date | None) -> Week:
    """Returns the default week: the last complete one, or the data's last complete week.

    When the history ends before today's last complete week (an old database or the
    demo), the week returned is the last one that ended on or before the data's last day.
    """
    week = last_complete_week(today)
    if history_last is not None and history_last < week.last_day:
        week = last_complete_week(min(today, history_last + timedelta(days=1)))
    return week


@dataclass(frozen=True)
class ReviewReport:
    """A week's review for one scope, with coverage, ready for the page, CLI and export."""

    review: PipelineReview
    scope: ReviewScope
    coverage: pd.DataFrame
    stale_days: int
    big_change: float
    stale_rule: StaleRule | None = None

    @property
    def week(self) -> Week:
        """Returns the reviewed week."""
        return self.review.week

    @property
    def total_coverage(self) -> Figure:
        """Returns the scope's overall coverage Figure (the coverage table's Total row)."""
        return coverage_total(self.coverage)

    @property
    def is_empty(self) -> bool:
        """Returns True when nothing was in the pipeline or moved during the week."""
        return self.review.movements.empty and all(f.empty for f in self.review.lists.values())

    def waterfall_table(self) -> pd.DataFrame:
        """Returns the waterfall as the meeting pack's table: step, label, amount, deals."""
        return waterfall_table(self.review.waterfall)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Returns every table of the meeting pack by file stem (waterfall first)."""
        out = {"waterfall": self.waterfall_table()}
        out.update({name: export_frame(frame) for name, frame in self.review.lists.items()})
        out["coverage"] = self.coverage
        out["forecast_categories"] = self.review.forecast
        out["movements"] = export_frame(self.review.movements)
        return out

    def to_dict(self, limit: int | None = None) -> dict[str, object]:
        """Returns the JSON-ready report (DESIGN.md `review` shape plus extra keys).

        `limit` caps the rows of each deal list and of the movements (None or 0: every row);
        `counts` holds every list's full length, `truncated` says which lists were cut.
        """
        w = self.review.waterfall
        tables = {**self.review.lists, "movements": export_frame(self.review.movements)}
        cap = limit or None
        return {
            "week": self.week.start.isoformat(),
            "week_end": self.week.last_day.isoformat(),
            "week_label": self.week.label,
            "quarter": self.review.quarter.to_dict(),
            "scope": self.scope.to_dict(),
            "waterfall": {k: round(v, 2) for k, v in w.as_dict().items()},
            "waterfall_deals": dict(w.deals),
            "reconciles": w.reconciles,
            "deals": {name: records(frame.head(cap)) for name, frame in self.review.lists.items()},
            "movements": records(tables["movements"].head(cap)),
            "counts": {name: len(frame) for name, frame in tables.items()},
            "limit": cap,
            "truncated": sorted(n for n, f in tables.items() if cap is not None and len(f) > cap),
            "coverage": {
                "total": coverage_fields(self.total_coverage),
                "reps": records(self.coverage[self.coverage["rep"] != "Total"]),
            },
            "forecast_categories": records(self.review.forecast),
            "settings": {"stale_days": self.stale_days, "big_change": self.big_change},
            "stale_after_days": dict(self.stale_rule.thresholds) if self.stale_rule else {},
        }


@dataclass(frozen=True)
class ReviewSummary:
    """What the Pipeline review page draws before a tab or a download asks for deals.

    A ReviewReport holds every deal that moved in the week and every deal in the closing
    pipeline (about 32k and 29k rows at 1M deals: 15.7 MB stored); the page's first paint
    shows only the waterfall, each list's count and amount, and per-rep coverage and
    forecast categories (`review_summary` takes them from the report).
    """

    week: Week
    quarter: Quarter
    scope: ReviewScope
    waterfall: Waterfall
    list_counts: Mapping[str, int]
    list_summary: pd.DataFrame
    coverage: pd.DataFrame
    forecast: pd.DataFrame

    @property
    def total_coverage(self) -> Figure:
        """Returns the scope's overall coverage Figure (the coverage table's Total row)."""
        return coverage_total(self.coverage)

    def waterfall_table(self) -> pd.DataFrame:
        """Returns the waterfall as the meeting pack's table: step, label, amount, deals."""
        return waterfall_table(self.waterfall)

    def with_list(self, name: str, figures: tuple[int, float]) -> ReviewSummary:
        """Returns the summary with list `name` counted: its (deals, amount), read apart.

        For the stale list, which the summary's review is read without (`stale_figures`).
        """
        return replace(
            self,
            list_counts={**self.list_counts, name: figures[0]},
            list_summary=counted_apart(self.list_summary, name, figures),
        )


def stale_figures(stale: tuple[pd.DataFrame, StaleRule]) -> tuple[int, float]:
    """Returns the stale list's (deals, amount) from review_stale's (list, rule).

    Stored on load for the default view: its Summary row costs a few bytes to read, where
    the list is 2.1 MB at 1M deals.
    """
    return list_figures(stale[0])


def review_summary(report: ReviewReport) -> ReviewSummary:
    """Returns the ReviewSummary of `report`: its figures, list counts and per-rep tables."""
    review = report.review
    return ReviewSummary(
        week=review.week,
        quarter=review.quarter,
        scope=report.scope,
        waterfall=review.waterfall,
        list_counts={name: len(frame) for name, frame in review.lists.items()},
        list_summary=list_summary(review.lists),
        coverage=report.coverage,
        forecast=review.forecast,
    )


@dataclass(frozen=True)
class DealList:
    """One deal list of a week's review as its tab shows it, without the rest of the review.

    `deals` are the list's rows without their helper columns (export_frame); `note` is the
    sentence reconciling the New list with the waterfall's New bar (new_deals_note), None
    for the other lists.
    """

    deals: pd.DataFrame
    note: str | None = None


def review_list(report: ReviewReport, name: str) -> DealList:
    """Returns the DealList of `report`'s list `name` (one of LIST_NAMES it holds).

    A list's tab reads this, stored on load for the default view (a list is a few hundred
    kB at 1M deals, where the whole report is 15.7 MB).
    """
    review = report.review
    deals = export_frame(review.lists[name])
    note = new_deals_note(deals, review.movements, review.quarter) if name == "new" else None
    return DealList(deals, note)


def pack_review(report: ReviewReport) -> ReviewReport:
    """Returns `report` as the meeting pack reads it: the closing pipeline's deals left out.

    The pack shows the waterfall, the lists, the movements, coverage and forecast
    categories, all computed already; the closing pipeline's rows (a third of the
    report's stored JSON on the medium demo) are kept as its columns with no row.
    """
    review = report.review
    return replace(report, review=replace(review, closing_pipeline=review.closing_pipeline[:0]))


def coverage_total(coverage: pd.DataFrame) -> Figure:
    """Returns the overall coverage Figure: the Total row of coverage_by_rep's table."""
    total = coverage[coverage["rep"] == "Total"].iloc[0]
    return Figure(
        _none_if_na(total["coverage"]),
        total["reason"],
        {
            "pipeline": float(total["pipeline"]),
            "quota": _none_if_na(total["quota"]),
            "won_to_date": float(total["won_to_date"]),
            "remaining_quota": _none_if_na(total["remaining_quota"]),
        },
    )


def waterfall_table(w: Waterfall) -> pd.DataFrame:
    """Returns the waterfall as the meeting pack's table: step, label, amount, deals."""
    return w.to_frame()[["step", "label", "amount", "deals"]]


def _none_if_na(value: float | None) -> float | None:
    """Returns a table cell as a float, None when it is missing."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns the frame without its integer-cents helper columns."""
    return frame.drop(columns=[c for c in frame.columns if c.endswith("_cents")])


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns a frame's rows as JSON-ready dicts: ISO dates, None for missing, finite floats."""
    return [
        {k: json_value(v, dates="date", digits=6) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def review_report(
    repo: Repository,
    week: Week,
    scope: ReviewScope = COMPANY,
    settings: Settings | None = None,
    with_stale: bool = True,
) -> ReviewReport:
    """Returns the ReviewReport of `week` for `scope`, reading only the rows the week needs.

    Thresholds (stale_days, big_change) come from `settings`, by default Settings().
    Without `with_stale` the stale list is left out (its lists have no "stale" key): it
    reads every open deal's stage history and a year of stage stays, by far the slowest
    part at scale; `review_stale` gives it when asked and `with_stale_list` adds it back.
    """
    chosen = settings or Settings()
    quarter = review_quarter(week)
    where = scope.repository_scope
    history = repo.review_history(week.start, week.end, where)
    deals = repo.review_deals(week.start, week.end, where)
    stages = repo.stages()
    states = week_states(history, week)
    pushed_ids = pushes_this_week(states).index.tolist()
    life = repo.push_histories(pushed_ids, week.end) if pushed_ids else None
    rule, entries = _stale_inputs(repo, states, stages, chosen) if with_stale else (None, None)
    review = review_week(
        states,
        deals,
        stages,
        week,
        quarter,
        stale_days=chosen.stale_days,
        big_change=chosen.big_change,
        life_history=life,
        stale=(rule, entries),
        with_stale=with_stale,
    )
    coverage = coverage_by_rep(
        pipeline_by_rep(review.closing_pipeline),
        repo.quota_by_rep(quarter.start, quarter.end, where),
        repo.won_by_rep(quarter.start, week.end, where),
    )
    return ReviewReport(review, scope, coverage, chosen.stale_days, chosen.big_change, rule)


def _stale_inputs(
    repo: Repository,
    states: WeekStates,
    stages: pd.DataFrame,
    chosen: Settings,
    source: str = "rollup",
) -> tuple[StaleRule, pd.DataFrame]:
    """Returns (each open stage's stale threshold, the open deals' stage entry dates).

    The thresholds measure the stays that ended in the year before the week's end. With
    source="rollup" (the default) the entries and the stays come from the stage rollups,
    with "raw" from the history (the same figures, far slower at scale).
    """
    week = states.week
    open_ids = states.closing.loc[states.closing["outcome"] == "open", "opportunity_id"]
    entries = open_stage_entries(repo, open_ids.tolist(), week.end, source)
    open_stages = stages.loc[~stages["is_closed"].astype(bool), "name"].tolist()
    stays = repo.stage_stays(week.end - timedelta(days=365), week.end, source=source)
    rule = stale_rule(
        stays[stays["stage"].isin(open_stages)],
        chosen.stale_percentile,
        chosen.stale_min_stays,
        chosen.stale_days,
        open_stages,
    )
    return rule, entries


def open_stage_entries(
    repo: Repository, ids: list[int], until: date, source: str = "rollup"
) -> pd.DataFrame:
    """Returns when each of the deals `ids` entered the stage it was in before `until`.

    Columns opportunity_id, entered_at (as stage_entry_dates gives them from each deal's
    history before `until`). With source="rollup" (the default), deals open now whose
    current stage began before `until` come from Repository.stage_entries, and only the
    rest (closed since, or moved on or after `until`) are read from their history; "raw"
    reads every deal's history.
    """
    if source not in ("rollup", "raw"):
        raise ValueError(f"Unknown stage entry source {source!r}: use 'rollup' or 'raw'.")
    rolled = repo.stage_entries(until) if source == "rollup" else None
    if rolled is not None:
        rolled = rolled[rolled["opportunity_id"].isin(ids)]
        ids = sorted(set(ids) - set(rolled["opportunity_id"].tolist()))
    read = stage_entry_dates(repo.stage_history(ids, until))[["opportunity_id", "entered_at"]]
    if rolled is None or rolled.empty:
        return read
    if read.empty:
        return rolled.reset_index(drop=True)
    both = pd.concat([rolled, read], ignore_index=True)
    return both.sort_values("opportunity_id", kind="stable", ignore_index=True)


def review_stale(
    repo: Repository,
    week: Week,
    scope: ReviewScope = COMPANY,
    settings: Settings | None = None,
    source: str = "rollup",
) -> tuple[pd.DataFrame, StaleRule]:
    """Returns (the week's stale deals, the rule that judged them), as review_report has them.

    For a page that shows the stale list only when asked (review_report without it).
    `source` as _stale_inputs: "raw" reads the history instead of the stage rollups.
    """
    chosen = settings or Settings()
    where = scope.repository_scope
    deals = repo.review_deals(week.start, week.end, where)
    states = week_states(repo.review_history(week.start, week.end, where), week)
    rule, entries = _stale_inputs(repo, states, repo.stages(), chosen, source)
    return stale_deals(states, deals, chosen.stale_days, rule, entries), rule


def with_stale_list(report: ReviewReport, stale: pd.DataFrame, rule: StaleRule) -> ReviewReport:
    """Returns the report with its stale list (from review_stale) back in its place."""
    lists = {name: stale if name == "stale" else report.review.lists[name] for name in LIST_NAMES}
    return replace(report, review=replace(report.review, lists=lists), stale_rule=rule)


def current_week(today: date, history_last: date) -> tuple[Week, date]:
    """Returns (the week to report as "this week", the last day it is counted to).

    The week holding the latest day of history (or today, if the history runs later): a
    Monday meeting reads the week just ended, mid-week readers the week so far.
    """
    last = min(today, history_last)
    return week_of(last), min(last, week_of(last).last_day)


def review_waterfall(repo: Repository, week: Week, scope: ReviewScope = COMPANY) -> Waterfall:
    """Returns only the week's waterfall for `scope` (the Overview headline needs no lists).

    Equal to review_report's waterfall, from fewer rows: deals that sat in the pipeline all
    week without a change come as bare amounts (they only add to opening and closing).
    """
    quarter = review_quarter(week)
    where = scope.repository_scope
    moving = repo.waterfall_history(week.start, week.end, where)
    steady = repo.steady_pipeline_amounts(week.start, week.end, (quarter.start, quarter.end), where)
    return with_steady_pipeline(waterfall(moving, week, quarter), steady["amount"])
