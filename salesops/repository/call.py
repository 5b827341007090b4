"""Queries behind the quarter call: point-in-time pipeline snapshots and won amounts by day.

Everything reads rollup_history_spans (see schema.rollup_history_spans), never today's
values of a deal: a snapshot at instant t holds the rows current at t (dated before t, the
deal's next row dated t or later), and an amount counts as won on the date of its won row.
`until` bounds every row read, so a call as of a date uses only what the database knew then.

Scope is a set of reps (team, territory or rep, resolved by the caller); `by` groups the
rows by the rep's territory or manager (the roll-up), or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from salesops.calendar import quarter_of
from salesops.db import schema as s
from salesops.db.call_scoped import ScopedSpans
from salesops.db.schema_call import (
    rollup_call_rep_changes,
    rollup_call_rep_won_days,
    rollup_call_snapshots,
    rollup_call_won_days,
)
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import DATE, FLOAT, INT, STR, coerce
from salesops.repository.pipeline_review import CLOSED_OUTCOMES, _scope_clause, _span_rows

CALL_UNITS = ("territory", "team")
SNAPSHOT_ROW = {
    "instant": INT,
    "unit": STR,
    "stage": STR,
    "forecast_category": STR,
    "close_bucket": STR,
    "deals": INT,
    "open_amount": FLOAT,
    "won_amount": FLOAT,
    "won_deals": INT,
}
ROLLUP_ROW = {k: v for k, v in SNAPSHOT_ROW.items() if k != "instant"}
CELL = ("unit", "stage", "forecast_category", "close_bucket")
# a day's summed changes of the per-rep rollup's cells (amounts in whole cents)
CHANGE_ROW = {"quarter_start": DATE, "day": INT} | {k: STR for k in CELL}
CHANGE_ROW |= {"deals": INT, "open_cents": FLOAT, "won_cents": FLOAT, "won_deals": INT}
WON_DAY_ROW = {"unit": STR, "day": DATE, "won_amount": FLOAT}
OVERDUE_LONG_DAYS = 30  # an expected close this long gone is a stale date
NEXT_QUARTER_DAYS = 92
ALL_CLASSES = (s.CLOSED_FOR_GOOD, s.OPEN_ENDED, *s.HISTORY_SPAN_BOUNDS)


def _unit_of(territory: ColumnElement, manager: ColumnElement, by: str | None) -> ColumnElement:
    """Returns the roll-up key (as text) from a territory and a manager column, '' for none."""
    if by is None:
        return literal("", String).label("unit")
    if by == "territory":
        return cast(territory, String).label("unit")
    if by == "team":
        return func.coalesce(manager, "").label("unit")
    raise ValueError(f"Unknown roll-up {by!r}: use one of {', '.join(CALL_UNITS)}.")


def _unit(by: str | None) -> ColumnElement:
    """Returns the roll-up key of a deal's rep (as text), or '' for the whole scope."""
    return _unit_of(s.reps.c.territory_id, s.reps.c.manager, by)


def _won_rows(start: date, end: date) -> Select:
    """Returns (opportunity_id, amount) of the won rows dated in [start, end).

    Every length class is one range of the clustered table (a won row may be a deal's last
    row or, when it was reopened later, an earlier one).
    """
    sp = s.rollup_history_spans.c
    return select(sp.opportunity_id, cast(sp.amount, Float).label("amount")).where(
        sp.length_bound.in_(ALL_CLASSES),
        sp.valid_from >= start,
        sp.valid_from < end,
        sp.outcome == "won",
    )


def _close_bucket(expected: ColumnElement, instant: date, quarter_end: date) -> ColumnElement:
    """Returns where a deal's expected close falls from the instant (see CLOSE_BUCKETS)."""
    half = instant + (quarter_end - instant) / 2
    return case(
        (expected.is_(None), "none"),
        (expected < instant - timedelta(days=OVERDUE_LONG_DAYS), "overdue_long"),
        (expected < instant, "overdue"),
        (expected < half, "quarter_near"),
        (expected < quarter_end, "quarter_late"),
        (expected < quarter_end + timedelta(days=NEXT_QUARTER_DAYS), "next_quarter"),
        else_="later",
    )


def _snapshot(
    index: int, instant: date, quarter_end: date, until: date, by: str | None, scope: Scope
) -> Select:
    """Returns one snapshot's open pipeline grouped, with what of it was won by quarter end."""
    sp = s.rollup_history_spans.c
    open_rows = _span_rows(
        instant,
        instant,
        sp.outcome.not_in(CLOSED_OUTCOMES),
        scope,
        sp.opportunity_id,
        sp.stage,
        sp.forecast_category,
        cast(sp.amount, Float).label("amount"),
        sp.expected_close_date,
    ).subquery("open_rows")
    # A quarter not ended by `until`: what it will win is not known yet (no call uses it).
    won = _won_rows(instant, quarter_end if quarter_end <= until else instant).subquery("won")
    won_by_deal = (
        select(won.c.opportunity_id, func.sum(won.c.amount).label("won"))
        .group_by(won.c.opportunity_id)
        .subquery("won_by_deal")
    )
    o, r = s.opportunities, s.reps
    unit = _unit(by)
    bucket = _close_bucket(open_rows.c.expected_close_date, instant, quarter_end).label("bucket")
    keys: list[ColumnElement] = [open_rows.c.stage, open_rows.c.forecast_category, bucket]
    if by is not None:
        keys.insert(0, unit)
    joined = open_rows.outerjoin(
        won_by_deal, won_by_deal.c.opportunity_id == open_rows.c.opportunity_id
    )
    if by is not None:  # the rep's territory or manager: one lookup per open deal
        joined = joined.join(o, o.c.id == open_rows.c.opportunity_id).outerjoin(
            r, r.c.id == o.c.rep_id
        )
    return (
        select(
            literal(index).label("instant"),
            *([] if by is not None else [unit]),
            *keys,
            func.count(),
            func.coalesce(func.sum(open_rows.c.amount), 0.0),
            func.coalesce(func.sum(won_by_deal.c.won), 0.0),
            func.count(won_by_deal.c.won),
        )
        .select_from(joined)
        .group_by(*keys)
    )


def _in_quarter(instants: Sequence[tuple[date, date]], until: date) -> list[int]:
    """Returns the instants that (at most `until`) lie in their quarter: what a sweep serves."""
    return [
        i
        for i, (instant, end) in enumerate(instants)
        if _quarter_start(end) <= min(instant, until) <= end
    ]


def _instant_day(instant: tuple[date, date], until: date) -> tuple[date, int, bool]:
    """Returns an (instant, quarter end)'s quarter start, day in it and whether it ended."""
    start = _quarter_start(instant[1])
    return start, (instant[0] - start).days, instant[1] <= until


def _levels(changes: pd.DataFrame, asked: Sequence[tuple[int, date, int, bool]]) -> pd.DataFrame:
    """Returns the snapshot rows at each asked instant from its quarter's daily changes.

    `changes`: CHANGE_ROW rows, one per quarter, cell and day; `asked`: (instant index,
    quarter start, day, quarter ended by the as-of date). A cell's sums at day d are its
    changes through d added up (whole numbers, in int64: exact); cells without deals then
    have no row, and the won sums of a quarter not ended are 0 (not known yet).
    """
    if changes.empty or not asked:
        return coerce([], SNAPSHOT_ROW).astype({"instant": "int64"})
    line = changes.groupby(["quarter_start", *CELL], dropna=False, sort=False).ngroup().to_numpy()
    day = changes["day"].to_numpy("int64")
    order = np.lexsort((day, line))
    line, day = line[order], day[order]
    sums = np.column_stack(
        [
            changes["deals"].to_numpy("int64"),
            np.rint(changes["open_cents"].to_numpy("float64")).astype("int64"),
            np.rint(changes["won_cents"].to_numpy("float64")).astype("int64"),
            changes["won_deals"].to_numpy("int64"),
        ]
    )[order]
    through = np.vstack([np.zeros((1, 4), "int64"), np.cumsum(sums, axis=0)])  # rows before k
    key = line * 1_000 + day  # a quarter has at most 92 days
    firsts = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])  # each line's first row
    cells = changes.iloc[order[firsts]]
    quarter = cells["quarter_start"].to_numpy()
    labels = list(cells[list(CELL)].itertuples(index=False, name=None))
    rows: list[tuple] = []
    for instant, start, at, ended in asked:
        of = np.flatnonzero(quarter == np.datetime64(start, "ns"))
        level = through[np.searchsorted(key, line[firsts[of]] * 1_000 + at, side="right")]
        level -= through[firsts[of]]
        for position in np.flatnonzero(level[:, 0] > 0).tolist():
            deals, cents, won, won_deals = level[position].tolist()
            rows.append(
                (
                    instant,
                    *labels[of[position]],
                    deals,
                    cents / 100.0,
                    won / 100.0 if ended else 0.0,
                    won_deals if ended else 0,
                )
            )
    return coerce(rows, SNAPSHOT_ROW).astype({"instant": "int64"})


def _quarter_start(quarter_end: date) -> date:
    """Returns the start of the quarter ending at `quarter_end` (the day after its last)."""
    return quarter_of(quarter_end - timedelta(days=1)).start


class CallQueries(RepositoryBase):
    """Named queries for the quarter call (salesops.call).

    Both read the call rollups (salesops.db.schema_call) when they can serve the request:
    the unit rollups (reps grouped by territory and manager) for the company and whole
    teams or territories, the per-rep rollups for any other scope of reps; and the history
    spans otherwise: an instant in a quarter after the last the rollups hold (an as-of
    date after the data). Both give the same rows (tests/integration/test_call_rollup.py).
    """

    def call_snapshots(
        self,
        instants: Sequence[tuple[date, date]],
        until: date,
        by: str | None = None,
        scope: Scope = EVERYTHING,
        rollup: bool = True,
        reads: dict | None = None,
    ) -> pd.DataFrame:
        """Returns the open pipeline at each instant, grouped, and what of it was won in time.

        `instants` are (instant, quarter_end) pairs. For each, the deals open at the instant
        (their row current then), grouped by unit (see `by`), stage, forecast_category and
        close_bucket (none, overdue: expected before the instant, quarter: before
        quarter_end, later), with the amount of won rows those deals have dated in
        [instant, quarter_end) (0 for a quarter not ended by `until`: not known yet).
        Columns: instant (index into `instants`), unit, stage, forecast_category,
        close_bucket, deals, open_amount, won_amount, won_deals. `rollup=False` reads the
        history spans only (what the rollup is tested against). `reads` (a dict the caller
        passes to this and call_won_by_day alike) keeps a scope of reps' spans for the other.
        """
        if not instants:
            return pd.DataFrame({n: pd.Series(dtype=object) for n in SNAPSHOT_ROW})
        within = self._call_within(rollup_call_snapshots, scope, rollup)
        reps = self._call_reps(scope) if rollup and within is None else None
        covered = self._call_rollup_quarters() if rollup else set()
        served = [
            i
            for i, (instant, end) in enumerate(instants)
            if instant <= until and _quarter_start(end) in covered
        ]
        swept = []
        if rollup and within is None:  # a scope of reps: instants the rollup has not
            swept = sorted(set(_in_quarter(instants, until)) - set(served))
        rest = sorted(set(range(len(instants))) - set(served) - set(swept))
        # One statement per instant: as one UNION ALL, PostgreSQL misestimates the won
        # subqueries and its plan runs for minutes at the large scale (1 s per snapshot alone).
        frames = [
            self._frame(
                _snapshot(i, min(instants[i][0], until), instants[i][1], until, by, scope),
                SNAPSHOT_ROW,
            )
            for i in rest
        ]
        if served and within is not None:
            frames.append(self._rollup_snapshots(instants, served, until, by, within))
        elif served and reps is not None:
            frames.append(self._rep_snapshots(instants, served, until, by, reps))
        if swept:
            asked = [(min(instants[i][0], until), instants[i][1]) for i in swept]
            since = min(_quarter_start(end) for _, end in asked)
            rows = self._scoped(by, scope, until, since, reads).snapshots(asked, until)
            rows["instant"] = [swept[i] for i in rows["instant"]]
            frames.append(coerce(list(rows.itertuples(index=False, name=None)), SNAPSHOT_ROW))
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values(
            ["instant", "unit", "stage", "forecast_category", "close_bucket"],
            ignore_index=True,
        )

    def _call_within(self, table: Table, scope: Scope, rollup: bool) -> ColumnElement[bool] | None:
        """Returns the condition keeping a call rollup's rows of the scope, None if it cannot.

        The rollups group deals by their rep's (territory, manager): a scope of reps is
        served when it is every rep of the units its reps are in (a team, a territory's
        reps) and none of them is the no-rep unit (None, None), which holds deals without
        a rep too.
        """
        c = table.c
        if not rollup:
            return None
        if not scope.rep_ids:
            return c.territory_id.in_(scope.territory_ids) if scope.territory_ids else true()
        reps, chosen = self._scope_reps(scope)
        units = {(t, m) for rep, t, m in reps if rep in chosen}
        whole = all(rep in chosen for rep, t, m in reps if (t, m) in units)
        if (None, None) in units or not whole:
            return None
        if not units:
            return false()
        return or_(
            *(
                and_(
                    c.territory_id.is_(None) if territory is None else c.territory_id == territory,
                    c.manager.is_(None) if manager is None else c.manager == manager,
                )
                for territory, manager in sorted(units, key=str)
            )
        )

    def _scope_reps(self, scope: Scope) -> tuple[list[tuple], set[int]]:
        """Returns every rep's (id, territory_id, manager) and the ids of the scope's reps.

        A scope of reps holds the deals of its reps (those in its territories, if any).
        """
        r = s.reps.c
        reps = self._on_connection(
            lambda conn: conn.execute(select(r.id, r.territory_id, r.manager)).all()
        )
        chosen = {
            int(rep)
            for rep, territory, _ in reps
            if rep in scope.rep_ids
            and (not scope.territory_ids or territory in scope.territory_ids)
        }
        return [tuple(row) for row in reps], chosen

    def _call_reps(self, scope: Scope) -> list[int]:
        """Returns the reps whose rows of the per-rep call rollups a scope of reps sums."""
        return sorted(self._scope_reps(scope)[1])

    def _scoped(
        self, by: str | None, scope: Scope, until: date, since: date, reads: dict | None
    ) -> ScopedSpans:
        """Returns the spans of the scope's deals dated before `until` (kept in `reads`).

        Spans ended before `since` are left out (the instants and won days asked are from
        `since` on); spans kept in `reads` for an earlier `since` serve a later one.
        """
        key = ("scoped", by, scope, until)
        if reads is not None and key in reads and reads[key].since <= since:
            return reads[key]
        o, r = s.opportunities, s.reps
        deals = (
            select(o.c.id, _unit(by))
            .select_from(o.outerjoin(r, r.c.id == o.c.rep_id))
            .where(_scope_clause(scope))
        )
        ids = select(o.c.id).where(_scope_clause(scope))
        spans = self._on_connection(lambda conn: ScopedSpans(conn, deals, ids, until, since))
        if reads is not None:
            reads[key] = spans
        return spans

    def _call_rollup_quarters(self) -> set[date]:
        """Returns the quarters (their start) the snapshot rollup holds."""
        c = rollup_call_snapshots.c
        bounds = self._frame(
            select(
                select(func.min(c.quarter_start)).scalar_subquery(),
                select(func.max(c.quarter_start)).scalar_subquery(),
            ),
            {"first": DATE, "last": DATE},
        ).iloc[0]
        if pd.isna(bounds["first"]):
            return set()
        first, last = bounds["first"].date(), bounds["last"].date()
        quarters = set()
        quarter = quarter_of(first)
        while quarter.start <= last:
            quarters.add(quarter.start)
            quarter = quarter_of(quarter.end)
        return quarters

    def _rollup_snapshots(
        self,
        instants: Sequence[tuple[date, date]],
        served: Sequence[int],
        until: date,
        by: str | None,
        within: ColumnElement[bool],
    ) -> pd.DataFrame:
        """Returns the snapshots of the `served` instants from rollup_call_snapshots.

        `within` limits the rollup rows to the scope's (see _rollup_scope).
        """
        c = rollup_call_snapshots.c
        unit = _unit_of(c.territory_id, c.manager, by)
        measures = [
            func.sum(c.deals),
            func.sum(c.open_amount),
            func.sum(c.won_amount),
            func.sum(c.won_deals),
        ]
        rows = rollup_call_snapshots
        return self._snapshot_rows(rows, rows, instants, served, until, unit, measures, within)

    def _rep_snapshots(
        self,
        instants: Sequence[tuple[date, date]],
        served: Sequence[int],
        until: date,
        by: str | None,
        reps: Sequence[int],
    ) -> pd.DataFrame:
        """Returns the snapshots of the `served` instants summed over `reps`' rows.

        From rollup_call_rep_changes: the reps' changes in each quarter asked, through its
        last day asked, summed per day and cell in SQL (amounts in whole cents), then added
        up over the days through each instant's (_levels). Whole numbers throughout, as the
        sweep of the reps' spans sums them (salesops.db.call_scoped): the same numbers to
        the bit.
        """
        c = rollup_call_rep_changes.c
        table: FromClause = rollup_call_rep_changes
        if by is not None:  # the rep's territory or manager
            table = table.join(s.reps, s.reps.c.id == c.rep_id)
        asked = [_instant_day(instants[i], until) for i in served]
        last: dict[date, int] = {}
        for start, day, _ in asked:
            last[start] = max(day, last.get(start, day))
        chosen = c.rep_id.in_(list(reps))
        # each quarter's rows of the reps: one range of the rep index per rep
        where = or_(
            *(and_(chosen, c.quarter_start == q, c.day <= day) for q, day in sorted(last.items()))
        )
        keys = [c.quarter_start, c.day, _unit(by), c.stage, c.forecast_category, c.close_bucket]
        cents = literal(100.0, Float)
        stmt = (
            select(
                *keys,
                func.sum(c.deals),
                func.sum(func.round(c.open_amount * cents)),
                func.sum(func.round(c.won_amount * cents)),
                func.sum(c.won_deals),
            )
            .select_from(table)
            .where(where)
            .group_by(*keys)
        )
        changes = self._frame(stmt, CHANGE_ROW)
        return _levels(changes, [(i, *a) for i, a in zip(served, asked, strict=True)])

    def _snapshot_rows(
        self,
        rollup: Table,
        table: FromClause,
        instants: Sequence[tuple[date, date]],
        served: Sequence[int],
        until: date,
        unit: ColumnElement,
        measures: Sequence[ColumnElement],
        within: ColumnElement[bool],
    ) -> pd.DataFrame:
        """Returns the `served` instants' rows of a snapshot rollup, grouped by unit and kind.

        `table` is the snapshot `rollup` (or joins it); `within` keeps the scope's rows.
        """
        c = rollup.c
        wanted = pd.DataFrame(
            {
                "instant": list(served),
                "quarter_start": [pd.Timestamp(_quarter_start(instants[i][1])) for i in served],
                "day": [(instants[i][0] - _quarter_start(instants[i][1])).days for i in served],
                "ended": [instants[i][1] <= until for i in served],
            }
        )
        days: dict[date, set[int]] = {}
        for start, day in zip(wanted["quarter_start"], wanted["day"], strict=True):
            days.setdefault(start.date(), set()).add(int(day))
        keys = [c.quarter_start, c.day, unit, c.stage, c.forecast_category, c.close_bucket]
        arms = [and_(c.quarter_start == start, c.day.in_(sorted(d))) for start, d in days.items()]
        where = and_(or_(*arms), within)
        stmt = select(*keys, *measures).select_from(table).where(where).group_by(*keys)
        rows = self._frame(stmt, {"quarter_start": DATE, "day": INT} | ROLLUP_ROW)
        frame = wanted.merge(rows, on=["quarter_start", "day"], how="inner")
        frame.loc[~frame["ended"], ["won_amount", "won_deals"]] = 0
        return frame[list(SNAPSHOT_ROW)].astype({"instant": "int64"})

    def call_won_by_day(
        self,
        start: date,
        until: date,
        by: str | None = None,
        scope: Scope = EVERYTHING,
        rollup: bool = True,
        reads: dict | None = None,
    ) -> pd.DataFrame:
        """Returns the amount won per day and unit, by won rows dated in [start, until).

        Columns: unit, day, won_amount; ordered by unit and day. Reads rollup_call_won_days
        unless the scope is a set of reps that is not a whole set of its units (then the
        reps' deals' won spans, see salesops.db.call_scoped; `rollup=False`: the history
        spans only). `reads`: see call_snapshots.
        """
        w = rollup_call_won_days.c
        within = self._call_within(rollup_call_won_days, scope, rollup)
        if rollup and within is None:
            return self._rep_won_by_day(start, until, by, self._call_reps(scope))
        if within is not None:
            unit = _unit_of(w.territory_id, w.manager, by)
            stmt = (
                select(unit, w.day, func.coalesce(func.sum(w.won_amount), 0.0))
                .where(w.day >= start, w.day < until, within)
                .group_by(unit, w.day)
                .order_by(unit, w.day)
            )
            return self._frame(stmt, WON_DAY_ROW)
        sp = s.rollup_history_spans.c
        rows = (
            select(
                sp.opportunity_id,
                sp.valid_from.label("day"),
                cast(sp.amount, Float).label("amount"),
            )
            .where(
                sp.length_bound.in_(ALL_CLASSES),
                sp.valid_from >= start,
                sp.valid_from < until,
                sp.outcome == "won",
            )
            .subquery("won_rows")
        )
        unit = _unit(by)
        stmt = select(unit, rows.c.day, func.coalesce(func.sum(rows.c.amount), 0.0))
        if by is not None or not scope.is_everything:
            o, r = s.opportunities, s.reps
            stmt = stmt.select_from(
                rows.join(o, o.c.id == rows.c.opportunity_id).outerjoin(r, r.c.id == o.c.rep_id)
            ).where(_scope_clause(scope))
        stmt = stmt.group_by(unit, rows.c.day).order_by(unit, rows.c.day)
        return self._frame(stmt, WON_DAY_ROW)

    def _rep_won_by_day(
        self, start: date, until: date, by: str | None, reps: Sequence[int]
    ) -> pd.DataFrame:
        """Returns call_won_by_day of a scope of reps, from rollup_call_rep_won_days.

        Amounts summed in whole cents, rows ordered by unit then day: as the sweep of the
        reps' spans (salesops.db.call_scoped) gives them, to the bit.
        """
        w = rollup_call_rep_won_days.c
        unit = _unit(by)
        table: FromClause = rollup_call_rep_won_days
        if by is not None:
            table = table.join(s.reps, s.reps.c.id == w.rep_id)
        stmt = (
            select(unit, w.day, _cents_sum(w.won_amount))
            .select_from(table)
            .where(w.day >= start, w.day < until, w.rep_id.in_(list(reps)))
            .group_by(unit, w.day)
        )
        frame = self._frame(stmt, WON_DAY_ROW)
        return frame.sort_values(["unit", "day"], ignore_index=True, kind="stable")


def _cents_sum(amount: ColumnElement) -> ColumnElement:
    """Returns SUM(amount) of amounts stored as whole cents / 100, summed in whole cents.

    A float sum of cents / 100 may differ from cents summed then divided in the last bit;
    the sweep of a scope's spans (salesops.db.call_scoped) sums whole cents.
    """
    cents = func.sum(func.round(amount * literal(100.0, Float)))
    return cast(cents, Float) / literal(100.0, Float)
