"""Builder of the pipeline review's stage-entries rollup (salesops.db.schema_review)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Select, Table, delete, func, insert, or_, select

from salesops.db import schema as s
from salesops.db.rollup_partitions import ID_BATCH, RowChanges

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


def review_plan() -> list[tuple[Table, Select]]:
    """Returns (pipeline review rollup table, the select that fills it)."""
    return [(s.rollup_stage_entries, stage_entries_select())]


def refresh_stage_entries(conn: Connection, changes: RowChanges) -> int | None:
    """Replaces the stage entries of the deals an import changed or wrote history for.

    Returns the rows written, or None (rebuild in full) when the change log cannot list
    them or they are many.
    """
    o, h = s.opportunities, s.opportunity_history
    if not changes.listed or set(changes.deleted) - {o.name, h.name}:
        return None
    deals = {int(i) for i in conn.execute(select(o.c.id).where(changes.current(o))).scalars()}
    stmt = select(h.c.opportunity_id).where(changes.current(h)).distinct()
    deals |= {int(i) for i in conn.execute(stmt).scalars()}
    deals |= set(changes.deleted.get(o.name, {}))
    deals |= {int(str(b["opportunity_id"])) for b in changes.deleted.get(h.name, {}).values()
              if b.get("opportunity_id") is not None}  # fmt: skip
    if len(deals) > MAX_DEALS:
        return None
    table = s.rollup_stage_entries
    ordered = sorted(deals)
    written = 0
    for first in range(0, len(ordered), ID_BATCH):
        batch = ordered[first : first + ID_BATCH]
        conn.execute(delete(table).where(table.c.opportunity_id.in_(batch)))
        rows = stage_entries_select(h.c.opportunity_id.in_(batch))
        result = conn.execute(insert(table).from_select([c.name for c in table.columns], rows))
        written += max(result.rowcount or 0, 0)
    return written
