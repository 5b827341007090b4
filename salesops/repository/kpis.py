"""Queries behind the KPI page: monthly facts at (month, rep, territory, segment, channel) grain.

Each fact query reads its rollup when the period is whole months (the fast path) and
otherwise runs the same GROUP BY on the base tables (pushdown). Both paths return
the same columns, and tests hold them equal.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Select, func, select

from salesops import rollups
from salesops import schema as s
from salesops.frames import DATE, FLOAT, INT, STR
from salesops.periods import Period
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.sqlfuncs import days_between

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
CYCLE_HISTOGRAM = {
    "month": DATE,
    "territory_id": INT,
    "segment": STR,
    "cycle_days": INT,
    "deals": INT,
}
ORDER_MONTHS = {
    "month": DATE,
    "territory_id": INT,
    "segment": STR,
    "ordering_customers": INT,
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
SPEND = {"month": DATE, "channel": STR, "kind": STR, "amount": FLOAT}


def _use_rollup(period: Period, source: Source) -> bool:
    if source == "auto":
        return period.is_whole_months
    return source == "rollup"


def _rollup_select(table, period: Period, scope: Scope) -> Select:
    c = table.c
    return select(*c).where(
        c.month.between(period.start, period.end),
        scope.clause(c.territory_id, c.segment, c.get("rep_id")),
    )


class KpiQueries(RepositoryBase):
    """Named queries for KPI tiles, trends and breakdowns."""

    def closed_opportunity_facts(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns won/lost counts, won amount and cycle-day sums of deals closed in the period.

        Columns: month, rep_id, territory_id, segment, channel, won, lost, won_amount,
        won_cycle_days, lost_cycle_days, won_lead_cycle_days, won_with_lead (sums per group).
        """
        if _use_rollup(period, source):
            stmt = _rollup_select(s.rollup_closed_opportunities, period, scope)
        else:
            o, a = s.opportunities, s.accounts
            stmt = rollups.closed_opportunities_select().where(
                o.c.closed_at.between(period.start, period.end),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            )
        return self._frame(stmt, CLOSED_FACTS)

    def lead_facts(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns leads created in the period and how many of them converted, per group.

        Columns: month, rep_id, territory_id, segment, channel, leads, converted.
        """
        if _use_rollup(period, source):
            stmt = _rollup_select(s.rollup_leads, period, scope)
        else:
            lead, a, r, t = s.leads, s.accounts, s.reps, s.territories
            stmt = rollups.leads_select().where(
                lead.c.created_at.between(period.start, period.end),
                scope.clause(
                    func.coalesce(a.c.territory_id, r.c.territory_id),
                    func.coalesce(a.c.segment, t.c.segment),
                    lead.c.rep_id,
                ),
            )
        return self._frame(stmt, LEAD_FACTS)

    def new_customer_facts(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns accounts whose first won deal closed in the period, counted per group.

        Columns: month, territory_id, segment, channel, rep_id, new_customers.
        """
        if _use_rollup(period, source):
            stmt = _rollup_select(s.rollup_customers, period, scope)
        else:
            o, a = s.opportunities, s.accounts
            stmt = rollups.new_customers_select().where(
                o.c.closed_at.between(period.start, period.end),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            )
        return self._frame(stmt, NEW_CUSTOMER_FACTS)

    def won_cycle_histogram(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns won deals closed in the period counted by whole cycle days.

        Columns: month, territory_id, segment, cycle_days, deals. The rollup has no rep,
        so a rep filter reads the base tables.
        """
        if _use_rollup(period, source) and not scope.rep_ids:
            stmt = _rollup_select(s.rollup_won_cycle_days, period, scope)
        else:
            o, a = s.opportunities, s.accounts
            stmt = rollups.won_cycle_days_select().where(
                o.c.closed_at.between(period.start, period.end),
                scope.clause(a.c.territory_id, a.c.segment, o.c.rep_id),
            )
        return self._frame(stmt, CYCLE_HISTOGRAM)

    def order_months(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns monthly order revenue and gross margin per territory and segment.

        Columns: month, territory_id, segment, ordering_customers, revenue, gross_margin,
        revenue_without_margin (revenue of orders with no margin recorded).
        """
        if _use_rollup(period, source):
            stmt = _rollup_select(s.rollup_order_months, period, scope)
        else:
            od, a = s.orders, s.accounts
            stmt = rollups.order_months_select().where(
                od.c.ordered_at.between(period.start, period.end),
                scope.clause(a.c.territory_id, a.c.segment),
            )
        return self._frame(stmt, ORDER_MONTHS)

    def customer_lifespans(
        self, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns customers counted by first and last order month, per territory and segment.

        Columns: territory_id, segment, first_month, last_month, customers.
        """
        if source == "raw":
            a = s.accounts
            stmt = rollups.lifespans_select().where(scope.clause(a.c.territory_id, a.c.segment))
        else:
            c = s.rollup_customer_lifespans.c
            stmt = select(*c).where(scope.clause(c.territory_id, c.segment))
        return self._frame(stmt, LIFESPANS)

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

    def has_acquisition_spend(self) -> bool:
        """Returns True if any acquisition spend has been recorded at all."""
        return self._scalar(select(func.count()).select_from(s.acquisition_spend)) not in (
            None,
            "0",
            0,
        )

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

    def territories(self) -> pd.DataFrame:
        """Returns every territory. Columns: id, name, region, segment."""
        t = s.territories.c
        return self._frame(
            select(t.id, t.name, t.region, t.segment).order_by(t.name),
            {"id": INT, "name": STR, "region": STR, "segment": STR},
        )

    def reps(self) -> pd.DataFrame:
        """Returns every rep. Columns: id, name, territory_id, manager, hire_date, end_date."""
        r = s.reps.c
        return self._frame(
            select(r.id, r.name, r.territory_id, r.manager, r.hire_date, r.end_date).order_by(
                r.name
            ),
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
        """Returns the first and last activity dates: {"first": date|None, "last": date|None}.

        Activity means an opportunity created or closed, or a lead created.
        """
        o, lead = s.opportunities.c, s.leads.c
        frame = self._frame(
            select(
                func.min(o.created_at),
                func.max(func.coalesce(o.closed_at, o.created_at)),
                func.max(o.created_at),
                select(func.min(lead.created_at)).scalar_subquery(),
                select(func.max(lead.created_at)).scalar_subquery(),
            ),
            {
                "first": DATE,
                "last": DATE,
                "last_created": DATE,
                "lead_first": DATE,
                "lead_last": DATE,
            },
        )
        row = frame.iloc[0]
        firsts = [row["first"], row["lead_first"]]
        lasts = [row["last"], row["last_created"], row["lead_last"]]
        first = min((d for d in firsts if pd.notna(d)), default=None)
        last = max((d for d in lasts if pd.notna(d)), default=None)
        return {
            "first": first.date() if first is not None else None,
            "last": last.date() if last is not None else None,
        }

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
