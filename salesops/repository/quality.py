"""Queries behind the data-quality checks: counts by GROUP BY, offending rows by WHERE.

The checks themselves (what counts as a problem) are pure functions in
salesops.quality.checks; these queries return only candidate rows, so a million clean deals
are never read. Row lists are capped by the caller (Settings.quality_row_limit).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all

from salesops.db import schema as s
from salesops.db.sqlfuncs import month_start
from salesops.repository.base import RepositoryBase, overdue_clause
from salesops.repository.frames import DATE, FLOAT, INT, STR

QUALITY_OPPORTUNITY_COLUMNS = {
    "id": INT,
    "external_id": STR,
    "name": STR,
    "source": STR,
    "outcome": STR,
    "created_at": DATE,
    "closed_at": DATE,
    "expected_close_date": DATE,
    "amount": FLOAT,
    "rep_id": INT,
    "channel": STR,
}


def _blank(column: ColumnElement[str]) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


class QualityQueries(RepositoryBase):
    """Candidate rows and per-month counts for the data-quality section."""

    def _opportunity_conditions(self, as_of: date) -> dict[str, ColumnElement[bool]]:
        o, lead = s.opportunities.c, s.leads.c
        return {
            "closed_before_created": and_(o.closed_at.is_not(None), o.closed_at < o.created_at),
            "open_past_close": overdue_clause(o.outcome, o.expected_close_date, as_of),
            "missing_amount": o.amount.is_(None),
            "missing_owner": o.rep_id.is_(None),
            "missing_source": _blank(lead.channel),
        }

    def quality_opportunities(self, as_of: date, limit: int) -> pd.DataFrame:
        """Returns deals failing any opportunity check (at most `limit`, oldest first).

        Columns: id, external_id, name, source, outcome, created_at, closed_at,
        expected_close_date, amount, rep_id, channel (the linked lead's channel).
        """
        o, lead = s.opportunities, s.leads
        conditions = self._opportunity_conditions(as_of)
        stmt = (
            select(
                o.c.id,
                o.c.external_id,
                o.c.name,
                o.c.source,
                o.c.outcome,
                o.c.created_at,
                o.c.closed_at,
                o.c.expected_close_date,
                o.c.amount,
                o.c.rep_id,
                lead.c.channel,
            )
            .select_from(o.outerjoin(lead, lead.c.id == o.c.lead_id))
            .where(or_(*conditions.values()))
            .order_by(o.c.created_at, o.c.id)
            .limit(limit)
        )
        return self._frame(stmt, QUALITY_OPPORTUNITY_COLUMNS)

    def quality_accounts(self) -> pd.DataFrame:
        """Returns every account's id and name (duplicates need name normalisation in Python)."""
        a = s.accounts.c
        return self._frame(select(a.id, a.name).order_by(a.id), {"id": INT, "name": STR})

    def quality_leads(self, limit: int) -> pd.DataFrame:
        """Returns leads with no channel (at most `limit`, oldest first).

        Columns: id, external_id, created_at, channel.
        """
        lead = s.leads.c
        stmt = (
            select(lead.id, lead.external_id, lead.created_at, lead.channel)
            .where(_blank(lead.channel))
            .order_by(lead.created_at, lead.id)
            .limit(limit)
        )
        return self._frame(
            stmt, {"id": INT, "external_id": STR, "created_at": DATE, "channel": STR}
        )

    def quality_reps(self) -> pd.DataFrame:
        """Returns reps with no territory. Columns: id, name, territory_id."""
        r = s.reps.c
        stmt = select(r.id, r.name, r.territory_id).where(r.territory_id.is_(None)).order_by(r.id)
        return self._frame(stmt, {"id": INT, "name": STR, "territory_id": INT})

    def quality_counts(self, as_of: date) -> dict[str, int]:
        """Returns total counts per check key, computed in SQL (no rows read).

        Keys: closed_before_created, open_past_close, missing_amount, missing_owner,
        missing_source, missing_fields (deals with any of the three), leads_without_channel,
        reps_without_territory.
        """
        o, lead, r = s.opportunities, s.leads, s.reps
        conditions = self._opportunity_conditions(as_of)
        missing_any = or_(
            conditions["missing_amount"], conditions["missing_owner"], conditions["missing_source"]
        )
        sums = [
            func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(key)
            for key, cond in {**conditions, "missing_fields": missing_any}.items()
        ]
        stmt = select(
            *sums,
            select(func.count())
            .select_from(lead)
            .where(_blank(lead.c.channel))
            .scalar_subquery()
            .label("leads_without_channel"),
            select(func.count())
            .select_from(r)
            .where(r.c.territory_id.is_(None))
            .scalar_subquery()
            .label("reps_without_territory"),
        ).select_from(o.outerjoin(lead, lead.c.id == o.c.lead_id))
        keys = [*conditions, "missing_fields", "leads_without_channel", "reps_without_territory"]
        frame = self._frame(stmt, dict.fromkeys(keys, INT))
        return {k: int(frame.iloc[0][k]) if pd.notna(frame.iloc[0][k]) else 0 for k in keys}

    def quality_trend(self, as_of: date) -> pd.DataFrame:
        """Returns problem counts per created month: columns month, check, count.

        Deals are bucketed by created month, leads by created month; months without a
        problem are absent. Computed with GROUP BY in SQL.
        """
        o, lead = s.opportunities, s.leads
        conditions = self._opportunity_conditions(as_of)
        month = month_start(o.c.created_at)
        parts = [
            select(
                month.label("month"),
                literal(key).label("check"),
                func.count().label("count"),
            )
            .select_from(o.outerjoin(lead, lead.c.id == o.c.lead_id))
            .where(condition)
            .group_by(month)
            for key, condition in conditions.items()
        ]
        lead_month = month_start(lead.c.created_at)
        parts.append(
            select(
                lead_month.label("month"),
                literal("leads_without_channel").label("check"),
                func.count().label("count"),
            )
            .where(_blank(lead.c.channel))
            .group_by(lead_month)
        )
        union = union_all(*parts).subquery()
        stmt = select(union.c.month, union.c.check, union.c.count).order_by(
            union.c.month, union.c.check
        )
        return self._frame(stmt, {"month": DATE, "check": STR, "count": INT})

    def import_batches(self, limit: int) -> pd.DataFrame:
        """Returns the latest `limit` import batches, newest first.

        Columns: imported_at, source, entity, file_name, rows_read, rows_inserted,
        rows_updated, rows_rejected, status.
        """
        b = s.import_batches.c
        stmt = (
            select(
                b.imported_at,
                b.source,
                b.entity,
                b.file_name,
                b.rows_read,
                b.rows_inserted,
                b.rows_updated,
                b.rows_rejected,
                b.status,
            )
            .order_by(b.imported_at.desc(), b.id.desc())
            .limit(limit)
        )
        return self._frame(
            stmt,
            {
                "imported_at": DATE,
                "source": STR,
                "entity": STR,
                "file_name": STR,
                "rows_read": INT,
                "rows_inserted": INT,
                "rows_updated": INT,
                "rows_rejected": INT,
                "status": STR,
            },
        )
