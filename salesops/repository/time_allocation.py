"""Queries behind the Rep time allocation page: activity hours, bookings per rep, reps.

Activity hours are read from the monthly rollup when the period is whole months and
from the weekly rollup for the team's weekly trend; otherwise (or when a rollup is
missing or not yet built) the same GROUP BY runs on ``activities`` (pushdown). An
activity row belongs to a period when its ``week_start`` falls inside it, and to the
month of its ``week_start``. Scope applies to reps: their territory, the territory's
segment, and rep ids.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Select, exists, func, select

from salesops import schema as s
from salesops.db import SchemaMissing
from salesops.frames import BOOL, DATE, FLOAT, INT, STR
from salesops.periods import Period
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.sqlfuncs import month_start

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


def _rep_filter(rep_col, scope: Scope):  # noqa: ANN001, ANN202 (SQLAlchemy column/clause)
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

    def _rollup_ready(self, table, base=s.activities) -> bool:  # noqa: ANN001 (Tables)
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
        """
        use_rollup = source == "rollup" or (
            source == "auto"
            and period.is_whole_months
            and self._rollup_ready(s.rollup_activity_months)
        )
        if use_rollup:
            c = s.rollup_activity_months.c
            where = c.month.between(period.start, period.end)
        else:
            c = s.activities.c
            where = c.week_start.between(period.start, period.end)
        stmt = (
            select(c.rep_id, c.activity, func.sum(c.hours), func.sum(c["count"]))
            .where(where, _rep_filter(c.rep_id, scope))
            .group_by(c.rep_id, c.activity)
            .order_by(c.rep_id, c.activity)
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
        """
        if freq not in ("W", "M"):
            raise ValueError(f"freq must be 'W' or 'M', not {freq!r}.")
        if freq == "M":
            use_rollup = source == "rollup" or (
                source == "auto"
                and period.is_whole_months
                and self._rollup_ready(s.rollup_activity_months)
            )
            if use_rollup:
                c = s.rollup_activity_months.c
                bucket, where = c.month, c.month.between(period.start, period.end)
                scoped = _rep_filter(c.rep_id, scope)
            else:
                c = s.activities.c
                bucket = month_start(c.week_start)
                where = c.week_start.between(period.start, period.end)
                scoped = _rep_filter(c.rep_id, scope)
        else:
            use_rollup = source == "rollup" or (
                source == "auto"
                and not scope.rep_ids
                and self._rollup_ready(s.rollup_activity_weeks)
            )
            if use_rollup and not scope.rep_ids:
                c = s.rollup_activity_weeks.c
                t = s.territories.c
                scoped = (
                    c.territory_id.in_(select(t.id).where(scope.clause(t.id, t.segment, None)))
                    if not scope.is_everything
                    else c.week_start.is_not(None)
                )
            else:
                c = s.activities.c
                scoped = _rep_filter(c.rep_id, scope)
            bucket = c.week_start
            where = c.week_start.between(period.start, period.end)
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

        Columns: rep_id, bookings (reps with no won deal are absent).
        """
        if source == "rollup" or (
            source == "auto"
            and period.is_whole_months
            and self._rollup_ready(s.rollup_closed_opportunities, s.opportunities)
        ):
            c = s.rollup_closed_opportunities.c
            amount, rep, where = c.won_amount, c.rep_id, c.month.between(period.start, period.end)
        else:
            o = s.opportunities.c
            amount, rep = o.amount, o.rep_id
            where = (o.outcome == "won") & o.closed_at.between(period.start, period.end)
        stmt = (
            select(rep, func.coalesce(func.sum(amount), 0.0))
            .where(where, _rep_filter(rep, scope))
            .group_by(rep)
            .order_by(rep)
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
            month, rep, amount, where = c.month, c.rep_id, c.won_amount, c.won > 0
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
