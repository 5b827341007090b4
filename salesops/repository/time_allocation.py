"""Queries behind the Rep time allocation page: activity hours, bookings per rep, reps.

Hours per rep and activity come from running totals (a whole-month period is its last
month's totals minus the month before's) plus the activities of any partial-month edges;
trends from hours by week or month and territory (by rep when the scope names reps);
bookings from the monthly closed-deals rollup plus weekly won deals and a few days of
deals for the edges. Where a rollup is missing or not yet built, the same GROUP BY runs
on the base tables. An activity row belongs to a period when its ``week_start`` falls
inside it, and to the month of its ``week_start``. Scope applies to reps: their
territory, the territory's segment, and rep ids.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    true,
)

from salesops.calendar import Period, split_whole_months, split_whole_weeks
from salesops.db import schema as s
from salesops.db.engine import SchemaMissing
from salesops.db.sqlfuncs import month_start
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import BOOL, DATE, FLOAT, INT, STR, coerce

Source = Literal["auto", "rollup", "raw"]

ACTIVITY_TYPES = {"activity": STR, "category": STR, "is_back_office": BOOL}
TIME_REPS = {
    "id": INT,
    "name": STR,
    "territory_id": INT,
    "manager": STR,
    "hire_date": DATE,
    "end_date": DATE,
    "annual_cost": FLOAT,
    "weekly_capacity_hours": FLOAT,
}
REP_ACTIVITY = {"rep_id": INT, "activity": STR, "hours": FLOAT, "count": INT}
PERIOD_ACTIVITY = {"period": DATE, "activity": STR, "hours": FLOAT}
REP_BOOKINGS = {"rep_id": INT, "bookings": FLOAT}
REP_MONTH_BOOKINGS = {"rep_id": INT, "month": DATE, "bookings": FLOAT}


def _scoped_rep_ids(scope: Scope) -> Select:
    """Returns a select of the ids of reps in scope (territory, territory segment, rep)."""
    r, t = s.reps.c, s.territories.c
    return (
        select(r.id)
        .select_from(s.reps.outerjoin(s.territories, t.id == r.territory_id))
        .where(scope.clause(r.territory_id, t.segment, r.id))
    )


def _rep_filter(rep_col, scope: Scope):
    if scope.is_everything:
        return rep_col.is_not(None)
    return rep_col.in_(_scoped_rep_ids(scope))


class TimeQueries(RepositoryBase):
    """Named queries for the Rep time allocation page and `salesops time`."""

    def activity_types(self) -> pd.DataFrame:
        """Returns the activity catalogue. Columns: activity, category, is_back_office."""
        at = s.activity_types.c
        return self._frame(
            select(at.activity, at.category, at.is_back_office).order_by(at.activity),
            ACTIVITY_TYPES,
        )

    def time_reps(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the reps in scope with their cost and capacity.

        Columns: id, name, territory_id, manager, hire_date, end_date, annual_cost,
        weekly_capacity_hours; ordered by id.
        """
        r = s.reps.c
        stmt = select(
            r.id,
            r.name,
            r.territory_id,
            r.manager,
            r.hire_date,
            r.end_date,
            r.annual_cost,
            r.weekly_capacity_hours,
        ).order_by(r.id)
        if not scope.is_everything:
            stmt = stmt.where(r.id.in_(_scoped_rep_ids(scope)))
        return self._frame(stmt, TIME_REPS)

    def activity_bounds(self) -> dict[str, date | None]:
        """Returns the first and last week_start logged: {"first": date|None, "last": ...}."""
        act = s.activities.c
        frame = self._frame(
            select(func.min(act.week_start), func.max(act.week_start)),
            {"first": DATE, "last": DATE},
        )
        row = frame.iloc[0]
        return {k: (row[k].date() if pd.notna(row[k]) else None) for k in ("first", "last")}

    def closed_bounds(self) -> dict[str, date | None]:
        """Returns the first and last closed_at of any deal (index lookups, no scan)."""
        o = s.opportunities.c
        frame = self._frame(
            select(
                select(func.min(o.closed_at)).scalar_subquery(),
                select(func.max(o.closed_at)).scalar_subquery(),
            ),
            {"first": DATE, "last": DATE},
        )
        row = frame.iloc[0]
        return {k: (row[k].date() if pd.notna(row[k]) else None) for k in ("first", "last")}

    def _rollup_ready(self, table, base=s.activities) -> bool:
        """Returns True when the rollup exists and is built (or there is nothing to roll up).

        A True answer is remembered for this repository: rollups are rebuilt in one
        transaction, so a built rollup never becomes empty while its base has rows.
        """
        ready = self.__dict__.setdefault("_ready_rollups", set())
        if table.name in ready:
            return True
        try:
            frame = self._frame(
                select(
                    exists(select(list(table.c)[0])).label("built"),
                    exists(select(list(base.c)[0])).label("base"),
                ),
                {"built": BOOL, "base": BOOL},
            )
        except SchemaMissing:
            return False
        row = frame.iloc[0]
        if bool(row["built"]):
            ready.add(table.name)
            return True
        return not bool(row["base"])

    def activity_hours_by_rep(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns hours and counts per rep and activity for weeks starting in the period.

        Columns: rep_id, activity, hours, count (count is NULL when no row counted units).
        The period's whole months come from the running totals (two rows per rep and
        activity, whatever the period's length) and its partial-month edges from
        ``activities``; ``source="raw"`` reads ``activities`` alone.
        """
        whole, edges = split_whole_months(period)
        use_rollup = source == "rollup" or (
            source == "auto" and whole is not None and self._rollup_ready(s.rollup_activity_running)
        )
        if not use_rollup or whole is None:
            return self._raw_hours_by_rep([period], scope)
        frame = self._running_hours_by_rep(whole, scope)
        if edges:
            frame = _sum_parts(frame, self._raw_hours_by_rep(edges, scope), ["rep_id", "activity"])
        return frame

    def _raw_hours_by_rep(self, periods: list[Period], scope: Scope) -> pd.DataFrame:
        c = s.activities.c
        stmt = (
            select(c.rep_id, c.activity, func.sum(c.hours), func.sum(c["count"]))
            .where(or_(*(c.week_start.between(p.start, p.end) for p in periods)))
            .where(_rep_filter(c.rep_id, scope))
            .group_by(c.rep_id, c.activity)
            .order_by(c.rep_id, c.activity)
        )
        return self._frame(stmt, REP_ACTIVITY)

    def _running_hours_by_rep(self, whole: Period, scope: Scope) -> pd.DataFrame:
        """Returns the whole-month period's rows as the difference of two running totals."""
        c = s.rollup_activity_running.c
        keys = self._frame(
            select(
                select(func.max(c.month)).where(c.month <= whole.end).scalar_subquery(),
                select(func.max(c.month)).where(c.month < whole.start).scalar_subquery(),
            ),
            {"last": DATE, "before": DATE},
        ).iloc[0]
        last = keys["last"].date() if pd.notna(keys["last"]) else None
        before = keys["before"].date() if pd.notna(keys["before"]) else None
        if last is None or last == before:  # nothing logged in the period
            return coerce([], REP_ACTIVITY)

        # Every pair with a row before the period has one at its end (the rows are dense),
        # so the end month's rows, each joined to its own earlier row, are the difference.
        # (No join when the period starts with the data: a join on "month IS NULL" can't
        # use the key, and SQLite then pairs every row with every row.)
        end = s.rollup_activity_running.alias("period_end")
        before_row = s.rollup_activity_running.alias("before_start")
        e, b = end.c, before_row.c
        joined: FromClause = end
        if before is not None:
            joined = end.outerjoin(
                before_row,
                and_(b.month == before, b.rep_id == e.rep_id, b.activity == e.activity),
            )

        def delta(column: str):
            if before is None:
                return e[column]
            return e[column] - func.coalesce(b[column], 0)

        stmt = (
            select(
                e.rep_id,
                e.activity,
                delta("hours"),
                case((delta("counted_rows") > 0, delta("units")), else_=None),
            )
            .select_from(joined)
            .where(e.month == last, delta("activity_rows") > 0, _rep_filter(e.rep_id, scope))
            .order_by(e.rep_id, e.activity)
        )
        return self._frame(stmt, REP_ACTIVITY)

    def activity_hours_by_period(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        freq: str = "W",
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns hours per week (``freq="W"``) or month (``"M"``) and activity in the period.

        Columns: period (the week's Monday or the month's first day), activity, hours.
        Reads the rollup by territory (weeks, or months when the period is whole months)
        unless the scope names reps: then the monthly rollup by rep, or ``activities``.
        """
        if freq not in ("W", "M"):
            raise ValueError(f"freq must be 'W' or 'M', not {freq!r}.")
        monthly = freq == "M" and period.is_whole_months
        table: Table | None
        if scope.rep_ids:
            table = s.rollup_activity_months if monthly else None
        else:
            table = s.rollup_activity_territory_months if monthly else s.rollup_activity_weeks
        use_rollup = table is not None and (
            source == "rollup" or (source == "auto" and self._rollup_ready(table))
        )
        bucket: ColumnElement[Any]
        scoped: ColumnElement[Any] | None
        if table is None or not use_rollup:
            c = s.activities.c
            bucket = month_start(c.week_start) if freq == "M" else c.week_start
            where, scoped = c.week_start.between(period.start, period.end), c.rep_id
        elif table is s.rollup_activity_months:
            c = table.c
            bucket, where, scoped = c.month, c.month.between(period.start, period.end), c.rep_id
        else:
            c = table.c
            day = c.month if monthly else c.week_start
            bucket = month_start(day) if freq == "M" and not monthly else day
            where, scoped = day.between(period.start, period.end), None
        if scoped is not None:
            scoped = _rep_filter(scoped, scope)
        elif scope.is_everything:
            scoped = true()
        else:
            t = s.territories.c
            scoped = c.territory_id.in_(select(t.id).where(scope.clause(t.id, t.segment, None)))
        stmt = (
            select(bucket.label("period"), c.activity, func.sum(c.hours))
            .where(where, scoped)
            .group_by(bucket, c.activity)
            .order_by(bucket, c.activity)
        )
        return self._frame(stmt, PERIOD_ACTIVITY)

    def bookings_by_rep(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns the won amount per rep for deals closed in the period.

        Columns: rep_id, bookings (reps with no won deal are absent). Whole months come
        from the monthly rollup, partial-month edges from ``opportunities``.
        """
        whole, edges = split_whole_months(period)
        use_rollup = source == "rollup" or (
            source == "auto"
            and whole is not None
            and self._rollup_ready(s.rollup_closed_opportunities, s.opportunities)
        )
        if not use_rollup or whole is None:
            return self._raw_bookings_by_rep([period], scope)
        c = s.rollup_closed_opportunities.c
        stmt = (
            select(c.rep_id, func.coalesce(func.sum(c.won_amount), 0.0))
            .where(c.month.between(whole.start, whole.end), _rep_filter(c.rep_id, scope))
            .group_by(c.rep_id)
            .having(func.sum(c.won) > 0)
            .order_by(c.rep_id)
        )
        frame = self._frame(stmt, REP_BOOKINGS)
        if edges:
            frame = _sum_parts(frame, self._edge_bookings_by_rep(edges, scope), ["rep_id"])
        return frame

    def _edge_bookings_by_rep(self, edges: list[Period], scope: Scope) -> pd.DataFrame:
        """Returns the partial months' bookings: whole weeks from the weekly rollup, then days."""
        weeks: list[Period] = []
        days: list[Period] = []
        for edge in edges:
            whole, rest = split_whole_weeks(edge)
            weeks += [whole] if whole else []
            days += rest
        frame = coerce([], REP_BOOKINGS)
        if weeks and self._rollup_ready(s.rollup_won_weeks, s.opportunities):
            w = s.rollup_won_weeks.c
            stmt = (
                select(w.rep_id, func.coalesce(func.sum(w.won_amount), 0.0))
                .where(or_(*(w.week_start.between(p.start, p.end) for p in weeks)))
                .where(_rep_filter(w.rep_id, scope))
                .group_by(w.rep_id)
                .order_by(w.rep_id)
            )
            frame = self._frame(stmt, REP_BOOKINGS)
        else:
            days += weeks
        if days:
            frame = _sum_parts(frame, self._raw_bookings_by_rep(days, scope), ["rep_id"])
        return frame

    def _raw_bookings_by_rep(self, periods: list[Period], scope: Scope) -> pd.DataFrame:
        o = s.opportunities.c
        stmt = (
            select(o.rep_id, func.coalesce(func.sum(o.amount), 0.0))
            .where(o.outcome == "won")
            .where(or_(*(o.closed_at.between(p.start, p.end) for p in periods)))
            .where(_rep_filter(o.rep_id, scope))
            .group_by(o.rep_id)
            .order_by(o.rep_id)
        )
        return self._frame(stmt, REP_BOOKINGS)

    def bookings_by_rep_month(
        self,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        hired_since: date | None = None,
    ) -> pd.DataFrame:
        """Returns the won amount per rep and month over all history (for the ramp curve).

        ``hired_since`` keeps only reps hired on or after that date (the ramp curve needs
        only reps whose early months fall inside the data). Columns: rep_id, month, bookings.
        """
        if source == "rollup" or (
            source == "auto" and self._rollup_ready(s.rollup_closed_opportunities, s.opportunities)
        ):
            c = s.rollup_closed_opportunities.c
            month: ColumnElement[Any] = c.month
            rep, amount, where = c.rep_id, c.won_amount, c.won > 0
        else:
            o = s.opportunities.c
            month, rep, amount = month_start(o.closed_at), o.rep_id, o.amount
            where = (o.outcome == "won") & o.closed_at.is_not(None)
        if hired_since is not None:
            r = s.reps.c
            where = where & rep.in_(select(r.id).where(r.hire_date >= hired_since))
        stmt = (
            select(rep, month.label("month"), func.coalesce(func.sum(amount), 0.0))
            .where(where, _rep_filter(rep, scope))
            .group_by(rep, month)
            .order_by(rep, month)
        )
        return self._frame(stmt, REP_MONTH_BOOKINGS)


def _sum_parts(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Returns two frames' rows summed by ``keys`` (NULL only where both parts are NULL)."""
    if right.empty:
        return left
    if left.empty:
        return right
    frame = pd.concat([left, right], ignore_index=True)
    values = [c for c in frame.columns if c not in keys]
    out = frame.groupby(keys, as_index=False, sort=True)[values].sum(min_count=1)
    return out.astype(frame.dtypes.to_dict())
