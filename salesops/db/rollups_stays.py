"""Rebuilding rollup_stage_stays in full: one pass over the history in index order.

rollups_review.stage_stays_select gives the stays with two window functions (the stage
before each row, then the next stay's start after each stay's first row). Filling the
rollup with it made SQLite sort the whole history twice and maintain three indexes row by
row: the longest step of a demo build at a million deals (550-600 s under load). Here the
history is read once in (opportunity_id, changed_at, id) order - the order of
ix_opportunity_history_opp_changed, so no sort - and each deal's stays are found as its
rows go by: a stay begins at a deal's first row and at each row whose stage differs from
the stay's, and ends at the next one. The rows go in in batches (SQLite executemany,
PostgreSQL COPY) with the secondary indexes dropped and built once afterwards.

Same rows as the select (tests on SQLite and PostgreSQL): dates are written back as the
database gave them, and days are the select's: whole days rounded as SQLite's round() and
PostgreSQL's date difference give them. An import still refreshes the stays of the deals it
touched with the select (rollups_review.refresh_stage_stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete

from salesops.db import schema as s
from salesops.db.rollups_call_cells import insert_rows

BATCH = 50_000  # history rows read, and stays written, at a time

Stay = tuple[int, int, str, object, object, int]
_HISTORY = (
    "SELECT id, opportunity_id, changed_at, stage FROM opportunity_history "
    "ORDER BY opportunity_id, changed_at, id"
)


def rebuild_stage_stays(conn: Connection) -> int:
    """Replaces every row of rollup_stage_stays with the stays of the whole history.

    Runs on the caller's connection, inside its transaction; returns the rows written.
    """
    table = s.rollup_stage_stays
    conn.execute(delete(table))
    secondary = list(table.indexes)
    for index in secondary:
        index.drop(conn, checkfirst=True)
    written = 0
    for batch in stays(_history_batches(conn)):
        written += _write(conn, batch)
    for index in secondary:
        index.create(conn)
    return written


def stays(batches: Iterable[list[tuple]]) -> Iterator[list[Stay]]:
    """Yields the ended stays found in history rows, a list per batch of rows read.

    `batches` hold (id, opportunity_id, changed_at, stage) rows in (opportunity_id,
    changed_at, id) order; each stay is (history_id, opportunity_id, stage, entered_at,
    left_at, days). A batch is read as columns: a stay ends at each row whose deal is the
    previous row's and whose stage is not (a stay's rows all hold its stage), and began at
    the last row before it that began one; the stay still open at a batch's end goes on in
    the next, from its first row.
    """
    carried: tuple | None = None  # the first row of the stay open at the last batch's end
    for batch in batches:
        rows = [carried, *batch] if carried is not None else batch
        if not rows:
            yield []
            continue
        columns = list(zip(*rows, strict=True))
        ids, deals = (np.array(c, dtype="int64") for c in columns[:2])
        moments, stages = (np.array(c, dtype=object) for c in columns[2:])
        count = len(rows)
        new_deal = np.ones(count, dtype=bool)
        new_deal[1:] = deals[1:] != deals[:-1]
        ends = np.zeros(count, dtype=bool)
        ends[1:] = ~new_deal[1:] & (stages[1:] != stages[:-1])
        began = np.maximum.accumulate(np.where(new_deal | ends, np.arange(count), 0))
        carried = rows[int(began[-1])]
        ended = np.flatnonzero(ends)
        entry = began[ended - 1]
        codes, values = pd.factorize(moments)
        # a batch holds a few thousand distinct dates (or its timestamps): each counted once
        numbers = np.array([_day_number(v) for v in values], dtype="float64")[codes]
        days = _round_half_away(numbers[ended] - numbers[entry])
        yield list(
            zip(
                ids[entry].tolist(),
                deals[ended].tolist(),
                stages[entry].tolist(),
                moments[entry].tolist(),
                moments[ended].tolist(),
                days.tolist(),
                strict=True,
            )
        )


def _day_number(value: object) -> float:
    """Returns a date, or SQLite's ISO text of a date or timestamp, as julianday() gives it.

    SQLite counts whole milliseconds from the Julian epoch (timestamps in UTC) and divides:
    done the same way here, the differences are the same doubles, rounded the same.
    """
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        seconds = moment.second + moment.microsecond / 1_000_000
        millis = moment.hour * 3_600_000 + moment.minute * 60_000 + int(seconds * 1000 + 0.5)
        return (_JULIAN_MILLIS + moment.toordinal() * 86_400_000 + millis) / 86_400_000.0
    if isinstance(value, date):
        return (_JULIAN_MILLIS + value.toordinal() * 86_400_000) / 86_400_000.0
    text = str(value)
    if len(text) == 10:
        return _day_number(date.fromisoformat(text))
    return _day_number(datetime.fromisoformat(text.replace("Z", "+00:00")))


_JULIAN_MILLIS = 148_731_076_800_000  # julianday('0001-01-01') - 1 day, in milliseconds


def _round_half_away(values: np.ndarray) -> np.ndarray:
    """Rounds as SQLite's round(): halves away from zero (whole numbers, int64)."""
    whole = np.floor(np.abs(values) + 0.5)
    return np.where(values >= 0, whole, -whole).astype("int64")


def _history_batches(conn: Connection) -> Iterator[list[tuple]]:
    """Yields the history's rows in (opportunity_id, changed_at, id) order, a batch at a time.

    The driver's own values (SQLite's ISO text, PostgreSQL's dates), read on the caller's
    connection: PostgreSQL through a server-side cursor, so only a batch is held at once.
    """
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name="salesops_stage_stays")
        cursor.itersize = BATCH
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(_HISTORY)
        while rows := cursor.fetchmany(BATCH):
            yield rows
    finally:
        cursor.close()


def _write(conn: Connection, rows: list[Stay]) -> int:
    """Inserts stays into rollup_stage_stays (PostgreSQL COPY, else executemany)."""
    return insert_rows(conn, s.rollup_stage_stays, rows)
