"""Queries behind the Territory balance page: account facts, reps, bookings, open pipeline.

Everything the page tables need is a GROUP BY returning a few hundred rows: accounts per
(territory, segment), won bookings per (rep, territory, segment) from the monthly rollup when
the window is whole months (else the same GROUP BY on opportunities), open pipeline per rep,
and one row per rep. Per-account rows are read only for a rebalancing proposal.
Open pipeline means outcome open and no closed_at, which lets the closed_at index find open
deals without scanning every opportunity. A rep's current quota is the sum of their monthly
quotas in the quota year, falling back to reps.annual_quota when the quotas table has none.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from sqlalchemy import Select, func, select

from salesops.calendar import Period
from salesops.db import schema as s
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import DATE, FLOAT, INT, STR

Source = Literal["auto", "rollup", "raw"]

ACCOUNT_FACTS = {
    "territory_id": INT,
    "segment": STR,
    "accounts": INT,
    "annual_potential": FLOAT,
}
ACCOUNT_ROWS = {
    "id": INT,
    "territory_id": INT,
    "segment": STR,
    "region": STR,
    "annual_potential": FLOAT,
}
BOOKINGS = {"rep_id": INT, "territory_id": INT, "segment": STR, "bookings": FLOAT}
OPEN_PIPELINE = {"rep_id": INT, "open_pipeline": FLOAT}
TERRITORY_REPS = {
    "id": INT,
    "name": STR,
    "territory_id": INT,
    "weekly_capacity_hours": FLOAT,
    "hire_date": DATE,
    "end_date": DATE,
    "annual_quota": FLOAT,
}
TERRITORY_LIST = {"id": INT, "name": STR, "region": STR, "segment": STR}
ACCOUNT_DETAILS = {"id": INT, "name": STR, "external_id": STR, "bookings_12m": FLOAT}


class TerritoryQueries(RepositoryBase):
    """Named queries for territory balance, rebalancing and quota suggestions."""

    def territory_account_facts(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns accounts and potential per (territory, account segment).

        Columns: territory_id, segment, accounts (count), annual_potential (sum; missing
        potential counts as 0). `scope` filters by territory and account segment.
        """
        a = s.accounts.c
        stmt = (
            select(
                a.territory_id,
                a.segment,
                func.count(),
                func.coalesce(func.sum(a.annual_potential), 0.0),
            )
            .where(scope.clause(a.territory_id, a.segment))
            .group_by(a.territory_id, a.segment)
            .order_by(a.territory_id, a.segment)
        )
        return self._frame(stmt, ACCOUNT_FACTS)

    def territory_accounts(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns one row per account, for rebalancing proposals.

        Columns: id, territory_id, segment, region (of the account's territory),
        annual_potential. `scope` filters by territory and account segment.
        """
        a, t = s.accounts.c, s.territories.c
        stmt = (
            select(a.id, a.territory_id, a.segment, t.region, a.annual_potential)
            .select_from(s.accounts.outerjoin(s.territories, t.id == a.territory_id))
            .where(scope.clause(a.territory_id, a.segment))
            .order_by(a.id)
        )
        return self._frame(stmt, ACCOUNT_ROWS)

    def territory_bookings(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns won amounts closed in the period per (rep, territory, account segment).

        Columns: rep_id, territory_id, segment, bookings. Reads the monthly rollup when the
        period is whole months (source="auto"), else groups the opportunities themselves.
        """
        if source == "rollup" or (source == "auto" and period.is_whole_months):
            r = s.rollup_closed_opportunities.c
            stmt: Select = (
                select(r.rep_id, r.territory_id, r.segment, func.sum(r.won_amount))
                .where(
                    r.month.between(period.start, period.end),
                    scope.clause(r.territory_id, r.segment, r.rep_id),
                )
                .group_by(r.rep_id, r.territory_id, r.segment)
            )
        else:
            o, a = s.opportunities.c, s.accounts.c
            stmt = (
                select(o.rep_id, a.territory_id, a.segment, func.sum(o.amount))
                .select_from(s.opportunities.outerjoin(s.accounts, a.id == o.account_id))
                .where(
                    o.outcome == "won",
                    o.closed_at.between(period.start, period.end),
                    scope.clause(a.territory_id, a.segment, o.rep_id),
                )
                .group_by(o.rep_id, a.territory_id, a.segment)
            )
        return self._frame(stmt, BOOKINGS)

    def territory_open_pipeline(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the amount of open deals per owning rep. Columns: rep_id, open_pipeline.

        Grouped by rep only (no join to accounts), so it costs one pass over the open deals;
        a territory's pipeline is its reps' pipeline (see salesops.territory.report). A
        territory limit keeps the reps of those territories.
        """
        o, r = s.opportunities.c, s.reps.c
        stmt = (
            select(o.rep_id, func.coalesce(func.sum(o.amount), 0.0))
            .where(o.outcome == "open", o.closed_at.is_(None))
            .group_by(o.rep_id)
        )
        if scope.rep_ids or scope.territory_ids:
            reps = select(r.id).where(scope.clause(r.territory_id, None, r.id))
            stmt = stmt.where(o.rep_id.in_(reps))
        return self._frame(stmt, OPEN_PIPELINE)

    def territory_reps(self, quota_year: Period, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns one row per rep with capacity, employment dates and current quota.

        Columns: id, name, territory_id, weekly_capacity_hours, hire_date, end_date,
        annual_quota (sum of monthly quotas starting in `quota_year`, else reps.annual_quota).
        `scope` filters by territory and territory segment.
        """
        r, q, t = s.reps.c, s.quotas.c, s.territories.c
        quota = (
            select(q.rep_id, func.sum(q.amount).label("quota"))
            .where(q.period_start.between(quota_year.start, quota_year.end))
            .group_by(q.rep_id)
            .subquery()
        )
        stmt = (
            select(
                r.id,
                r.name,
                r.territory_id,
                r.weekly_capacity_hours,
                r.hire_date,
                r.end_date,
                func.coalesce(quota.c.quota, r.annual_quota),
            )
            .select_from(
                s.reps.outerjoin(s.territories, t.id == r.territory_id).outerjoin(
                    quota, quota.c.rep_id == r.id
                )
            )
            .where(scope.clause(r.territory_id, t.segment, r.id))
            .order_by(r.id)
        )
        return self._frame(stmt, TERRITORY_REPS)

    def territory_list(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the territories in scope. Columns: id, name, region, segment."""
        t = s.territories.c
        stmt = (
            select(t.id, t.name, t.region, t.segment)
            .where(scope.clause(t.id, t.segment))
            .order_by(t.id)
        )
        return self._frame(stmt, TERRITORY_LIST)

    def account_details(
        self, account_ids: tuple[int, ...], bookings: Period, scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns name, external id and won bookings in `bookings` of the given accounts.

        Columns: id, name, external_id, bookings_12m (0 if none). Used for the move list.
        Accounts outside `scope` (territory, segment) are left out, and so are won deals of
        reps outside it.
        """
        a, o = s.accounts.c, s.opportunities.c
        ids = [int(i) for i in account_ids]
        frames = []
        for i in range(0, max(len(ids), 1), 500):
            chunk = ids[i : i + 500]
            won = (
                select(o.account_id, func.sum(o.amount).label("bookings"))
                .where(
                    o.account_id.in_(chunk),
                    scope.clause(None, None, o.rep_id),
                    o.outcome == "won",
                    o.closed_at.between(bookings.start, bookings.end),
                )
                .group_by(o.account_id)
                .subquery()
            )
            stmt = (
                select(a.id, a.name, a.external_id, func.coalesce(won.c.bookings, 0.0))
                .select_from(s.accounts.outerjoin(won, won.c.account_id == a.id))
                .where(a.id.in_(chunk), scope.clause(a.territory_id, a.segment))
                .order_by(a.id)
            )
            frames.append(self._frame(stmt, ACCOUNT_DETAILS))
        return pd.concat(frames, ignore_index=True)
