"""Queries behind the Territory balance page: account facts, reps, bookings, open pipeline.

Everything the page tables need is a GROUP BY returning a few hundred rows: accounts per
(territory, segment), won bookings per (rep, territory, segment) from the monthly rollup when
the window is whole months (else the same GROUP BY on opportunities), open pipeline per rep,
and one row per rep. Per-account rows are read only for a rebalancing proposal.
Open pipeline comes from the open-pipeline rollup (open deals by rep, account territory and
segment, stage and month of expected close). A rep's current quota is the sum of their monthly
quotas in the quota year, falling back to reps.annual_quota when the quotas table has none.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from sqlalchemy import Select, case, func, select

from salesops.calendar import Period
from salesops.db import rollups
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
PIPELINE = {
    "rep_id": INT,
    "territory_id": INT,
    "segment": STR,
    "deals": INT,
    "open_pipeline": FLOAT,
    "pipeline_in_year": FLOAT,
}
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
ACCOUNT_REPS = {"id": INT, "owner": STR, "open_pipeline": FLOAT, "last_deal": DATE}


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

    def territory_pipeline(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns open deals per rep and account territory and segment, in all and in `period`.

        Columns: rep_id, territory_id, segment (the account's), deals (open deals),
        open_pipeline (their amount), pipeline_in_year (expected to close in the period,
        whose start is a month start). Read from the open-pipeline rollup (months of expected
        close) unless source="raw". A rep's pipeline is all of theirs: a territory or rep
        limit keeps the reps of those territories (or those reps), whatever the accounts.
        """
        if source == "raw":
            rows = rollups.open_pipeline_select().subquery()
        else:
            rows = select(s.rollup_open_pipeline).subquery()
        c, r = rows.c, s.reps.c
        in_period = c.expected_close.between(period.start, period.end)
        stmt = (
            select(
                c.rep_id,
                c.territory_id,
                c.segment,
                func.sum(c.deals),
                func.coalesce(func.sum(c.open_amount), 0.0),
                func.coalesce(func.sum(case((in_period, c.open_amount), else_=0.0)), 0.0),
            )
            .group_by(c.rep_id, c.territory_id, c.segment)
            .order_by(c.rep_id, c.territory_id, c.segment)
        )
        if scope.rep_ids or scope.territory_ids:
            reps = select(r.id).where(scope.clause(r.territory_id, None, r.id))
            stmt = stmt.where(c.rep_id.in_(reps))
        return self._frame(stmt, PIPELINE)

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
        """Returns name, external id, won bookings, current owner and open pipeline of accounts.

        Columns: id, name, external_id, bookings_12m (won in `bookings`, 0 if none), owner
        (the rep holding most of the account's open pipeline, else the rep of its latest
        deal; None without deals), open_pipeline (0 if none). Used for the move list.
        Accounts outside `scope` (territory, segment) are left out, and so are the deals
        (won, open, owners) of reps outside it.
        """
        ids = [int(i) for i in account_ids]
        frames = []
        for i in range(0, max(len(ids), 1), 500):
            chunk = ids[i : i + 500]
            frames.append(self._details(chunk, bookings, scope).merge(
                self._owners(chunk, scope), on="id", how="left"
            ))  # fmt: skip
        out = pd.concat(frames, ignore_index=True)
        out["open_pipeline"] = out["open_pipeline"].fillna(0.0)
        return out

    def _details(self, chunk: list[int], bookings: Period, scope: Scope) -> pd.DataFrame:
        """Returns id, name, external_id, bookings_12m of the accounts in `chunk`."""
        a, o = s.accounts.c, s.opportunities.c
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
        return self._frame(stmt, ACCOUNT_DETAILS)

    def _owners(self, chunk: list[int], scope: Scope) -> pd.DataFrame:
        """Returns id, owner, open_pipeline of the accounts in `chunk` (one row per account)."""
        o, r = s.opportunities.c, s.reps.c
        open_amount = case((o.outcome == "open", func.coalesce(o.amount, 0.0)), else_=0.0)
        stmt = (
            select(o.account_id, r.name, func.sum(open_amount), func.max(o.created_at))
            .select_from(s.opportunities.join(s.reps, r.id == o.rep_id))
            .where(o.account_id.in_(chunk), scope.clause(None, None, o.rep_id))
            .group_by(o.account_id, r.name)
        )
        rows = self._frame(stmt, ACCOUNT_REPS)
        if rows.empty:
            return rows[["id", "owner", "open_pipeline"]]
        rows = rows.sort_values(
            ["id", "open_pipeline", "last_deal"], ascending=[True, False, False]
        )
        owner = rows.drop_duplicates("id")[["id", "owner"]]
        pipeline = rows.groupby("id", as_index=False)["open_pipeline"].sum()
        return owner.merge(pipeline, on="id")
