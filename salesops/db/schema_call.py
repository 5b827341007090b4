"""The quarter call's rollups (issue 14): open pipeline per day of every quarter, won per day.

`rollup_call_snapshots` holds, for every instant t of every quarter the history covers
(t = quarter_start + day, day 0 .. the quarter's length), the deals open at t grouped by their
rep's territory and manager, stage, forecast category and close bucket (where the expected
close falls from t, see salesops.repository.call), with what of them was won within the
quarter. `rollup_call_won_days` holds the amount won per day and rep territory and manager.
`rollup_call_rep_changes` and `rollup_call_rep_won_days` hold the same per rep (a call of
one rep, or of reps that are not whole teams or territories, sums its reps' rows); the
per-rep snapshots as their changes: a row per day a cell's sums change, not per day it
holds deals (migration 0023).
The call reads a few thousand rows of them instead of scanning the history spans; both are
rebuilt with the other rollups on load and `db upgrade` (salesops.db.rollups_call) and
updated by difference inside each import's transaction (salesops.db.rollups_call_update),
so they are never stale.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, String, Table

from salesops.db.schema import metadata

rollup_call_snapshots = Table(
    "rollup_call_snapshots",
    metadata,
    Column("quarter_start", Date, nullable=False),
    Column("day", Integer, nullable=False),  # the instant is quarter_start + day
    Column("territory_id", Integer),  # the deal's rep's (None: no rep, or a rep without one)
    Column("manager", String(120)),
    Column("stage", String(60), nullable=False),
    Column("forecast_category", String(20)),
    Column("close_bucket", String(20), nullable=False),
    Column("deals", Integer, nullable=False),
    Column("open_amount", Float, nullable=False),
    Column("won_amount", Float, nullable=False),  # won in [instant, quarter end)
    Column("won_deals", Integer, nullable=False),  # deals with a won amount in that range
    Index("ix_rollup_call_snapshots_instant", "quarter_start", "day"),
)

rollup_call_won_days = Table(
    "rollup_call_won_days",
    metadata,
    Column("day", Date, nullable=False),
    Column("territory_id", Integer),
    Column("manager", String(120)),
    Column("won_amount", Float, nullable=False),
    Index("ix_rollup_call_won_days_day", "day"),
)

# The same per rep (deals without a rep are in no scope of reps: left out), each rep's rows
# one range of the index, stored as changes: a row holds what a cell's sums (deals, open
# and won amounts, won deals) change by on its day against the day before (day 0: the
# sums then), and only days where one changes have a row. The sums at day d are the rows
# of days 0..d added up. A rep's cell holds deals for weeks on end and changes on a few
# days: at a million deals 8.5M daily cells were ~1.4M changes (migration 0023).
rollup_call_rep_changes = Table(
    "rollup_call_rep_changes",
    metadata,
    Column("quarter_start", Date, nullable=False),
    Column("day", Integer, nullable=False),
    Column("rep_id", Integer, nullable=False),
    Column("stage", String(60), nullable=False),
    Column("forecast_category", String(20)),
    Column("close_bucket", String(20), nullable=False),
    Column("deals", Integer, nullable=False),
    Column("open_amount", Float, nullable=False),
    Column("won_amount", Float, nullable=False),
    Column("won_deals", Integer, nullable=False),
    Index("ix_rollup_call_rep_changes_rep", "rep_id", "quarter_start", "day"),
)

rollup_call_rep_won_days = Table(
    "rollup_call_rep_won_days",
    metadata,
    Column("day", Date, nullable=False),
    Column("rep_id", Integer, nullable=False),
    Column("won_amount", Float, nullable=False),
    Index("ix_rollup_call_rep_won_days_rep", "rep_id", "day"),
)

CALL_UNIT_TABLES: tuple[Table, ...] = (rollup_call_snapshots, rollup_call_won_days)
CALL_REP_TABLES: tuple[Table, ...] = (rollup_call_rep_changes, rollup_call_rep_won_days)
CALL_ROLLUP_TABLES: tuple[Table, ...] = (*CALL_UNIT_TABLES, *CALL_REP_TABLES)
