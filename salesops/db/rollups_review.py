"""Builder of the pipeline review's stage-entries rollup (salesops.db.schema_review)."""

from __future__ import annotations

from sqlalchemy import Select, Table, func, or_, select

from salesops.db import schema as s


def stage_entries_select() -> Select:
    """Returns each open deal's current stage entry: opportunity_id, entered_at.

    A run of one stage begins at a deal's first history row and at each row whose stage
    differs from the row before it, in (changed_at, id) order (as stage_entry_dates reads
    them); the entry is the latest such row's date.
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
        .where(h.opportunity_id.in_(select(o.id).where(o.outcome == "open")))
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
