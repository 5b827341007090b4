"""Queries behind the KPI page: monthly facts at (month, rep, territory, segment, channel) grain.

Each fact query reads its monthly rollup for the whole months of the period (the fast path)
and, in the same statement, its daily rollup (salesops.db.schema_daily) for the partial
months at its edges, summed back to months (order facts from salesops.db.schema_orders).
Every path returns the same columns, and tests hold them equal to the base tables
(source="raw").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Select, case, func, literal, select, union_all

from salesops.calendar import Period, add_months, split_whole_months
from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.migrate import SchemaState, data_version, schema_state
from salesops.db.rollups_daily import ADDITIVE_COLUMNS, edge_select
from salesops.db.sqlfuncs import days_between
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import DATE, FLOAT, INT, STR

Source = Literal["auto", "rollup", "raw"]

CLOSED_FACTS = {
    "month": DATE,
    "rep_id": INT,
    "territory_id": INT,
    "segment": STR,
    "channel": STR,
    "won": INT,
    "lost": INT,
    "won_amount": FLOAT,
    "won_cycle_days": FLOAT,
    "lost_cycle_days": FLOAT,
    "won_lead_cycle_days": FLOAT,
    "won_with_lead": INT,
}
LEAD_FACTS = {
    "month": DATE,
    "rep_id": INT,
    "territory_id": INT,
    "segment": STR,
    "channel": STR,
    "leads": INT,
    "converted": INT,
}
NEW_CUSTOMER_FACTS = {
    "month": DATE,
    "territory_id": INT,
    "segment": STR,
    "channel": STR,
    "rep_id": INT,
    "new_customers": INT,
}
CYCLE_HISTOGRAM = {"month": DATE, "cycle_days": INT, "deals": INT}
ORDER_MONTHS = {
    "month": DATE,
    "territory_id": INT,
    "segment": STR,
    "revenue": FLOAT,
    "gross_margin": FLOAT,
    "revenue_without_margin": FLOAT,
}
LIFESPANS = {
    "territory_id": INT,
    "segment": STR,
    "first_month": DATE,
    "last_month": DATE,
    "customers": INT,
}
# Stands in for "last ordered too recently to churn inside the window" (within pandas' range).
LATE_SENTINEL = date(2200, 1, 1)
SPEND = {"month": DATE, "channel": STR, "kind": STR, "amount": FLOAT}


def _rollup_select(table, period: Period, scope: Scope) -> Select:
    c = table.c
    return select(*c).where(
        c.month.between(period.start, period.end),
        scope.clause(c.territory_id, c.segment, c.get("rep_id")),
    )


def _daily_select(table, period: Period, scope: Scope) -> Select:
    """Returns the daily rollup's rows of the period summed to its monthly rollup's grain."""
    c = table.c
    scoped = scope.clause(c.territory_id, c.segment, c.get("rep_id"))
    return edge_select(table, ADDITIVE_COLUMNS, period.start, period.end, scoped)


def _regrouped(
    build: Callable[[Period], Select], keys: list[str], sums: list[str]
) -> Callable[[Period], Select]:
    """Returns a builder whose select re-groups `build`'s rows to `keys`, summing `sums`."""

    def regroup(period: Period) -> Select:
        rows = build(period).subquery()
        summed = [func.coalesce(func.sum(rows.c[c]), 0).label(c) for c in sums]
        stmt = select(*[rows.c[k] for k in keys], *summed)
        return stmt.group_by(*[rows.c[k] for k in keys]) if keys else stmt

    return regroup


def _spliced(
    rollup: Callable[[Period], Select],
    daily: Callable[[Period], Select],
    whole: Period | None,
    edges: list[Period],
) -> Callable[[Period], Select]:
    """Returns a builder of the whole months' rollup rows and the edges' daily rows in one select.

    Both give rows at the monthly rollup's grain, and the edges are other months than the
    whole ones (or the period is inside one month), so the rows never share a key.
    """

    def spliced(_period: Period) -> Select:
        parts = ([rollup(whole)] if whole else []) + [daily(edge) for edge in edges]
        if len(parts) == 1:
            return parts[0]
        rows = union_all(*parts).subquery("spliced")
        return select(*rows.c)

    return spliced


class KpiQueries(RepositoryBase):
    """Named queries for KPI tiles, trends and breakdowns."""

    def _combined(
        self,
        period: Period,
        source: Source,
        rollup: Callable[[Period], Select],
        raw: Callable[[Period], Select],
        columns: dict[str, str],
        by: tuple[str, ...] | None = None,
        daily: Callable[[Period], Select] | None = None,
    ) -> pd.DataFrame:
        """Runs the rollup query for the period's whole months and `daily` for its edges.

        `daily` reads the fact's daily rollup at `columns`' grain: the whole months and the
        edges are then one statement (UNION ALL), summed to `by` in SQL. Without it, edges
        run the raw query on the base tables. source="rollup" or "raw" forces one path for
        the whole period (tests, benchmarks). With `by`, rows are summed in SQL down to those
        key columns (keys the fact does not have are ignored), so only the grain a caller
        needs crosses the wire.
        """
        whole, edges = split_whole_months(period)
        if source == "auto" and daily is not None and edges:
            rollup = _spliced(rollup, daily, whole, edges)
            source = "rollup"
        if by is not None:
            keys = [k for k in by if k in columns and k not in ADDITIVE_COLUMNS]
            sums = [c for c in columns if c in ADDITIVE_COLUMNS]
            columns = {**{k: columns[k] for k in keys}, **{c: columns[c] for c in sums}}
            rollup, raw = _regrouped(rollup, keys, sums), _regrouped(raw, keys, sums)
        if source != "auto":
            return self._frame((rollup if source == "rollup" else raw)(period), columns)
        frames = [self._frame(rollup(whole), columns)] if whole else []
        frames += [self._frame(raw(edge), columns) for edge in edges]
        if len(frames) == 1:
            return frames[0]
        combined = pd.concat(frames, ignore_index=True)
        if by is None:
            return combined
        keys = [k for k in columns if k not in ADDITIVE_COLUMNS]
        if not keys:
            return combined.sum(numeric_only=True).to_frame().T.astype(combined.dtypes)
        return combined.groupby(keys, as_index=False, dropna=False).sum()

    def closed_opportunity_facts(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        by: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Returns won/lost counts, won amount and cycle-day sums of deals closed in the period.

        Columns: month, rep_id, territory_id, segment, channel, won, lost, won_amount,
        won_cycle_days, lost_cycle_days, won_lead_cycle_days, won_with_lead (sums per group).
        """
        o, a = s.opportunities, s.accounts
        return self._combined(
            period,
            source,
            lambda p: _rollup_select(s.rollup_closed_opportunities, p, scope),
            lambda p: rollups.closed_opportunities_select().where(
                o.c.closed_at.between(p.start, p.end),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            ),
            CLOSED_FACTS,
            by,
            daily=lambda p: _daily_select(s.daily_rollups.closed, p, scope),
        )

    def lead_facts(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        by: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Returns leads created in the period and how many of them converted, per group.

        Columns: month, rep_id, territory_id, segment, channel, leads, converted.
        """
        lead, a, r, t = s.leads, s.accounts, s.reps, s.territories
        return self._combined(
            period,
            source,
            lambda p: _rollup_select(s.rollup_leads, p, scope),
            lambda p: rollups.leads_select().where(
                lead.c.created_at.between(p.start, p.end),
                scope.clause(
                    func.coalesce(a.c.territory_id, r.c.territory_id),
                    func.coalesce(a.c.segment, t.c.segment),
                    lead.c.rep_id,
                ),
            ),
            LEAD_FACTS,
            by,
            daily=lambda p: _daily_select(s.daily_rollups.leads, p, scope),
        )

    def new_customer_facts(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        by: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Returns accounts whose first won deal closed in the period, counted per group.

        Columns: month, territory_id, segment, channel, rep_id, new_customers.
        """
        o, a = s.opportunities, s.accounts
        return self._combined(
            period,
            source,
            lambda p: _rollup_select(s.rollup_customers, p, scope),
            lambda p: rollups.new_customers_in_range_select(p.start, p.end).where(
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            ),
            NEW_CUSTOMER_FACTS,
            by,
            daily=lambda p: _daily_select(s.daily_rollups.customers, p, scope),
        )

    def won_cycle_histogram(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        by_month: bool = True,
    ) -> pd.DataFrame:
        """Returns won deals closed in the period counted by month and whole cycle days.

        Columns: month (unless by_month=False), cycle_days, deals. Scope is applied before
        grouping; the rollup has
        no rep, so a rep filter reads the base tables.
        """
        o, a = s.opportunities, s.accounts

        def raw(p: Period) -> Select:
            return rollups.won_cycle_days_select().where(
                o.c.closed_at.between(p.start, p.end),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            )

        def rollup(p: Period) -> Select:
            return _rollup_select(s.rollup_won_cycle_days, p, scope)

        def daily(p: Period) -> Select:
            return _daily_select(s.daily_rollups.won_cycle_days, p, scope)

        if scope.rep_ids:  # the rollups have no rep column
            source = "raw"
        by = ("month", "cycle_days") if by_month else ("cycle_days",)
        return self._combined(period, source, rollup, raw, CYCLE_HISTOGRAM, by, daily=daily)

    def order_months(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        by: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Returns monthly order revenue and gross margin per territory and segment.

        Columns: month, territory_id, segment, revenue, gross_margin, revenue_without_margin
        (revenue of orders with no margin recorded).
        """
        od, a = s.orders, s.accounts
        return self._combined(
            period,
            source,
            lambda p: _rollup_select(s.rollup_order_months, p, scope),
            lambda p: rollups.order_months_select().where(
                od.c.ordered_at.between(p.start, p.end),
                scope.clause(a.c.territory_id, a.c.segment),
            ),
            ORDER_MONTHS,
            by,
            daily=lambda p: _daily_select(s.order_rollups.days, p, scope),
        )

    def customer_lifespans(
        self,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
        window: Period | None = None,
        inactive_months: int = 0,
    ) -> pd.DataFrame:
        """Returns customers counted by first and last order month, per territory and segment.

        Columns: territory_id, segment, first_month, last_month, customers. With `window`,
        only what can matter inside it is returned: customers who churned (last order month
        + inactive_months) before it are dropped, earlier first months collapse to its
        start, and last months too late to churn inside it collapse to LATE_SENTINEL.
        """
        a = s.accounts
        if source == "raw":
            base = rollups.lifespans_select().where(scope.clause(a.c.territory_id, a.c.segment))
        else:
            c = s.rollup_customer_lifespans.c
            base = select(*c).where(scope.clause(c.territory_id, c.segment))
        if window is not None:
            rows = base.subquery()
            start = window.start.replace(day=1)
            last_churnable = add_months(window.end.replace(day=1), -inactive_months)
            first = case((rows.c.first_month < start, start), else_=rows.c.first_month)
            last = case(
                (rows.c.last_month > last_churnable, LATE_SENTINEL), else_=rows.c.last_month
            )
            base = (
                select(rows.c.territory_id, rows.c.segment, first, last, func.sum(rows.c.customers))
                .where(
                    rows.c.first_month <= window.end,
                    rows.c.last_month >= add_months(start, -inactive_months),
                )
                .group_by(rows.c.territory_id, rows.c.segment, first, last)
            )
        return self._frame(base, LIFESPANS)

    def acquisition_spend(self, period: Period) -> pd.DataFrame:
        """Returns spend per month, channel and kind in the period.

        Columns: month, channel, kind, amount.
        """
        c = s.acquisition_spend.c
        stmt = (
            select(c.month, c.channel, c.kind, func.sum(c.amount))
            .where(c.month.between(period.start.replace(day=1), period.end))
            .group_by(c.month, c.channel, c.kind)
        )
        return self._frame(stmt, SPEND)

    def company_lead_totals(self, period: Period) -> pd.DataFrame:
        """Returns the whole company's leads per month and channel created in the period.

        Columns: month, channel, leads. The denominator that allocates company spend to a
        scope by its share of leads (salesops.kpis.report.scope_spend): counts only, no rep.
        """
        return KpiQueries.lead_facts(self, period, EVERYTHING, by=("month", "channel"))[
            ["month", "channel", "leads"]
        ]

    def team_closed_totals(self, period: Period, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns one row of sums over deals closed in the period: won, lost, won_amount.

        No rep, deal or account key: a rep's view of their team's totals (access rule
        TEAM_TOTALS limits `scope` to the viewer's team).
        """
        totals = KpiQueries.closed_opportunity_facts(self, period, scope, by=())
        return totals[["won", "lost", "won_amount"]]

    def has_acquisition_spend(self) -> bool:
        """Returns True if any acquisition spend has been recorded at all."""
        return self._scalar(select(func.count()).select_from(s.acquisition_spend)) not in (
            None,
            "0",
            0,
        )

    def has_orders(self) -> bool:
        """Returns True if any order has been recorded at all.

        Read from the order-month rollup (one row, not counted), which holds a row for every
        month with orders: the KPI report reads no base table.
        """
        stmt = select(literal(1)).select_from(s.rollup_order_months).limit(1)
        return self._scalar(stmt) is not None

    def closed_deals(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        channel: str | None = None,
        limit: int = 5000,
    ) -> pd.DataFrame:
        """Returns the deals closed in the period (won and lost), newest first, at most `limit`.

        Columns: id, name, account, rep, territory, segment, channel, outcome, amount,
        created_at, closed_at, cycle_days.
        """
        o, a, r, t, lead = s.opportunities, s.accounts, s.reps, s.territories, s.leads
        channel_col = func.coalesce(lead.c.channel, rollups.NO_CHANNEL)
        stmt = (
            select(
                o.c.id,
                o.c.name,
                a.c.name,
                r.c.name,
                t.c.name,
                a.c.segment,
                channel_col,
                o.c.outcome,
                o.c.amount,
                o.c.created_at,
                o.c.closed_at,
                days_between(o.c.created_at, o.c.closed_at),
            )
            .select_from(
                o.outerjoin(a, a.c.id == o.c.account_id)
                .outerjoin(r, r.c.id == o.c.rep_id)
                .outerjoin(t, t.c.id == a.c.territory_id)
                .outerjoin(lead, lead.c.id == o.c.lead_id)
            )
            .where(
                o.c.closed_at.between(period.start, period.end),
                o.c.outcome.in_(("won", "lost")),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            )
            .order_by(o.c.closed_at.desc(), o.c.id.desc())
            .limit(limit)
        )
        if channel is not None:
            stmt = stmt.where(channel_col == channel)
        return self._frame(
            stmt,
            {
                "id": INT,
                "name": STR,
                "account": STR,
                "rep": STR,
                "territory": STR,
                "segment": STR,
                "channel": STR,
                "outcome": STR,
                "amount": FLOAT,
                "created_at": DATE,
                "closed_at": DATE,
                "cycle_days": FLOAT,
            },
        )


class DimensionQueries(RepositoryBase):
    """Small lookups: names for ids, filter choices, data bounds, row counts."""

    def territories(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the territories in scope. Columns: id, name, region, segment."""
        t = s.territories.c
        return self._frame(
            select(t.id, t.name, t.region, t.segment)
            .where(scope.clause(t.id, t.segment))
            .order_by(t.name),
            {"id": INT, "name": STR, "region": STR, "segment": STR},
        )

    def reps(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the reps in scope. Columns: id, name, territory_id, manager, hire_date, end_date.

        A territory limit keeps the reps of those territories; a segment limit is not applied
        (segments belong to accounts, not people).
        """
        r = s.reps.c
        return self._frame(
            select(r.id, r.name, r.territory_id, r.manager, r.hire_date, r.end_date)
            .where(scope.clause(r.territory_id, None, r.id))
            .order_by(r.name),
            {
                "id": INT,
                "name": STR,
                "territory_id": INT,
                "manager": STR,
                "hire_date": DATE,
                "end_date": DATE,
            },
        )

    def segments(self) -> list[str]:
        """Returns the distinct account segments, sorted."""
        a = s.accounts.c
        frame = self._frame(
            select(a.segment).where(a.segment.is_not(None)).distinct().order_by(a.segment),
            {"segment": STR},
        )
        return frame["segment"].tolist()

    def data_bounds(self) -> dict[str, date | None]:
        """Returns the first and last activity dates and the first close date (each date|None).

        {"first", "last", "first_closed"}: activity means an opportunity created or closed,
        or a lead created; "first_closed" is the earliest day an opportunity closed.
        """
        o, lead = s.opportunities.c, s.leads.c
        frame = self._frame(
            select(
                func.min(o.created_at),
                select(func.max(o.closed_at)).scalar_subquery(),
                select(func.max(o.created_at)).scalar_subquery(),
                select(func.min(lead.created_at)).scalar_subquery(),
                select(func.max(lead.created_at)).scalar_subquery(),
                select(func.min(o.closed_at)).scalar_subquery(),
            ),
            {
                "first": DATE,
                "last": DATE,
                "last_created": DATE,
                "lead_first": DATE,
                "lead_last": DATE,
                "first_closed": DATE,
            },
        )
        row = frame.iloc[0]
        firsts = [row["first"], row["lead_first"]]
        lasts = [row["last"], row["last_created"], row["lead_last"]]
        first = min((d for d in firsts if pd.notna(d)), default=None)
        last = max((d for d in lasts if pd.notna(d)), default=None)
        first_closed = row["first_closed"]
        return {
            "first": first.date() if first is not None else None,
            "last": last.date() if last is not None else None,
            "first_closed": first_closed.date() if pd.notna(first_closed) else None,
        }

    def schema_state(self) -> SchemaState:
        """Returns the schema version and migration revision the database records."""
        return self._on_connection(schema_state)

    def data_version(self) -> str | None:
        """Returns the data version the last load or import recorded (cached results key)."""
        return self._on_connection(data_version)

    def row_counts(self) -> dict[str, int]:
        """Returns the number of rows in each base table, keyed by table name."""
        tables = [
            s.territories,
            s.reps,
            s.accounts,
            s.leads,
            s.opportunities,
            s.opportunity_history,
            s.orders,
            s.acquisition_spend,
            s.activities,
            s.quotas,
        ]
        stmt = select(
            *[select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables]
        )
        frame = self._frame(stmt, {t.name: INT for t in tables})
        return {name: int(frame.iloc[0][name]) for name in frame.columns}
