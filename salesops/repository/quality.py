"""Queries behind the data-quality checks: counts, trend and offending rows from the rollup.

What counts as a problem is written once in SQL (salesops.db.quality_rollup, rebuilt on every
load and import) and again as pure functions over the rows (salesops.quality.checks, which
the tests hold to the same answers); these queries read only the offending rows' ids, so a
million clean deals are never read. Row lists are capped by the caller
(Settings.quality_row_limit).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, union, union_all

from salesops.db import schema as s
from salesops.db.quality_rollup import (
    DEAL_PROBLEMS,
    DUPLICATE_ACCOUNTS,
    LEADS_WITHOUT_CHANNEL,
    MISSING_FIELDS,
    OPEN_DEAL,
)
from salesops.repository.base import RepositoryBase
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


# Every problem the rollup counts, by its check key (open deals count once overdue).
PROBLEMS = (*DEAL_PROBLEMS, MISSING_FIELDS, LEADS_WITHOUT_CHANNEL, DUPLICATE_ACCOUNTS)


def _overdue(as_of: date) -> ColumnElement[bool]:
    """Returns the rollup rows that are problems on `as_of` (open deals only once overdue)."""
    q = s.rollup_quality_issues.c
    return or_(q.problem != OPEN_DEAL, and_(q.problem == OPEN_DEAL, q.due < as_of))


class QualityQueries(RepositoryBase):
    """Problem counts, trend and offending rows, read from the data-quality rollup.

    rollup_quality_issues (salesops.db.quality_rollup) is rebuilt on every load and import,
    so a page view reads the offending rows' ids only, never every deal and lead.
    """

    def quality_opportunities(self, as_of: date, limit: int) -> pd.DataFrame:
        """Returns deals failing an opportunity check: the first `limit` per problem.

        Each problem (closed before created, overdue on `as_of`, each missing field) lists
        its first `limit` deals by id (listed oldest first), so one common problem never
        crowds out another.
        Columns: id, external_id, name, source, outcome, created_at, closed_at,
        expected_close_date, amount, rep_id, channel (the linked lead's channel).
        """
        o, lead, q = s.opportunities, s.leads, s.rollup_quality_issues.c
        firsts = [
            select(q.entity_id)
            .where(q.problem == problem, _overdue(as_of))
            .order_by(q.entity_id)
            .limit(limit)
            .subquery()
            for problem in (*DEAL_PROBLEMS, OPEN_DEAL)
        ]
        offending = union(*(select(first.c.entity_id) for first in firsts))
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
            .where(o.c.id.in_(offending))
            .order_by(o.c.created_at, o.c.id)
        )
        return self._frame(stmt, QUALITY_OPPORTUNITY_COLUMNS)

    def quality_accounts(self) -> pd.DataFrame:
        """Returns the id and name of every account whose normalised name collides with another's.

        The rollup holds them (names are normalised in Python when it is rebuilt); the check
        (salesops.quality.checks.duplicate_accounts) groups them again for the listing.
        """
        a, q = s.accounts.c, s.rollup_quality_issues.c
        offending = select(q.entity_id).where(q.problem == DUPLICATE_ACCOUNTS)
        stmt = select(a.id, a.name).where(a.id.in_(offending)).order_by(a.id)
        return self._frame(stmt, {"id": INT, "name": STR})

    def quality_leads(self, limit: int) -> pd.DataFrame:
        """Returns leads with no channel (the first `limit` by id, listed oldest first).

        Columns: id, external_id, created_at, channel.
        """
        lead, q = s.leads.c, s.rollup_quality_issues.c
        offending = (
            select(q.entity_id)
            .where(q.problem == LEADS_WITHOUT_CHANNEL)
            .order_by(q.entity_id)
            .limit(limit)
            .subquery()
        )
        stmt = (
            select(lead.id, lead.external_id, lead.created_at, lead.channel)
            .where(lead.id.in_(select(offending.c.entity_id)))
            .order_by(lead.created_at, lead.id)
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
        """Returns total counts per check key, from the rollups (no deal or lead read).

        Keys: closed_before_created, open_past_close, missing_amount, missing_owner,
        missing_source, missing_fields (deals with any of the three), leads_without_channel,
        duplicate_accounts, reps_without_territory.
        """
        m, q, r = s.rollup_quality_months.c, s.rollup_quality_issues.c, s.reps.c
        frame = self._frame(
            select(m.problem, func.sum(m.count).label("count")).group_by(m.problem),
            {"problem": STR, "count": INT},
        )
        counts = dict.fromkeys(PROBLEMS, 0) | {
            str(k): int(v) for k, v in zip(frame["problem"], frame["count"], strict=True)
        }
        extra = self._frame(
            select(
                select(func.count())
                .where(q.problem == OPEN_DEAL, q.due < as_of)
                .scalar_subquery()
                .label("open_past_close"),
                select(func.count())
                .select_from(s.reps)
                .where(r.territory_id.is_(None))
                .scalar_subquery()
                .label("reps_without_territory"),
            ),
            {"open_past_close": INT, "reps_without_territory": INT},
        )
        return counts | {k: int(extra.iloc[0][k]) for k in extra.columns}

    def quality_trend(self, as_of: date) -> pd.DataFrame:
        """Returns problem counts per created month: columns month, check, count.

        Deals are bucketed by created month, leads by created month; months without a
        problem are absent. Read from the monthly rollup, overdue deals from the issues.
        """
        m, q = s.rollup_quality_months.c, s.rollup_quality_issues.c
        monthly = select(m.month, m.problem.label("check"), m.count).where(
            m.problem.in_([*DEAL_PROBLEMS, LEADS_WITHOUT_CHANNEL]), m.month.is_not(None)
        )
        overdue = (
            select(q.month, literal("open_past_close").label("check"), func.count())
            .where(q.problem == OPEN_DEAL, q.due < as_of, q.month.is_not(None))
            .group_by(q.month)
        )
        union = union_all(monthly, overdue).subquery()
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
