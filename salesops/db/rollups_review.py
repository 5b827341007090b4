"""Builders of the pipeline review's stage rollups (salesops.db.schema_review)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
)

from salesops.db import schema as s
from salesops.db.rollup_partitions import RowChanges, id_batches
from salesops.db.sqlfuncs import days_between

MAX_DEALS = 50_000  # more deals changed than this: rebuild the stage entries in full


def stage_entries_select(deals: ColumnElement[bool] | None = None) -> Select:
    """Returns each open deal's current stage entry: opportunity_id, entered_at.

    A run of one stage begins at a deal's first history row and at each row whose stage
    differs from the row before it, in (changed_at, id) order (as stage_entry_dates reads
    them); the entry is the latest such row's date. `deals` (a condition on the history's
    opportunity_id) limits it to some deals: an import's refresh of the deals it changed.
    """
    h, o = s.opportunity_history.c, s.opportunities.c
    rows = (
        select(
            h.opportunity_id,
            h.changed_at,
            h.stage,
            func.lag(h.stage)
            .over(partition_by=h.opportunity_id, order_by=(h.changed_at, h.id))
            .label("previous"),
        )
        .where(
            h.opportunity_id.in_(select(o.id).where(o.outcome == "open")),
            *([] if deals is None else [deals]),
        )
        .subquery("rows")
    )
    r = rows.c
    return (
        select(r.opportunity_id, func.max(r.changed_at).label("entered_at"))
        .where(or_(r.previous.is_(None), r.previous != r.stage))
        .group_by(r.opportunity_id)
    )


def stage_stays_select(
    deals: ColumnElement[bool] | None = None, history: Select | None = None
) -> Select:
    """Returns every ended stay of a deal in one stage, columns as rollup_stage_stays.

    A stay begins at a deal's first history row and at each row whose stage differs from
    the row before it, in (changed_at, id) order, and ends at the deal's next such row
    (stays not ended yet are left out); days = whole days from entered_at to left_at.
    `deals` (a condition on the history's opportunity_id) limits it to some deals: an
    import's refresh of the deals it changed. `history` (a select of opportunity_history
    with id, opportunity_id, changed_at, stage) replaces the whole history: the
    repository's reading of the stays straight from some of it.
    """
    h = s.opportunity_history.c
    source = (
        select(h.id, h.opportunity_id, h.changed_at, h.stage) if history is None else history
    ).where(*([] if deals is None else [deals]))
    read = source.subquery("history")
    c = read.c
    rows = select(
        c.id,
        c.opportunity_id,
        c.changed_at,
        c.stage,
        func.lag(c.stage)
        .over(partition_by=c.opportunity_id, order_by=(c.changed_at, c.id))
        .label("prev"),
    ).subquery("rows")
    r = rows.c
    entries = (
        select(
            r.id,
            r.opportunity_id,
            r.stage,
            r.changed_at,
            func.lead(r.changed_at)
            .over(partition_by=r.opportunity_id, order_by=(r.changed_at, r.id))
            .label("left_at"),
        )
        .where(or_(r.prev.is_(None), r.prev != r.stage))
        .subquery("entries")
    )
    e = entries.c
    days = cast(func.round(days_between(e.changed_at, e.left_at)), Integer)
    return select(
        e.id.label("history_id"),
        e.opportunity_id,
        e.stage,
        e.changed_at.label("entered_at"),
        e.left_at,
        days.label("days"),
    ).where(e.left_at.is_not(None))


def review_plan() -> list[tuple[Table, Select]]:
    """Returns (pipeline review rollup table, the select that fills it) for each."""
    return [
        (s.rollup_stage_entries, stage_entries_select()),
        (s.rollup_stage_stays, stage_stays_select()),
    ]


def refresh_stage_entries(conn: Connection, changes: RowChanges) -> int | None:
    """Replaces the stage entries of the deals an import changed or wrote history for.

    Returns the rows written, or None (rebuild in full) when the change log cannot list
    them or they are many.
    """
    return _refresh_deals(conn, changes, s.rollup_stage_entries, stage_entries_select)


def refresh_stage_stays(conn: Connection, changes: RowChanges) -> int | None:
    """Replaces the stage stays of the deals an import changed or wrote history for.

    Returns the rows written, or None (rebuild in full) as refresh_stage_entries.
    """
    return _refresh_deals(conn, changes, s.rollup_stage_stays, stage_stays_select)


def _refresh_deals(
    conn: Connection,
    changes: RowChanges,
    table: Table,
    rows_of: Callable[[ColumnElement[bool]], Select],
) -> int | None:
    """Replaces `table`'s rows of the changed deals with `rows_of(those deals)`."""
    o, h = s.opportunities, s.opportunity_history
    if not changes.listed or set(changes.deleted) - {o.name, h.name}:
        return None
    if changes.count(o.name) > MAX_DEALS:
        return None  # too many whatever the history adds: not read one by one
    deals = {int(i) for i in conn.execute(select(o.c.id).where(changes.current(o))).scalars()}
    stmt = select(h.c.opportunity_id).where(changes.current(h)).distinct()
    deals |= {int(i) for i in conn.execute(stmt).scalars()}
    deals |= set(changes.deleted.get(o.name, {}))
    deals |= {int(str(b["opportunity_id"])) for b in changes.deleted.get(h.name, {}).values()
              if b.get("opportunity_id") is not None}  # fmt: skip
    if len(deals) > MAX_DEALS:
        return None
    written = 0
    for batch in id_batches(sorted(deals)):
        conn.execute(delete(table).where(table.c.opportunity_id.in_(batch)))
        rows = rows_of(h.c.opportunity_id.in_(batch))
        result = conn.execute(insert(table).from_select([c.name for c in table.columns], rows))
        written += max(result.rowcount or 0, 0)
    return written
