"""The data-quality rollup: one row per offending row, rebuilt with the other rollups.

What counts as a problem is defined here once, in SQL: the rollup build writes each offending
deal or lead (and every open deal, with its expected close date, because whether it is
overdue depends on the day it is judged), and the repository counts, trends and lists
problems from the rollup instead of scanning every deal and lead on each page view.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Select,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.sql.expression import union_all

from salesops.db import schema as s
from salesops.db.sqlfuncs import month_start

# A candidate, not a problem yet: an open deal, overdue once its `due` is before the as-of day.
OPEN_DEAL = "open_deal"
# Problems of deals; the missing_* three together are the `missing_fields` check.
DEAL_PROBLEMS = ("closed_before_created", "missing_amount", "missing_owner", "missing_source")
MISSING = ("missing_amount", "missing_owner", "missing_source")
LEADS_WITHOUT_CHANNEL = "leads_without_channel"
DUPLICATE_ACCOUNTS = "duplicate_accounts"
MISSING_FIELDS = "missing_fields"


def blank(column: ColumnElement[str]) -> ColumnElement[bool]:
    """Returns the condition that a text column is NULL or only spaces."""
    return or_(column.is_(None), func.trim(column) == "")


def deal_conditions() -> dict[str, ColumnElement[bool]]:
    """Returns each deal problem's condition on opportunities outer-joined to their lead."""
    o, lead = s.opportunities.c, s.leads.c
    return {
        "closed_before_created": and_(o.closed_at.is_not(None), o.closed_at < o.created_at),
        "missing_amount": o.amount.is_(None),
        "missing_owner": o.rep_id.is_(None),
        "missing_source": blank(lead.channel),
        OPEN_DEAL: o.outcome == "open",
    }


def quality_issues_select(
    deals: ColumnElement[bool] | None = None, leads: ColumnElement[bool] | None = None
) -> Select:
    """Returns the select that fills rollup_quality_issues (problem, entity_id, month, due).

    `deals` and `leads` (conditions on opportunities and leads) limit the rows to some
    deals and leads: a refresh of the rows of the ones an import changed.
    """
    o, lead = s.opportunities, s.leads
    joined = o.outerjoin(lead, lead.c.id == o.c.lead_id)
    no_due = cast(null(), Date)
    parts = [
        select(
            literal(problem).label("problem"),
            o.c.id.label("entity_id"),
            month_start(o.c.created_at).label("month"),
            (o.c.expected_close_date if problem == OPEN_DEAL else no_due).label("due"),
        )
        .select_from(joined)
        .where(condition, *([] if deals is None else [deals]))
        for problem, condition in deal_conditions().items()
    ]
    parts.append(
        select(
            literal(LEADS_WITHOUT_CHANNEL).label("problem"),
            lead.c.id.label("entity_id"),
            month_start(lead.c.created_at).label("month"),
            no_due.label("due"),
        ).where(blank(lead.c.channel), *([] if leads is None else [leads]))
    )
    union = union_all(*parts).subquery()
    return select(union.c.problem, union.c.entity_id, union.c.month, union.c.due)


def account_names_select() -> Select:
    """Returns the select of every account's id and name, which duplicates are found in."""
    a = s.accounts.c
    return select(a.id, a.name)


def insert_duplicate_accounts(conn: Connection) -> int:
    """Writes the accounts whose normalised names collide into the rollup; returns how many.

    Name normalisation ("Acme Inc." = "ACME, Inc") is Python (salesops.quality.names), so
    this runs after the SQL part of the rebuild, on the caller's connection.
    """
    from salesops.quality.names import normalise_company_name

    groups: dict[str, list[int]] = {}
    for account_id, name in conn.execute(account_names_select()):
        key = normalise_company_name(name)
        if key:
            groups.setdefault(key, []).append(int(account_id))
    ids = [i for members in groups.values() if len(members) > 1 for i in members]
    if ids:
        conn.execute(
            insert(s.rollup_quality_issues),
            [
                {"problem": DUPLICATE_ACCOUNTS, "entity_id": i, "month": None, "due": None}
                for i in ids
            ],
        )
    return len(ids)


def quality_months_select(
    issues: ColumnElement[bool] | None = None, deals: ColumnElement[bool] | None = None
) -> Select:
    """Returns the select that fills rollup_quality_months (problem, month, count).

    Reads rollup_quality_issues, so it runs after that table (and its duplicates) is built.
    `issues` (on the issues table) and `deals` (on the deals' created date) limit it to
    some months: a refresh of the months an import changed.
    """
    q = s.rollup_quality_issues.c
    o, lead = s.opportunities, s.leads
    conditions = deal_conditions()
    month = month_start(o.c.created_at)
    per_problem = (
        select(q.problem, q.month, func.count().label("count"))
        .where(q.problem != OPEN_DEAL, *([] if issues is None else [issues]))
        .group_by(q.problem, q.month)
    )
    missing_any = (
        select(literal(MISSING_FIELDS).label("problem"), month.label("month"), func.count())
        .select_from(o.outerjoin(lead, lead.c.id == o.c.lead_id))
        .where(or_(*(conditions[name] for name in MISSING)), *([] if deals is None else [deals]))
        .group_by(month)
    )
    union = union_all(per_problem, missing_any).subquery()
    return select(union.c.problem, union.c.month, union.c.count)


def rebuild_quality_months(conn: Connection) -> int:
    """Rebuilds rollup_quality_months from the issues table; returns the rows written."""
    table = s.rollup_quality_months
    conn.execute(delete(table))
    result = conn.execute(
        insert(table).from_select(["problem", "month", "count"], quality_months_select())
    )
    return result.rowcount if result.rowcount is not None else -1
