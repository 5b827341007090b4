"""Queries behind the Territory balance page: accounts with potential, reps with capacity.

Bookings are won opportunity amounts closed in a window (the last 12 months on the page),
summed per account and per rep with GROUP BY; open pipeline (outcome open and no closed_at,
which lets the closed_at index find open deals without scanning every opportunity) is
summed per territory and per rep; a rep's current quota is the sum of their monthly
quotas in the quota year, falling back to reps.annual_quota when the quotas table has none.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from salesops import schema as s
from salesops.frames import DATE, FLOAT, INT, STR
from salesops.periods import Period
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope

TERRITORY_ACCOUNTS = {
    "id": INT,
    "territory_id": INT,
    "segment": STR,
    "region": STR,
    "annual_potential": FLOAT,
    "bookings_12m": FLOAT,
}
TERRITORY_REPS = {
    "id": INT,
    "name": STR,
    "territory_id": INT,
    "weekly_capacity_hours": FLOAT,
    "hire_date": DATE,
    "end_date": DATE,
    "annual_quota": FLOAT,
    "bookings_12m": FLOAT,
    "open_pipeline": FLOAT,
}
TERRITORY_LIST = {
    "id": INT,
    "name": STR,
    "region": STR,
    "segment": STR,
    "open_pipeline": FLOAT,
}
ACCOUNT_NAMES = {"id": INT, "name": STR, "external_id": STR}


class TerritoryQueries(RepositoryBase):
    """Named queries for territory balance, rebalancing and quota suggestions."""

    def territory_accounts(self, bookings: Period, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns one row per account with its potential and won bookings in `bookings`.

        Columns: id, territory_id, segment, region (of the account's territory),
        annual_potential, bookings_12m (sum of won amounts closed in the period, 0 if none).
        `scope` filters by territory and account segment (rep filters do not apply).
        """
        a, t, o = s.accounts.c, s.territories.c, s.opportunities.c
        won = (
            select(o.account_id, func.sum(o.amount).label("bookings"))
            .where(o.outcome == "won", o.closed_at.between(bookings.start, bookings.end))
            .group_by(o.account_id)
            .subquery()
        )
        stmt = (
            select(
                a.id,
                a.territory_id,
                a.segment,
                t.region,
                a.annual_potential,
                func.coalesce(won.c.bookings, 0.0),
            )
            .select_from(
                s.accounts.outerjoin(s.territories, t.id == a.territory_id).outerjoin(
                    won, won.c.account_id == a.id
                )
            )
            .where(scope.clause(a.territory_id, a.segment))
            .order_by(a.id)
        )
        return self._frame(stmt, TERRITORY_ACCOUNTS)

    def territory_reps(
        self, bookings: Period, quota_year: Period, scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns one row per rep with capacity, employment dates, quota, bookings and pipeline.

        Columns: id, name, territory_id, weekly_capacity_hours, hire_date, end_date,
        annual_quota (sum of monthly quotas starting in `quota_year`, else reps.annual_quota),
        bookings_12m (won amounts closed in `bookings`), open_pipeline (open deal amounts).
        `scope` filters by territory and territory segment.
        """
        r, o, q, t = s.reps.c, s.opportunities.c, s.quotas.c, s.territories.c
        won = (
            select(o.rep_id, func.sum(o.amount).label("bookings"))
            .where(o.outcome == "won", o.closed_at.between(bookings.start, bookings.end))
            .group_by(o.rep_id)
            .subquery()
        )
        pipe = (
            select(o.rep_id, func.sum(o.amount).label("open_amount"))
            .where(o.outcome == "open", o.closed_at.is_(None))
            .group_by(o.rep_id)
            .subquery()
        )
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
                func.coalesce(won.c.bookings, 0.0),
                func.coalesce(pipe.c.open_amount, 0.0),
            )
            .select_from(
                s.reps.outerjoin(s.territories, t.id == r.territory_id)
                .outerjoin(won, won.c.rep_id == r.id)
                .outerjoin(pipe, pipe.c.rep_id == r.id)
                .outerjoin(quota, quota.c.rep_id == r.id)
            )
            .where(scope.clause(r.territory_id, t.segment))
            .order_by(r.id)
        )
        return self._frame(stmt, TERRITORY_REPS)

    def territory_list(self, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns every territory with the open pipeline of its accounts.

        Columns: id, name, region, segment, open_pipeline (sum of open deal amounts on the
        territory's accounts, 0 if none).
        """
        t, a, o = s.territories.c, s.accounts.c, s.opportunities.c
        pipe = (
            select(a.territory_id, func.sum(o.amount).label("open_amount"))
            .select_from(s.opportunities.join(s.accounts, a.id == o.account_id))
            .where(o.outcome == "open", o.closed_at.is_(None))
            .group_by(a.territory_id)
            .subquery()
        )
        stmt = (
            select(t.id, t.name, t.region, t.segment, func.coalesce(pipe.c.open_amount, 0.0))
            .select_from(s.territories.outerjoin(pipe, pipe.c.territory_id == t.id))
            .where(scope.clause(t.id, t.segment))
            .order_by(t.id)
        )
        return self._frame(stmt, TERRITORY_LIST)

    def account_names(self, account_ids: list[int] | tuple[int, ...]) -> pd.DataFrame:
        """Returns names and external ids of the given accounts. Columns: id, name, external_id."""
        a = s.accounts.c
        if not account_ids:
            return self._frame(
                select(a.id, a.name, a.external_id).where(a.id.is_(None)), ACCOUNT_NAMES
            )
        ids = [int(i) for i in account_ids]
        frames = [
            self._frame(
                select(a.id, a.name, a.external_id).where(a.id.in_(ids[i : i + 500])),
                ACCOUNT_NAMES,
            )
            for i in range(0, len(ids), 500)
        ]
        return pd.concat(frames, ignore_index=True).sort_values("id", ignore_index=True)
