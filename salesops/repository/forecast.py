"""Queries behind the Forecast page: bookings by period, open pipeline, stage outcomes, quotas.

Every query is one GROUP BY with bound parameters. Bookings (by month or ISO week), open
pipeline and stage outcomes read rollups maintained on load and import (salesops.db.rollups);
`source="raw"` reads the base tables instead (tests hold the two equal).
Scope follows the KPI queries: territory and segment come from the deal's account.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from salesops.calendar import add_months
from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.quality_rollup import OPEN_DEAL
from salesops.db.sqlfuncs import month_start, week_start
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope, as_date, overdue_clause
from salesops.repository.frames import BOOL, DATE, FLOAT, INT, STR

BookingsSource = Literal["auto", "rollup", "raw"]

BOOKINGS = {"ds": DATE, "territory_id": INT, "segment": STR, "y": FLOAT, "deals": INT}
OPEN_PIPELINE = {
    "expected_close": DATE,
    "stage": STR,
    "territory_id": INT,
    "segment": STR,
    "open_amount": FLOAT,
    "deals": INT,
}
STAGE_OUTCOMES = {"stage": STR, "reached": INT, "won": INT}
STAGES = {"name": STR, "sort_order": INT, "probability": FLOAT, "is_closed": BOOL, "is_won": BOOL}
QUOTAS = {"period_start": DATE, "territory_id": INT, "segment": STR, "amount": FLOAT}
ACTIVE_REPS = {"territory_id": INT, "segment": STR, "reps": INT}


class ForecastQueries(RepositoryBase):
    """Named queries for forecasts, the weighted pipeline and quota comparison."""

    def stored_forecast(self, key: str) -> str | None:
        """Returns the forecast result stored under `key` (JSON text), or None.

        Keys hash the series and every parameter (salesops.forecast.stored), so a viewer only
        finds results of the very series their scope gives.
        """
        t = s.stored_forecasts.c
        stmt = select(t.result).where(t.key == key)
        return self._on_connection(lambda conn: conn.execute(stmt).scalar())

    def bookings_by_period(
        self, freq: str, scope: Scope = EVERYTHING, source: BookingsSource = "auto"
    ) -> pd.DataFrame:
        """Returns won amount by close period, territory and segment.

        `freq` "M" buckets by month, "W" by ISO week starting Monday; both read a rollup
        (monthly closed deals, weekly won deals) unless source="raw", which groups the
        opportunities table. Periods with no won deal are absent (the forecast module
        fills them with 0).
        Columns: ds (period start), territory_id, segment, y (won amount), deals.
        """
        if source != "raw":
            monthly = freq.upper().startswith("M")
            c = s.rollup_closed_opportunities.c if monthly else s.rollup_won_weeks.c
            period = c.month if monthly else c.week_start
            stmt = (
                select(
                    period,
                    c.territory_id,
                    c.segment,
                    func.coalesce(func.sum(c.won_amount), 0.0),
                    func.coalesce(func.sum(c.won), 0),
                )
                .where(c.won > 0, scope.clause(c.territory_id, c.segment, c.rep_id))
                .group_by(period, c.territory_id, c.segment)
                .order_by(period, c.territory_id, c.segment)
            )
            return self._frame(stmt, BOOKINGS)
        o, a = s.opportunities.c, s.accounts.c
        bucket = (month_start if freq.upper().startswith("M") else week_start)(o.closed_at)
        stmt = (
            select(
                bucket.label("ds"),
                a.territory_id,
                a.segment,
                func.coalesce(func.sum(o.amount), 0.0),
                func.count(),
            )
            .select_from(s.opportunities.outerjoin(s.accounts, a.id == o.account_id))
            .where(
                o.outcome == "won",
                o.closed_at.is_not(None),
                scope.clause(a.territory_id, a.segment, o.rep_id),
            )
            .group_by(bucket, a.territory_id, a.segment)
            .order_by(bucket, a.territory_id, a.segment)
        )
        return self._frame(stmt, BOOKINGS)

    def won_amount_counts(
        self, scope: Scope = EVERYTHING, until: date | None = None, source: BookingsSource = "auto"
    ) -> dict[str, int]:
        """Returns the closed won deals in scope and how many of them carry no amount.

        Whether bookings are defined (salesops.kpis.won_amounts); with `until`, only deals
        closed before it (the call's as-of date: no look-ahead). The won deals are summed
        from the monthly closed-deals rollup (a partial last month from its daily twin)
        and those without an amount read from the quality rollup's
        `missing_amount` rows (only those deals: none on data with amounts);
        `source="raw"` counts the opportunities table instead (tests hold the two equal).
        Keys: won, without_amount.
        """
        o, a = s.opportunities.c, s.accounts.c
        closed_won = and_(o.outcome == "won", o.closed_at.is_not(None))
        if until is not None:
            closed_won = and_(closed_won, o.closed_at < as_date(until))
        in_scope = scope.clause(a.territory_id, a.segment, o.rep_id)
        deals = s.opportunities.outerjoin(s.accounts, a.id == o.account_id)
        counts = {"won": INT, "without_amount": INT}
        if source == "raw":
            stmt = (
                select(func.count(), func.count() - func.count(o.amount))
                .select_from(deals)
                .where(closed_won, in_scope)
            )
            return self._counts(stmt, counts)
        c, q = s.rollup_closed_opportunities.c, s.rollup_quality_issues.c
        whole = select(func.coalesce(func.sum(c.won), 0)).where(
            scope.clause(c.territory_id, c.segment, c.rep_id)
        )
        won: ColumnElement = whole.scalar_subquery()
        if until is not None:
            first = as_date(until).replace(day=1)
            whole = whole.where(c.month < first)
            d = s.daily_rollups.closed.c
            edge = select(func.coalesce(func.sum(d.won), 0)).where(
                d.day >= first,
                d.day < as_date(until),
                scope.clause(d.territory_id, d.segment, d.rep_id),
            )
            won = whole.scalar_subquery() + edge.scalar_subquery()
        missing = (
            select(func.count())
            .select_from(s.rollup_quality_issues.join(deals, o.id == q.entity_id))
            .where(q.problem == "missing_amount", o.amount.is_(None), closed_won, in_scope)
        )
        return self._counts(select(won, missing.scalar_subquery()), counts)

    def _counts(self, stmt: Select, columns: dict[str, str]) -> dict[str, int]:
        """Returns the one row of `stmt` as {column: int}."""
        row = self._frame(stmt, columns).iloc[0]
        return {name: int(row[name]) for name in columns}

    def open_pipeline(
        self, scope: Scope = EVERYTHING, source: BookingsSource = "auto"
    ) -> pd.DataFrame:
        """Returns open pipeline by expected close month, stage, territory and segment.

        Read from the open-pipeline rollup unless source="raw" (the opportunities table).
        Open deals without an expected close date are grouped under a missing month.
        Columns: expected_close (month start), stage, territory_id, segment, open_amount, deals.
        """
        if source == "raw":
            o, a = s.opportunities.c, s.accounts.c
            in_scope = scope.clause(a.territory_id, a.segment, o.rep_id)
            rows = rollups.open_pipeline_select().where(in_scope).subquery()
        else:
            r = s.rollup_open_pipeline
            in_scope = scope.clause(r.c.territory_id, r.c.segment, r.c.rep_id)
            rows = select(r).where(in_scope).subquery()
        c = rows.c
        keys = [c.expected_close, c.stage, c.territory_id, c.segment]
        stmt = (
            select(*keys, func.coalesce(func.sum(c.open_amount), 0.0), func.sum(c.deals))
            .group_by(*keys)
            .order_by(*keys)
        )
        return self._frame(stmt, OPEN_PIPELINE)

    def overdue_pipeline(
        self, as_of: date, scope: Scope = EVERYTHING, source: BookingsSource = "auto"
    ) -> dict[str, float]:
        """Returns the open deals overdue at `as_of` (`salesops.definitions`): deals, amount.

        One aggregate (no rows read); the Data page's check, the Pipeline review's list and
        this count use the same definition. The overdue candidates come from the quality
        rollup's open deals with their expected close (`due`, indexed), so only the overdue
        deals are read; `source="raw"` scans the opportunities instead (tests hold the two
        equal).
        """
        o, a = s.opportunities.c, s.accounts.c
        deals = s.opportunities.outerjoin(s.accounts, a.id == o.account_id)
        overdue = overdue_clause(o.outcome, o.expected_close_date, as_of)
        if source != "raw":
            q = s.rollup_quality_issues.c
            deals = s.rollup_quality_issues.join(deals, o.id == q.entity_id)
            overdue = and_(q.problem == OPEN_DEAL, q.due < as_of, overdue)
        stmt = (
            select(func.count(), func.coalesce(func.sum(o.amount), 0.0))
            .select_from(deals)
            .where(overdue, scope.clause(a.territory_id, a.segment, o.rep_id))
        )
        row = self._frame(stmt, {"deals": INT, "amount": FLOAT}).iloc[0]
        return {"deals": int(row["deals"]), "amount": float(row["amount"])}

    def stage_outcomes(
        self, scope: Scope = EVERYTHING, closed_since: date | None = None
    ) -> pd.DataFrame:
        """Returns, per stage, how many closed deals passed through it and how many were won.

        Counts every stage a deal was ever in (opportunity_history), once per deal, for deals
        now won or lost, optionally only those closed on or after `closed_since`. Whole months
        come from rollup_stage_outcomes; a partial first month from the base tables.
        Columns: stage, reached (distinct closed deals), won (of those, won).
        """
        r, o, a = s.rollup_stage_outcomes.c, s.opportunities.c, s.accounts.c
        since = as_date(closed_since) if closed_since is not None else None
        whole_from = since if since is None or since.day == 1 else add_months(since, 1)
        rollup = select(r.stage, func.sum(r.reached), func.sum(r.won)).where(
            scope.clause(r.territory_id, r.segment, r.rep_id)
        )
        if whole_from is not None:
            rollup = rollup.where(r.month >= whole_from)
        parts = [self._frame(rollup.group_by(r.stage), STAGE_OUTCOMES)]
        if since is not None and whole_from is not None and since != whole_from:
            edge = rollups.stage_outcomes_select(
                o.closed_at.between(since, whole_from - timedelta(days=1)),
                scope.clause(a.territory_id, a.segment, o.rep_id),
            ).subquery()
            stmt = select(edge.c.stage, func.sum(edge.c.reached), func.sum(edge.c.won))
            parts.append(self._frame(stmt.group_by(edge.c.stage), STAGE_OUTCOMES))
        both = pd.concat(parts, ignore_index=True)
        summed = both.groupby("stage", as_index=False)[["reached", "won"]].sum()
        return summed.sort_values("stage", ignore_index=True).astype(
            {"reached": "Int64", "won": "Int64"}
        )

    def stages(self) -> pd.DataFrame:
        """Returns the stage table in sort order.

        Columns: name, sort_order, probability, is_closed, is_won.
        """
        c = s.stages.c
        stmt = select(c.name, c.sort_order, c.probability, c.is_closed, c.is_won).order_by(
            c.sort_order
        )
        return self._frame(stmt, STAGES)

    def quotas_by_month(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns quota by month, territory and segment for months starting in [start, end].

        A rep's quota counts for the rep's territory (and that territory's segment).
        Columns: period_start, territory_id, segment, amount.
        """
        q, r, t = s.quotas.c, s.reps.c, s.territories.c
        stmt = (
            select(q.period_start, r.territory_id, t.segment, func.sum(q.amount))
            .select_from(
                s.quotas.join(s.reps, r.id == q.rep_id).outerjoin(
                    s.territories, t.id == r.territory_id
                )
            )
            .where(
                q.period_start.between(as_date(start), as_date(end)),
                scope.clause(r.territory_id, t.segment, q.rep_id),
            )
            .group_by(q.period_start, r.territory_id, t.segment)
            .order_by(q.period_start, r.territory_id, t.segment)
        )
        return self._frame(stmt, QUOTAS)

    def active_reps(self, as_of: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns how many reps are employed on `as_of`, by territory and segment.

        Employed: hired on or before `as_of` (or no hire date) and no end date on or before it.
        Columns: territory_id, segment, reps.
        """
        r, t = s.reps.c, s.territories.c
        day = as_date(as_of)
        stmt = (
            select(r.territory_id, t.segment, func.count())
            .select_from(s.reps.outerjoin(s.territories, t.id == r.territory_id))
            .where(
                or_(r.hire_date.is_(None), r.hire_date <= day),
                or_(r.end_date.is_(None), r.end_date > day),
                scope.clause(r.territory_id, t.segment, r.id),
            )
            .group_by(r.territory_id, t.segment)
            .order_by(r.territory_id, t.segment)
        )
        return self._frame(stmt, ACTIVE_REPS)
