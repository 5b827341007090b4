"""Rebuilding rollup_stage_stays in full: one pass over the history in index order.

rollups_review.stage_stays_select gives the stays with two window functions (the stage
before each row, then the next stay's start after each stay's first row). Filling the
rollup with it made SQLite sort the whole history twice and maintain three indexes row by
row: the longest step of a demo build at a million deals (550-600 s under load). Here the
history is read once in (opportunity_id, changed_at, id) order - the order of
ix_opportunity_history_opp_changed, so no sort - and each deal's stays are found as its
rows go by: a stay begins at a deal's first row and at each row whose stage differs from
the stay's, and ends at the next one. The rows go in in batches (SQLite executemany,
PostgreSQL COPY) with its keys set aside (PostgreSQL's primary key too) and built once
afterwards (index_builds.keys_set_aside).

Same rows as the select (tests on SQLite and PostgreSQL): dates are written back as the
database gave them, and days are the select's: whole days rounded as SQLite's round() and
PostgreSQL's date difference give them. An import still refreshes the stays of the deals it
touched with the select (rollups_review.refresh_stage_stays).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime

from sqlalchemy import Connection, delete

from salesops.db import schema as s
from salesops.db.index_builds import keys_set_aside
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
    written = 0
    with keys_set_aside(conn, table):  # PostgreSQL's primary key too: checked once after
        for batch in stays(_history_batches(conn)):
            written += _write(conn, batch)
    return written


def stays(batches: Iterable[list[tuple]]) -> Iterator[list[Stay]]:
    """Yields the ended stays found in history rows, a list per batch of rows read.

    `batches` hold (id, opportunity_id, changed_at, stage) rows in (opportunity_id,
    changed_at, id) order; each stay is (history_id, opportunity_id, stage, entered_at,
    left_at, days).
    """
    between = day_counter()
    deal: object = None
    entry_id, entry_stage, entry_at = 0, "", None
    for rows in batches:
        found: list[Stay] = []
        for history_id, opportunity_id, changed_at, stage in rows:
            if opportunity_id != deal:
                deal, entry_id = opportunity_id, history_id
                entry_stage, entry_at = stage, changed_at
            elif stage != entry_stage:
                found.append((entry_id, opportunity_id, entry_stage, entry_at, changed_at,
                              between(entry_at, changed_at)))  # fmt: skip
                entry_id, entry_stage, entry_at = history_id, stage, changed_at
        yield found


def day_counter() -> Callable[[object, object], int]:
    """Returns days(first, second): whole days between two date values, as the select rounds.

    Day numbers are cached per distinct value (a history holds a few thousand dates).
    """
    numbers: dict[object, float] = {}

    def number(value: object) -> float:
        found = numbers.get(value)
        if found is None:
            found = numbers[value] = _day_number(value)
        return found

    def days(first: object, second: object) -> int:
        return _round_half_away(number(second) - number(first))

    return days


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


def _round_half_away(value: float) -> int:
    """Rounds as SQLite's round(): halves away from zero."""
    whole = math.floor(abs(value) + 0.5)
    return int(whole if value >= 0 else -whole)


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
