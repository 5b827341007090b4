"""Pipeline review rollup: when each open deal entered the stage it is in now.

`rollup_stage_entries` holds, for every deal open now (opportunities.outcome), the date of
the history row that began its current run of rows in one stage (a row begins a run when it
is the deal's first or its stage differs from the previous row's, in (changed_at, id)
order): what salesops.pipeline_review.deal_lists.stage_entry_dates finds from the deal's
whole history. The review's stale list needs it for every deal open at the week's end;
read from the history, that is every open deal's rows (minutes at a million deals). A
deal's entry as of a day after `entered_at` is `entered_at` (its rows since are all in
that stage), so only deals whose entry is on or after the week's end, or that are not here
(closed since), are read from the history. Rebuilt with the other rollups
(salesops.db.rollups_review) on every load, import and `db upgrade`.

Defined on the schema's one MetaData by `review_rollup_table`, which salesops.db.schema
calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, Table


def review_rollup_table(metadata: MetaData) -> Table:
    """Returns the stage-entries rollup table, defined on `metadata`."""
    return Table(
        "rollup_stage_entries",
        metadata,
        Column("opportunity_id", Integer, primary_key=True, autoincrement=False),
        Column("entered_at", Date, nullable=False),
    )
