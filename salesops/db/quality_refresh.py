"""Refreshing the data-quality rollups after an import: only the deals and leads it changed.

rollup_quality_issues holds one row per offending deal or lead, so the rows of the deals
and leads an import inserted or updated (and of the deals whose lead changed: a missing
source is the lead's) are deleted and selected again; the duplicate accounts are found
again whenever accounts changed. rollup_quality_months is refreshed in the created months
of those deals and leads, before and after the import. Both give the rows a full rebuild
(salesops.db.quality_rollup) gives; None tells the caller to rebuild in full instead.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, delete, false, insert, or_, select

from salesops.db import schema as s
from salesops.db.quality_rollup import (
    DEAL_PROBLEMS,
    DUPLICATE_ACCOUNTS,
    LEADS_WITHOUT_CHANNEL,
    OPEN_DEAL,
    insert_duplicate_accounts,
    quality_issues_select,
    quality_months_select,
)
from salesops.db.rollup_partitions import GRAINS, RowChanges, id_batches, in_partitions

MAX_ENTITIES = 50_000  # more changed deals or leads than this: rebuild in full


def _traceable(changes: RowChanges) -> bool:
    """Returns True when only deals and leads lost rows (their before-images say where).

    And when the deals or leads changed are not already too many to refresh one by one
    (their ids are not read then: a million-deal import would read them for nothing).
    """
    many = max(changes.count("opportunities"), changes.count("leads")) > MAX_ENTITIES
    return changes.listed and not many and not set(changes.deleted) - {"opportunities", "leads"}


def changed_entities(conn: Connection, changes: RowChanges) -> tuple[set[int], set[int]]:
    """Returns (deal ids, lead ids) whose quality rows the changes may have changed."""
    o, lead = s.opportunities, s.leads
    deals = {int(i) for i in conn.execute(select(o.c.id).where(changes.current(o))).scalars()}
    deals |= set(changes.deleted.get(o.name, {}))
    leads = {int(i) for i in conn.execute(select(lead.c.id).where(changes.current(lead))).scalars()}
    leads |= set(changes.deleted.get(lead.name, {}))
    for batch in id_batches(sorted(leads)):  # a deal's missing source is its lead's
        deals |= {
            int(i) for i in conn.execute(select(o.c.id).where(o.c.lead_id.in_(batch))).scalars()
        }
    return deals, leads


def _few_changed(conn: Connection, changes: RowChanges) -> tuple[set[int], set[int]] | None:
    """Returns changed_entities, or None (rebuild in full): untraceable, or too many."""
    if not _traceable(changes):
        return None
    deals, leads = changed_entities(conn, changes)
    return None if max(len(deals), len(leads)) > MAX_ENTITIES else (deals, leads)


def refresh_quality_issues(conn: Connection, changes: RowChanges) -> int | None:
    """Replaces the issue rows of the changed deals and leads; returns rows written."""
    changed = _few_changed(conn, changes)
    if changed is None:
        return None
    deals, leads = changed
    table, o, lead = s.rollup_quality_issues, s.opportunities.c, s.leads.c
    columns = [c.name for c in table.columns]
    q = table.c
    written = 0
    for kinds, ids, only in (
        ((*DEAL_PROBLEMS, OPEN_DEAL), deals, lambda b: quality_issues_select(o.id.in_(b), false())),
        ((LEADS_WITHOUT_CHANNEL,), leads, lambda b: quality_issues_select(false(), lead.id.in_(b))),
    ):
        for batch in id_batches(sorted(ids)):
            conn.execute(delete(table).where(q.problem.in_(kinds), q.entity_id.in_(batch)))
            result = conn.execute(insert(table).from_select(columns, only(batch)))
            written += max(result.rowcount or 0, 0)
    if s.accounts.name in changes.tables:
        conn.execute(delete(table).where(q.problem == DUPLICATE_ACCOUNTS))
        written += insert_duplicate_accounts(conn)
    return written


def _created_months(conn: Connection, changes: RowChanges, deals: set[int], leads: set[int]):
    """Returns the created months of the deals and leads, before and after the changes."""
    month = GRAINS["month"][0]
    days: set[object] = set()
    for table, ids in ((s.opportunities, deals), (s.leads, leads)):
        days |= set(changes.before_values(table.name, "created_at"))
        for batch in id_batches(sorted(ids)):
            stmt = select(table.c.created_at).where(table.c.id.in_(batch)).distinct()
            days |= set(conn.execute(stmt).scalars())
    return {month(d if isinstance(d, date) else date.fromisoformat(str(d)[:10])) for d in days if d}


def refresh_quality_months(conn: Connection, changes: RowChanges) -> int | None:
    """Replaces the month counts of the months the changed deals and leads were created in."""
    changed = _few_changed(conn, changes)
    if changed is None:
        return None
    deals, leads = changed
    months: set[date | None] = set(_created_months(conn, changes, deals, leads))
    if s.accounts.name in changes.tables:
        months.add(None)  # the duplicate accounts' row has no month
    if not months:
        return 0
    table = s.rollup_quality_months
    q = s.rollup_quality_issues.c
    dated = sorted(m for m in months if m is not None)
    issues = or_(
        false(), *(q.month.in_(b) for b in id_batches(dated)), *(
            [q.month.is_(None)] if None in months else []
        )
    )  # fmt: skip
    kept = or_(
        false(), *(table.c.month.in_(b) for b in id_batches(dated)), *(
            [table.c.month.is_(None)] if None in months else []
        )
    )  # fmt: skip
    conn.execute(delete(table).where(kept))
    deals_in = in_partitions(s.opportunities.c.created_at, "month", dated)
    stmt = quality_months_select(issues, deals_in)
    result = conn.execute(insert(table).from_select(["problem", "month", "count"], stmt))
    return max(result.rowcount or 0, 0)
