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

`rollup_stage_stays` holds every ended stay of a deal in one stage, over the deal's whole
history: the history row that began it (a row whose stage differs from the deal's previous
row's, or its first), its stage, the day it was entered and the day the deal's next such row
left it, and the whole days between. The stale rule measures each stage's typical stay from the
stays that ended in the year before the week's end; read from the history, that is a window
over two years of rows (38 s at a million deals on SQLite) that also cut stays begun before
them short. The index on (left_at, stage, days) covers that read: one range, no table rows.

Defined on the schema's one MetaData by `review_rollup_table` and `stage_stays_table`, which
salesops.db.schema calls (this module imports nothing from it, so there is no cycle).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, MetaData, String, Table

STAYS_INDEX = "ix_rollup_stage_stays_left"


def review_rollup_table(metadata: MetaData) -> Table:
    """Returns the stage-entries rollup table, defined on `metadata`."""
    return Table(
        "rollup_stage_entries",
        metadata,
        Column("opportunity_id", Integer, primary_key=True, autoincrement=False),
        Column("entered_at", Date, nullable=False),
    )


def stage_stays_table(metadata: MetaData) -> Table:
    """Returns the stage-stays rollup table, defined on `metadata`."""
    table = Table(
        "rollup_stage_stays",
        metadata,
        Column("history_id", Integer, primary_key=True, autoincrement=False),
        Column("opportunity_id", Integer, nullable=False, index=True),
        Column("stage", String(60), nullable=False),
        Column("entered_at", Date, nullable=False),
        Column("left_at", Date, nullable=False),
        Column("days", Integer, nullable=False),
    )
    Index(STAYS_INDEX, table.c.left_at, table.c.stage, table.c.days)
    return table
