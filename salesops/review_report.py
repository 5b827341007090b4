"""The weekly pipeline review report: fetch the week's rows, run the pure review, shape output.

The page, the CLI, the meeting pack and the benchmark all call `review_report` (or
`review_waterfall` for the Overview headline). Scope is a group of people: the whole
company, a manager's team, a territory's reps, or one rep.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from salesops import pipeline_review as pr
from salesops.calendar import last_complete_week
from salesops.jsonable import json_value
from salesops.pipeline_review import PipelineReview, Week
from salesops.repository import Repository, Scope

ScopeKind = Literal["company", "team", "territory", "rep"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("company", "team", "territory", "rep")
LIST_TITLES = {
    "new": "New deals",
    "advanced": "Stage advances",
    "regressed": "Stage regressions",
    "pushed": "Pushed close dates",
    "slipped": "Slipped out of the quarter",
    "overdue": "Past expected close, still open",
    "stale": "Stale deals",
    "big_changes": "Big amount changes",
}


@dataclass(frozen=True)
class ReviewScope:
    """Whose pipeline the review covers; `repository_scope` is what queries filter on."""

    kind: ScopeKind = "company"
    value: str | int | None = None
    label: str = "Whole company"
    rep_ids: tuple[int, ...] = field(default_factory=tuple)
    territory_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def repository_scope(self) -> Scope:
        """Returns the repository Scope (rep ids, or territory ids meaning the reps' own)."""
        return Scope(territory_ids=self.territory_ids, rep_ids=self.rep_ids)

    def to_dict(self) -> dict[str, object]:
        """Returns {"kind", "value", "label"}."""
        return {"kind": self.kind, "value": self.value, "label": self.label}


COMPANY = ReviewScope()


def resolve_scope(
    kind: str, value: str | int | None, reps: pd.DataFrame, territories: pd.DataFrame
) -> ReviewScope:
    """Returns the ReviewScope for a kind and a value (manager name, territory id, rep id).

    Requires reps with columns id, name, territory_id, manager and territories with id, name.
    Raises ValueError with one sentence when the kind or value is unknown.
    """
    if kind not in SCOPE_KINDS:
        raise ValueError(f"Unknown scope {kind!r}: use company, team, territory or rep.")
    if kind == "company":
        return COMPANY
    if kind == "team":
        members = reps[reps["manager"] == value]
        if value is None or members.empty:
            raise ValueError(f"No team is managed by {value!r}.")
        return ReviewScope(
            "team", str(value), f"Team {value}", rep_ids=tuple(int(i) for i in members["id"])
        )
    number = _as_int(value)
    if kind == "territory":
        match = territories[territories["id"] == number] if number is not None else territories[:0]
        if match.empty:
            raise ValueError(f"There is no territory with id {value!r}.")
        return ReviewScope(
            "territory", number, str(match["name"].iloc[0]), territory_ids=(int(number),)
        )
    match = reps[reps["id"] == number] if number is not None else reps[:0]
    if match.empty:
        raise ValueError(f"There is no rep with id {value!r}.")
    return ReviewScope("rep", number, str(match["name"].iloc[0]), rep_ids=(int(number),))


def _as_int(value: str | int | None) -> int | None:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


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

    @property
    def week(self) -> Week:
        """Returns the reviewed week."""
        return self.review.week

    @property
    def total_coverage(self) -> pr.Coverage:
        """Returns the scope's overall coverage (the coverage table's Total row)."""
        total = self.coverage[self.coverage["rep"] == "Total"].iloc[0]
        return pr.Coverage(
            pipeline=float(total["pipeline"]),
            quota=_none_if_na(total["quota"]),
            won_to_date=float(total["won_to_date"]),
            remaining_quota=_none_if_na(total["remaining_quota"]),
            value=_none_if_na(total["coverage"]),
            reason=total["reason"],
        )

    @property
    def is_empty(self) -> bool:
        """Returns True when nothing was in the pipeline or moved during the week."""
        return self.review.movements.empty and all(f.empty for f in self.review.lists.values())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Returns every table of the meeting pack by file stem (waterfall first)."""
        waterfall = self.review.waterfall.to_frame()[["step", "label", "amount", "deals"]]
        out = {"waterfall": waterfall}
        out.update({name: _export_frame(frame) for name, frame in self.review.lists.items()})
        out["coverage"] = self.coverage
        out["forecast_categories"] = self.review.forecast
        out["movements"] = _export_frame(self.review.movements)
        return out

    def to_dict(self) -> dict[str, object]:
        """Returns the JSON-ready report (DESIGN.md `review` shape plus extra keys)."""
        w = self.review.waterfall
        return {
            "week": self.week.start.isoformat(),
            "week_end": self.week.last_day.isoformat(),
            "week_label": self.week.label,
            "quarter": self.review.quarter.to_dict(),
            "scope": self.scope.to_dict(),
            "waterfall": {k: round(v, 2) for k, v in w.as_dict().items()},
            "waterfall_deals": dict(w.deals),
            "reconciles": w.reconciles,
            "deals": {name: records(frame) for name, frame in self.review.lists.items()},
            "movements": records(_export_frame(self.review.movements)),
            "coverage": {
                "total": self.total_coverage.to_dict(),
                "reps": records(self.coverage[self.coverage["rep"] != "Total"]),
            },
            "forecast_categories": records(self.review.forecast),
            "settings": {"stale_days": self.stale_days, "big_change": self.big_change},
        }


def _none_if_na(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.endswith("_cents")])


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns a frame's rows as JSON-ready dicts: ISO dates, None for missing, finite floats."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: _json_value(v) for k, v in row.items()})
    return out


def _json_value(value: object) -> object:
    return json_value(value, dates="date", digits=6)


def review_report(
    repo: Repository,
    week: Week,
    scope: ReviewScope = COMPANY,
    *,
    stale_days: int = pr.STALE_DAYS_DEFAULT,
    big_change: float = pr.BIG_CHANGE_DEFAULT,
) -> ReviewReport:
    """Returns the ReviewReport of `week` for `scope`, reading only the rows the week needs."""
    quarter = pr.review_quarter(week)
    where = scope.repository_scope
    history = repo.review_history(week.start, week.end, where)
    deals = repo.review_deals(week.start, week.end, where)
    stages = repo.stages()
    states = pr.week_states(history, week)
    pushed_ids = pr.pushes_this_week(states).index.tolist()
    life = repo.push_histories(pushed_ids, week.end) if pushed_ids else None
    review = pr.review_week(
        states,
        deals,
        stages,
        week,
        quarter,
        stale_days=stale_days,
        big_change=big_change,
        life_history=life,
    )
    coverage = pr.coverage_by_rep(
        pr.pipeline_by_rep(review.closing_pipeline),
        repo.quota_by_rep(quarter.start, quarter.end, where),
        repo.won_by_rep(quarter.start, week.end, where),
    )
    return ReviewReport(review, scope, coverage, stale_days, big_change)


def review_waterfall(repo: Repository, week: Week, scope: ReviewScope = COMPANY) -> pr.Waterfall:
    """Returns only the week's waterfall for `scope` (the Overview headline needs no lists).

    Equal to review_report's waterfall, from fewer rows: deals that sat in the pipeline all
    week without a change come as bare amounts (they only add to opening and closing).
    """
    quarter = pr.review_quarter(week)
    where = scope.repository_scope
    moving = repo.waterfall_history(week.start, week.end, where)
    steady = repo.steady_pipeline_amounts(week.start, week.end, (quarter.start, quarter.end), where)
    return pr.with_steady_pipeline(pr.waterfall(moving, week, quarter), steady["amount"])
