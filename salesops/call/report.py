"""The call report: every figure `salesops call`, the reconciled panel and bench/ show.

`call_report` reads the repository once (snapshots at the same day of the target quarter
and of the quarters it and its track record learn from, won amounts by day, stages, quota)
and returns the call, its range, its track record beside the two alternatives (stage
probabilities; won + commit) and, with `by`, the same per team or territory. Everything is
read as of `as_of` (rows dated before it), so the call is what could have been said then.
Where the scope's won deals carry no amount (salesops.kpis.won_amounts) every money figure
of the call is undefined: `bookings_reason` says why and the JSON, the panel and the tables
show null or "—", never $0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from salesops.calendar import Quarter, quarter_of
from salesops.call.engine import (
    COMPANY,
    CallInputs,
    QuarterCall,
    TrackRecordRow,
    call_quarter,
    call_range,
    mean_abs_error,
    measure,
    track_record,
)
from salesops.call.model import day_of_quarter, instant_at, previous_quarters
from salesops.config import Settings
from salesops.kpis.won_amounts import ALL_PRICED, WonAmounts, won_amounts
from salesops.repository import EVERYTHING, Repository, Scope

METHODS = ("call", "stage_probability", "won_plus_commit")
TEXT_COLUMNS = ("unit", "stage", "forecast_category", "close_bucket")
COUNT_COLUMNS = ("deals", "won_deals")
METHOD = (
    "Won to date, plus each open deal weighted by how much of the pipeline in its stage, "
    "forecast category and expected close (long overdue, overdue, early or late this quarter, "
    "next quarter, later) was won before the "
    "quarter ended at this same day of the last {training} quarters, plus the business won "
    "in those quarters from this day on by deals not yet created. The range is the call moved "
    "by the errors past calls made on what they still had to win ({low:.0%}-{high:.0%} "
    "quantiles). Everything is computed from the history rows the database held at the as-of "
    "date."
)


@dataclass(frozen=True)
class UnitCall:
    """One scope's call (the company's, or a team's or territory's) with its track record."""

    unit: str
    label: str
    call: QuarterCall
    low: float | None
    high: float | None
    range_reason: str | None
    quota: float | None
    track: list[TrackRecordRow]

    @property
    def gap(self) -> float | None:
        """Returns quota - call (positive: short of quota); None without both."""
        if self.quota is None or self.call.projection is None:
            return None
        return self.quota - self.call.projection

    def mean_abs_errors(self) -> dict[str, float | None]:
        """Returns the track record's mean |error| of the call and the two alternatives."""
        return {m: mean_abs_error(self.track, m) for m in METHODS}


@dataclass(frozen=True)
class CallReport:
    """The quarter call as of a date, with its roll-up (`units`) when asked for."""

    quarter: Quarter
    as_of: date
    day: int
    scope_label: str
    company: UnitCall
    units: list[UnitCall] = field(default_factory=list)
    by: str | None = None
    notes: list[str] = field(default_factory=list)
    amounts: WonAmounts = ALL_PRICED  # won deals with and without an amount
    # each roll-up unit's, read only where some but not all of the scope's won deals lack one
    unit_amounts: dict[str, WonAmounts] = field(default_factory=dict)

    @property
    def bookings_reason(self) -> str | None:
        """Returns why every money figure of the call is undefined, else None."""
        return self.amounts.reason

    def unit_bookings_reason(self, unit: str) -> str | None:
        """Returns why a roll-up unit's money figures are undefined (no won amount), or None."""
        if self.bookings_reason is not None:
            return self.bookings_reason
        return self.unit_amounts.get(unit, ALL_PRICED).short_reason

    @property
    def method(self) -> str:
        """Returns the one plain paragraph that explains the call."""
        low, high = Settings.call_range
        return METHOD.format(training=Settings.call_training_quarters, low=low, high=high)


def _quarters_read(target: Quarter, track: int, training: int) -> list[Quarter]:
    """Returns the target, its track-record quarters and every quarter they learn from."""
    return [*previous_quarters(target, track + training), target]


def read_inputs(
    repo: Repository,
    target: Quarter,
    days: Sequence[int],
    as_of: date,
    quarters: Sequence[Quarter],
    by: str | None = None,
    scope: Scope = EVERYTHING,
) -> CallInputs:
    """Returns the call's inputs: every quarter's snapshot at every day, won by day, stages."""
    bounds = repo.history_bounds()
    first = bounds["first"] if bounds["first"] is not None and bounds["first"] < as_of else None
    pairs = [
        (instant_at(q, day), q.end, (q.label, day))
        for q in quarters
        for day in days
        if first is None or q.end > first
    ]
    pairs = [p for p in pairs if p[0] <= as_of]
    reads: dict = {}  # a scope of reps' spans, read once for both (from the won days' start)
    start = min((q.start for q in quarters), default=as_of)
    won = repo.call_won_by_day(start, as_of, by, scope, reads=reads).astype({"unit": object})
    frame = repo.call_snapshots([(p[0], p[1]) for p in pairs], as_of, by, scope, reads=reads)
    # Plain Python strings: the engine groups many small frames, and grouping pyarrow
    # strings costs more per call than the rows do.
    frame = frame.astype({c: object for c in TEXT_COLUMNS if c in frame})
    # Plain int64 counts (never missing) too: pandas' nullable Int64 costs more per group.
    frame = frame.astype({c: "int64" for c in COUNT_COLUMNS if c in frame})
    snapshots = {key: part.reset_index(drop=True) for key, part in _split(frame, pairs)}
    return CallInputs(snapshots, won, repo.stages(), as_of, first)


def _split(frame: pd.DataFrame, pairs: list) -> list[tuple[tuple[str, int], pd.DataFrame]]:
    """Returns each snapshot's rows keyed by (quarter label, day)."""
    groups = dict(tuple(frame.groupby("instant"))) if len(frame) else {}
    empty = frame.iloc[:0].drop(columns="instant")
    return [
        (key, groups[i].drop(columns="instant") if i in groups else empty)
        for i, (_, _, key) in enumerate(pairs)
    ]


def default_as_of(repo: Repository) -> date | None:
    """Returns the day after the last history row (what the data knows up to), None if empty."""
    last = repo.history_bounds()["last"]
    return None if last is None else last + timedelta(days=1)


def _resolve(
    repo: Repository, as_of: date | None, quarter: Quarter | None
) -> tuple[date, Quarter, list[str]]:
    """Returns the as-of date, the quarter to call and notes; ValueError when nothing to call."""
    notes: list[str] = []
    known = default_as_of(repo)
    if known is None:
        raise ValueError(
            "No pipeline history yet: import opportunities (or run `salesops demo`) first."
        )
    if as_of is None:
        as_of = known if quarter is None else min(known, quarter.end)
    elif as_of > known:
        notes.append(
            f"The data ends on {(known - timedelta(days=1)).isoformat()}: nothing after it is "
            f"known, so the call as of {as_of.isoformat()} counts no change since."
        )
    first = repo.history_bounds()["first"]
    if first is None or as_of <= first:
        raise ValueError(
            f"Nothing to call as of {as_of.isoformat()}: the first deal was recorded on "
            f"{first.isoformat() if first else 'no date'}."
        )
    target = quarter or quarter_of(as_of - timedelta(days=1))
    if target.start >= as_of:
        raise ValueError(
            f"{target.label} starts after the as-of date {as_of.isoformat()}: nothing of it "
            "is known yet."
        )
    return as_of, target, notes


def call_report(
    repo: Repository,
    as_of: date | None = None,
    quarter: Quarter | None = None,
    by: str | None = None,
    scope: Scope = EVERYTHING,
    scope_label: str = "Whole company",
) -> CallReport:
    """Returns the call of `quarter` (default: the as-of date's) as of `as_of`.

    Raises ValueError with one sentence when there is nothing to call: an empty history,
    an as-of date before the first deal, or a quarter that starts after the as-of date.
    """
    as_of, target, notes = _resolve(repo, as_of, quarter)
    day = day_of_quarter(as_of, target)
    track, training = Settings.call_track_quarters, Settings.call_training_quarters
    inputs = read_inputs(
        repo, target, [day], as_of, _quarters_read(target, track, training), by, scope
    )
    quotas = _quotas(repo, target, by, scope)
    units: list[str] = []
    if by is not None:
        seen = {u for f in inputs.snapshots.values() for u in f["unit"]}
        units = sorted((seen | set(inputs.won_days["unit"]) | set(quotas)) - {COMPANY})
    records = track_record(target, day, inputs, [None, *units] if by else [None])
    measured = measure(target, day, inputs)
    company = _unit_call(
        COMPANY, scope_label, target, day, inputs, measured, records[None], quotas, None
    )
    labels = _unit_labels(repo, by, scope)
    rolled = [
        _unit_call(u, labels.get(u, u), target, day, inputs, measured, records[u], quotas, u)
        for u in units
    ]
    amounts = won_amounts(repo, scope, as_of)  # known at as_of, as the rest of the call
    if amounts.caption is not None:
        notes.append(amounts.caption)
    per_unit = _unit_amounts(repo, by, scope, as_of, amounts)
    return CallReport(
        target, as_of, day, scope_label, company, rolled, by, notes, amounts, per_unit
    )


def _unit_keys(reps: pd.DataFrame, by: str) -> pd.Series:
    """Returns each rep's roll-up key as text (a territory id, a manager; '' for none)."""
    column = "territory_id" if by == "territory" else "manager"
    keys = reps[column].astype(object)
    keys = keys.where(keys.notna(), "")
    return keys.map(lambda v: str(int(v)) if isinstance(v, float) else str(v))


def _unit_amounts(
    repo: Repository, by: str | None, scope: Scope, as_of: date, company: WonAmounts
) -> dict[str, WonAmounts]:
    """Returns each roll-up unit's won deals and those without an amount, known at `as_of`.

    Read only where some, not all, of the scope's won deals lack an amount: otherwise every
    unit is as the scope (all defined, or all undefined) and nothing is read.
    """
    if by is None or company.undefined or company.without_amount == 0:
        return {}
    reps = repo.reps(scope)
    ids = reps["id"].astype(int).groupby(_unit_keys(reps, by))
    return {
        str(unit): won_amounts(repo, scope.intersect(Scope(rep_ids=tuple(group))), as_of)
        for unit, group in ids
    }


def _unit_call(
    unit: str,
    label: str,
    target: Quarter,
    day: int,
    inputs: CallInputs,
    measured: Any,
    track: list[TrackRecordRow],
    quotas: dict[str, float],
    which: str | None,
) -> UnitCall:
    call = call_quarter(target, day, inputs, measured, which)
    low, high, reason = call_range(call, track, Settings.call_range)
    quota = sum(quotas.values()) if which is None else quotas.get(unit)
    return UnitCall(unit, label, call, low, high, reason, quota or None, track)


def _unit_labels(repo: Repository, by: str | None, scope: Scope) -> dict[str, str]:
    """Returns each roll-up unit's name: a territory's name, a team's manager."""
    if by != "territory":
        return {}
    territories = repo.territories(scope)
    return {
        str(int(i)): str(n) for i, n in zip(territories["id"], territories["name"], strict=True)
    }


def _quotas(repo: Repository, target: Quarter, by: str | None, scope: Scope) -> dict[str, float]:
    """Returns the quarter's quota per unit ('' when not rolled up)."""
    quotas = repo.quota_by_rep(target.start, target.end, scope)
    if by is None or quotas.empty:
        return {COMPANY: float(quotas["quota"].sum())} if len(quotas) else {}
    reps = repo.reps(scope)
    rep_keys = pd.Series(_unit_keys(reps, by).to_numpy(), index=reps["id"].to_numpy())
    keys = quotas["rep_id"].map(rep_keys).fillna("")
    return {str(k): float(v) for k, v in quotas.groupby(keys)["quota"].sum().items()}


def call_evolution(
    repo: Repository,
    as_of: date | None = None,
    quarter: Quarter | None = None,
    scope: Scope = EVERYTHING,
) -> pd.DataFrame:
    """Returns the call as it evolved week by week through the quarter, up to `as_of`.

    Each week's call is made as of that day from what the database knew then (the same
    method at that day of the quarter). Columns: as_of (datetime64), day, won_to_date,
    commit, projection (NaN when too few past quarters), quota.
    """
    as_of, target, _ = _resolve(repo, as_of, quarter)
    last_day = day_of_quarter(as_of, target)
    quota = sum(_quotas(repo, target, None, scope).values()) or None
    days = sorted({*range(7, last_day, 7), last_day})
    quarters = [*previous_quarters(target, Settings.call_training_quarters), target]
    inputs = read_inputs(repo, target, days, as_of, quarters, None, scope)
    rows = []
    for day in days:
        call = call_quarter(target, day, inputs, measure(target, day, inputs))
        rows.append(
            {
                "as_of": pd.Timestamp(instant_at(target, day)),
                "day": day,
                "won_to_date": call.won_to_date,
                "commit": call.commit,
                "projection": float("nan") if call.projection is None else call.projection,
                "quota": quota,
            }
        )
    return pd.DataFrame(rows)
