"""Builds the quarter call's rollups (schema_call) from the history spans.

The open pipeline at every instant of every quarter is a sweep over the open spans: a span
(a deal's history row, current from the day after it is dated to the day of the deal's next
row) lies in the snapshots of a contiguous run of instants of each quarter it overlaps, and
its close bucket changes at most four times in that run (late this quarter, early this
quarter, overdue, long overdue, as the instant passes its expected close). Each run adds its
deal at its first instant and takes it away after its last; a running sum over the days of
the quarter gives every snapshot. What a span's deal won within the quarter is the same at
every instant of the run (the deal's later rows are all dated from the span's end on).
Amounts are summed in whole cents (exact), so the rollup gives the numbers the span queries
give.

The spans are read as numbers only, through the driver's cursor, a chunk at a time (a
million open spans are a few seconds to read; SQL alone took minutes on SQLite). Rebuilt in
full with the other rollups, after the history spans it reads, inside the caller's
transaction (demo load, `db upgrade`, an undo, an import touching a large share of the
deals); other imports update it by difference (salesops.db.rollups_call_update), quarters
it never held built alone (`rebuild_call_snapshots(conn, quarters)`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Integer,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)

from salesops.calendar import Quarter, quarter_of
from salesops.db import schema as s
from salesops.db.index_builds import create_indexes
from salesops.db.rollups_call_cells import cell_blocks, cell_labels, insert_cells, narrow_ints
from salesops.db.schema_call import (
    rollup_call_rep_changes,
    rollup_call_rep_won_days,
    rollup_call_snapshots,
    rollup_call_won_days,
)
from salesops.db.sqlfuncs import days_between

# Where a deal's expected close falls from the instant (salesops.repository.call's CASE).
BUCKETS = (
    "none",
    "overdue_long",
    "overdue",
    "quarter_near",
    "quarter_late",
    "next_quarter",
    "later",
)
OVERDUE_LONG_DAYS = 30  # the same as salesops.repository.call's
NEXT_QUARTER_DAYS = 92
EPOCH = date(1970, 1, 1)
NEVER = 10**7  # the end (days since EPOCH) of a span with no next row: after every quarter
NO_DUE = -(10**7)  # no expected close date
CLOSED = ("won", "lost")
CHUNK = 100_000  # rows fetched at a time
SWEEP_PAIRS = 200_000  # (open span, quarter) pairs swept at a time (see _Grid.sweep)
INSERT_BATCH = 20_000
GRID_CELLS = 700_000  # (day, group) cells of one sweep's grid: 4 measures, 22 MB
GRID_DAYS = 94  # a grid's days per quarter (_Grid.days: the longest quarter + 2)
MEASURES = ("deals", "cents", "won", "won_deals")
ALL_LENGTHS = (s.CLOSED_FOR_GOOD, s.OPEN_ENDED, *s.HISTORY_SPAN_BOUNDS)  # the spans' classes


def _day(expression):
    """Returns a date expression as whole days since EPOCH (NULL stays NULL)."""
    return cast(days_between(literal(EPOCH), expression), Integer)


def _cents(expression):
    """Returns an amount in whole cents (NULL: 0)."""
    return func.coalesce(cast(func.round(expression * 100), BigInteger), 0)


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Returns the quarters from the one holding `first` to the one holding `last`."""
    quarters = [quarter_of(first)]
    while quarters[-1].end <= last:
        quarters.append(Quarter(quarters[-1].end))
    return quarters


def _numbers(conn: Connection, stmt: Select, columns: int) -> Iterator[np.ndarray]:
    """Yields a numeric select's rows as int64 arrays (rows x columns), a chunk at a time.

    The driver's own tuples (SQLAlchemy's rows cost more than the query at this size): from
    a server-side cursor on PostgreSQL (no IN lists in `stmt`: it is sent as compiled),
    from SQLite's cursor, which steps through the rows as they are fetched.
    """
    if conn.dialect.name == "postgresql":
        compiled = stmt.compile(dialect=conn.dialect)
        cursor = conn.connection.cursor(name="salesops_call_rollup")
        cursor.execute(str(compiled), compiled.params)
    else:
        cursor = conn.execute(stmt).cursor
    try:
        while rows := cursor.fetchmany(CHUNK):
            yield np.array(rows, dtype="int64").reshape(-1, columns)
    finally:
        cursor.close()


def _kinds(conn: Connection) -> list[tuple[str, str | None]]:
    """Returns the (stage, forecast category) pairs the open spans hold, sorted."""
    sp = s.rollup_history_spans.c
    rows = conn.execute(
        select(sp.stage, sp.forecast_category).where(sp.outcome.not_in(CLOSED)).distinct()
    ).all()
    return sorted(
        ((str(stage), category) for stage, category in rows),
        key=lambda k: (k[0], k[1] is None, k[1] or ""),
    )


def _kind_of(kinds: Sequence[tuple[str, str | None]]) -> ColumnElement:
    """Returns a CASE giving each span's position in `kinds` (bound parameters)."""
    sp = s.rollup_history_spans.c
    whens = [
        (
            and_(
                sp.stage == stage,
                sp.forecast_category.is_(None)
                if category is None
                else sp.forecast_category == category,
            ),
            i,
        )
        for i, (stage, category) in enumerate(kinds)
    ]
    return case(*whens, else_=-1)


def _units(conn: Connection) -> tuple[np.ndarray, list[tuple[int | None, str | None]]]:
    """Returns each deal's unit code (indexed by deal id) and the units (territory, manager).

    A deal's unit is its rep's territory and manager; a deal without a rep is (None, None).
    """
    r = s.reps.c
    reps = conn.execute(select(r.id, r.territory_id, r.manager)).all()
    units: list[tuple[int | None, str | None]] = [(None, None)]
    code: dict[tuple[int | None, str | None], int] = {(None, None): 0}
    rep_unit: dict[int, int] = {}
    for rep_id, territory, manager in reps:
        unit = (territory, manager)
        if unit not in code:
            code[unit] = len(units)
            units.append(unit)
        rep_unit[int(rep_id)] = code[unit]
    o = s.opportunities.c
    deals = np.concatenate(
        [np.empty((0, 2), "int64")]
        + list(_numbers(conn, select(o.id, func.coalesce(o.rep_id, -1)), 2))
    )
    deal_units = np.zeros(int(deals[:, 0].max(initial=0)) + 1, dtype="int64")
    lookup = np.zeros(max(rep_unit, default=0) + 2, dtype="int64")
    for rep_id, unit_code in rep_unit.items():
        lookup[rep_id] = unit_code
    deal_units[deals[:, 0]] = np.where(deals[:, 1] < 0, 0, lookup[np.maximum(deals[:, 1], 0)])
    return deal_units, units


def won_rows_select(*conditions: ColumnElement[bool]) -> Select:
    """Returns (deal, day, cents, counted) of the won spans: the rows `_Won` is built from."""
    sp = s.rollup_history_spans.c
    return select(
        sp.opportunity_id,
        _day(sp.valid_from),
        _cents(sp.amount),
        case((sp.amount.is_(None), 0), else_=1),
    ).where(sp.outcome == "won", *conditions)


class _Won:
    """Prefix sums of the won rows, to sum a deal's won cents dated in [start, end) at once."""

    def __init__(self, rows: np.ndarray) -> None:
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
        self.key = rows[:, 0] * (2 * NEVER) + rows[:, 1]
        self.cents = np.concatenate([[0], np.cumsum(rows[:, 2])])
        self.counted = np.concatenate([[0], np.cumsum(rows[:, 3])])

    @classmethod
    def read(cls, conn: Connection, *conditions: ColumnElement[bool]) -> _Won:
        """Returns the prefix sums of the won rows (`conditions` on the spans restrict them)."""
        chunks = _numbers(conn, won_rows_select(*conditions), 4)
        return cls(np.concatenate([np.empty((0, 4), "int64"), *chunks]))

    def between(self, deal: np.ndarray, start: np.ndarray, end: np.ndarray):
        """Returns (cents, counted rows) of each deal's won rows dated in [start, end)."""
        lo = np.searchsorted(self.key, deal * (2 * NEVER) + start, side="left")
        hi = np.searchsorted(self.key, deal * (2 * NEVER) + np.maximum(start, end), side="left")
        return self.cents[hi] - self.cents[lo], self.counted[hi] - self.counted[lo]


def _runs(a, b, due, qe) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yields (bucket, first, last instant) of each pair's run in each bucket (maybe empty).

    A pair is one span in one quarter: instants [a, b], expected close `due`, quarter end
    `qe` (days since EPOCH).
    """
    none = due == NO_DUE
    within = ~none & (due < qe)
    far = np.full_like(a, NEVER)

    def run(mask, lo, hi):
        return np.where(mask, np.maximum(a, lo), 1), np.where(mask, np.minimum(b, hi), 0)

    yield (0, *run(none, a, b))
    # expected < instant - 30 days <=> instant >= due + 31
    yield (1, *run(within, due + OVERDUE_LONG_DAYS + 1, far))
    yield (2, *run(within, due + 1, due + OVERDUE_LONG_DAYS))
    # expected < instant + (qe - instant) // 2 <=> instant >= 2 due - qe + 2 (due >= instant)
    yield (3, *run(within, 2 * due - qe + 2, due))
    yield (4, *run(within, a, 2 * due - qe + 1))
    yield (5, *run(~none & (due >= qe) & (due < qe + NEXT_QUARTER_DAYS), a, b))
    yield (6, *run(~none & (due >= qe + NEXT_QUARTER_DAYS), a, b))


def quarters_overlapped(
    vf: np.ndarray, vt: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Returns each span's first quarter (index in `starts`) and how many quarters it is in."""
    first = np.maximum(np.searchsorted(starts, vf, side="right") - 1, 0)
    last = np.searchsorted(starts, np.minimum(vt, ends[-1] - 1), side="right") - 1
    return first, np.maximum(last - first + 1, 0)


class Runs:
    """Each open span's runs of instants per quarter and close bucket, with what they count.

    `quarter` indexes the quarters swept, `first` and `after` are the run's first day and the
    day after its last (days from the quarter's start), `key` is the span's group times
    len(BUCKETS) plus the bucket, and `values` holds each MEASURE per run (whole numbers:
    deals, open cents, won cents, deals with a won amount).
    """

    def __init__(
        self,
        quarter: np.ndarray,
        first: np.ndarray,
        after: np.ndarray,
        key: np.ndarray,
        values: dict[str, np.ndarray],
    ) -> None:
        self.quarter, self.first, self.after, self.key = quarter, first, after, key
        self.values = values

    @classmethod
    def of(
        cls,
        spans: np.ndarray,
        group: np.ndarray,
        won: _Won,
        starts: np.ndarray,
        ends: np.ndarray,
    ) -> Runs:
        """Returns the runs of open spans (deal, vf, vt, due, cents) in contiguous quarters.

        `starts` and `ends` are the quarters' bounds (days since EPOCH); spans outside them
        are clipped away.
        """
        deal, vf, vt, due, cents = (spans[:, i] for i in range(5))
        first, count = quarters_overlapped(vf, vt, starts, ends)
        span = np.repeat(np.arange(len(spans)), count)
        offset = np.arange(len(span)) - np.repeat(np.cumsum(count) - count, count)
        quarter = first[span] + offset
        qs, qe = starts[quarter], ends[quarter]
        a, b = np.maximum(vf[span] + 1, qs), np.minimum(vt[span], qe)
        won_cents, won_rows = won.between(deal[span], np.minimum(vt[span], qe), qe)
        per_pair = {
            "deals": np.ones(len(span), dtype="int64"),
            "cents": cents[span],
            "won": won_cents,
            "won_deals": (won_rows > 0).astype("int64"),
        }
        parts: list[tuple[np.ndarray, ...]] = []
        for bucket, lo, hi in _runs(a, b, due[span], qe):
            keep = np.flatnonzero(lo <= hi)
            key = group[span[keep]] * len(BUCKETS) + bucket
            parts.append((keep, quarter[keep], lo[keep] - qs[keep], hi[keep] - qs[keep] + 1, key))
        pick, q, lo, after, key = (np.concatenate(x) for x in zip(*parts, strict=True))
        return cls(q, lo, after, key, {n: v[pick] for n, v in per_pair.items()})


class _Grid:
    """Sums per (quarter, day, group), filled with each run's start (+) and end (-)."""

    def __init__(self, quarters: list[Quarter], groups: int) -> None:
        self.quarters = quarters
        self.starts = np.array([(q.start - EPOCH).days for q in quarters], dtype="int64")
        self.ends = np.array([(q.end - EPOCH).days for q in quarters], dtype="int64")
        self.days = 2 + int((self.ends - self.starts).max())
        self.groups = groups
        self.size = len(quarters) * self.days * groups
        self.values = {n: np.zeros(self.size) for n in MEASURES}

    def sweep(self, spans: np.ndarray, group: np.ndarray, won: _Won) -> None:
        """Adds a chunk of open spans (deal, vf, vt, due, cents) in their groups.

        At most SWEEP_PAIRS (span, quarter) pairs at a time: a pair's runs take ~250 bytes
        while they are summed (a chunk of 250,000 open spans at once, 700 MB).
        """
        _, count = quarters_overlapped(spans[:, 1], spans[:, 2], self.starts, self.ends)
        pairs = np.cumsum(count)
        total = int(pairs[-1]) if len(pairs) else 0
        cuts = np.searchsorted(pairs, np.arange(SWEEP_PAIRS, total, SWEEP_PAIRS), side="right")
        bounds = [0, *cuts.tolist(), len(spans)]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            if hi > lo:
                self._sweep(spans[lo:hi], group[lo:hi], won)

    def _sweep(self, spans: np.ndarray, group: np.ndarray, won: _Won) -> None:
        runs = Runs.of(spans, group, won, self.starts, self.ends)
        base = runs.quarter * self.days * self.groups + runs.key
        cell = np.concatenate([base + runs.first * self.groups, base + runs.after * self.groups])
        for name in MEASURES:
            value = runs.values[name].astype("float64")
            weights = np.concatenate([value, -value])
            # in place: a bincount of the whole grid was a ~30 MB temporary per measure and
            # chunk at a million deals; the sums are whole numbers, exact in any order
            np.add.at(self.values[name], cell, weights)

    def changes(self, index: int) -> dict[str, np.ndarray]:
        """Returns what the sums change by on each day of quarter `index`, shaped (day, group).

        Day 0 holds the sums then (the runs starting at the quarter's start). Views of the
        grid (whole numbers as floats), not copies: a quarter of every rep's groups is ~20 MB
        per measure at a million deals.
        """
        shape = (len(self.quarters), self.days, self.groups)
        return {n: v.reshape(shape)[index] for n, v in self.values.items()}

    def totals(self, index: int) -> dict[str, np.ndarray]:
        """Returns the running sums over the days of quarter `index`, shaped (day, group).

        Whole numbers as floats, one quarter at a time (the whole grid's would be twice more).
        """
        return {n: np.cumsum(v, axis=0) for n, v in self.changes(index).items()}


def _insert(conn: Connection, table: Table, rows: Iterator[tuple]) -> int:
    """Inserts rows (tuples in the table's column order) through the driver; returns how many."""
    names = [c.name for c in table.columns]
    written = 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            conn.exec_driver_sql(sql, batch)
            written += len(batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)
        written += len(batch)
    return written


def _as_date(value: object) -> date:
    """Returns a date column's value as a date (SQLite may hand back text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def snapshot_quarters(conn: Connection) -> list[Quarter]:
    """Returns the quarters the snapshots cover: those of the first to the last history row.

    Read per length class (each one range of the clustered spans table), not by a scan.
    """
    sp = s.rollup_history_spans.c
    firsts, lasts = [], []
    for length in ALL_LENGTHS:
        where = sp.length_bound == length
        firsts.append(select(func.min(sp.valid_from)).where(where).scalar_subquery())
        lasts.append(select(func.max(sp.valid_from)).where(where).scalar_subquery())
    row = conn.execute(select(*firsts, *lasts)).one()
    found = [_as_date(d) for d in row if d is not None]
    return quarters_between(min(found), max(found)) if found else []


@dataclass(frozen=True)
class Grain:
    """A snapshot rollup: its table and what a deal's unit is in it.

    `units(conn)` returns each deal's unit code (indexed by deal id) and the units' key
    columns (in the table's order, after quarter_start and day); the units in `left_out`
    get no rows. `changes`: the table holds the days a cell's sums change and by how much
    (rollup_call_rep_changes), not the sums of every day a cell holds deals.
    """

    table: Table
    units: Callable[[Connection], tuple[np.ndarray, list[tuple]]]
    left_out: tuple[tuple, ...] = ()
    changes: bool = False


def _deal_reps(conn: Connection) -> tuple[np.ndarray, list[tuple]]:
    """Returns each deal's rep code (indexed by deal id) and the reps: (None,) is no rep."""
    o = s.opportunities.c
    deals = np.concatenate(
        [np.empty((0, 2), "int64")]
        + list(_numbers(conn, select(o.id, func.coalesce(o.rep_id, -1)), 2))
    )
    reps = np.unique(deals[:, 1][deals[:, 1] >= 0])
    code = np.zeros(int(reps.max(initial=0)) + 1, dtype="int64")
    code[reps] = np.arange(1, len(reps) + 1)
    deal_reps = np.zeros(int(deals[:, 0].max(initial=0)) + 1, dtype="int64")
    deal_reps[deals[:, 0]] = np.where(deals[:, 1] < 0, 0, code[np.maximum(deals[:, 1], 0)])
    return deal_reps, [(None,), *((int(r),) for r in reps)]


UNIT_GRAIN = Grain(rollup_call_snapshots, _units)  # rep territory and manager
# deals without a rep are in no scope of reps: no rows (rep_id is never NULL, so an update's
# rows match on plain equality, through the rep index)
REP_GRAIN = Grain(rollup_call_rep_changes, _deal_reps, left_out=((None,),), changes=True)


def _blocks(quarters: Sequence[Quarter], groups: int) -> list[list[Quarter]]:
    """Returns the quarters in contiguous blocks whose grid holds at most GRID_CELLS cells."""
    per_block = max(1, GRID_CELLS // (GRID_DAYS * max(groups, 1)))
    return [list(quarters[i : i + per_block]) for i in range(0, len(quarters), per_block)]


@dataclass(frozen=True)
class OpenSpans:
    """Every open span as numbers (deal, vf, vt, due, cents, kind), with the won rows.

    Read once for a rebuild of both snapshot rollups (every block of quarters of each sweeps
    the rows overlapping it from here, instead of reading the spans again). Kept as the
    chunks they were read in, each as int32 where its values fit, and swept chunk by chunk:
    the medium demo's 693k open spans hold 16 MB (one int64 array concatenated from the
    chunks held 33 MB, twice that while it was built, and each block copied its rows).
    """

    kinds: list[tuple[str, str | None]]
    chunks: list[np.ndarray]
    won: _Won

    @classmethod
    def read(cls, conn: Connection) -> OpenSpans:
        """Returns the open spans and won rows of the history spans now."""
        kinds = _kinds(conn)
        if not kinds:  # no open span (and no CASE of no kinds to send)
            return cls(kinds, [], _Won.read(conn))
        chunks = [narrow_ints(rows) for rows in _numbers(conn, _open_spans_select(kinds), 6)]
        return cls(kinds, chunks, _Won.read(conn))

    def overlapping(self, quarters: Sequence[Quarter]) -> Iterator[np.ndarray]:
        """Yields, a chunk at a time as int64, the spans current in the contiguous `quarters`."""
        begin, end = ((q - EPOCH).days for q in (quarters[0].start, quarters[-1].end))
        for chunk in self.chunks:
            rows = chunk[(chunk[:, 1] < end) & (chunk[:, 2] >= begin)].astype("int64")
            if len(rows):
                yield rows


def rebuild_call_snapshots(
    conn: Connection,
    quarters: Sequence[Quarter] | None = None,
    grain: Grain = UNIT_GRAIN,
    spans: OpenSpans | None = None,
) -> int:
    """Rebuilds a snapshot rollup (default: rollup_call_snapshots) from the history spans.

    Returns rows written. With `quarters` (contiguous), only their rows are rebuilt, from
    the spans overlapping them; without, every quarter of snapshot_quarters. The quarters
    are swept in blocks whose grid fits GRID_CELLS (a rep's grid is every rep's groups: one
    block of every quarter would take 1.8 GB at the large demo), each block reading the
    spans overlapping it (from `spans` when given: the spans as they are now, read once).
    """
    table = grain.table
    snap = table.c
    whole = quarters is None
    if quarters is None:
        conn.execute(delete(table))
        quarters = snapshot_quarters(conn)
    elif quarters:
        begin, end = quarters[0].start, quarters[-1].end
        conn.execute(delete(table).where(snap.quarter_start >= begin, snap.quarter_start < end))
    kinds = _kinds(conn) if spans is None else spans.kinds
    if not quarters or not kinds:
        return 0
    deal_units, units = grain.units(conn)
    labels = cell_labels(units, kinds, BUCKETS, grain.left_out)
    blocks = _blocks(quarters, len(labels))
    if whole:  # built once after the rows, not per row
        for index in table.indexes:
            index.drop(conn, checkfirst=True)
    written = 0
    for block in blocks:
        grid = _Grid(block, len(labels))
        if spans is None:
            _sweep_block(conn, grid, kinds, deal_units, filtered=not whole or len(blocks) > 1)
        else:
            _sweep_rows(grid, spans.overlapping(block), spans.won, deal_units, len(kinds))
        written += insert_cells(conn, table, cell_blocks(grid, labels, grain.changes))
    if whole:
        create_indexes(conn, table.indexes)
    return written


def _open_spans_select(
    kinds: list[tuple[str, str | None]], *conditions: ColumnElement[bool]
) -> Select:
    """Returns (deal, vf, vt, due, cents, kind) of the open spans, as days and cents."""
    sp = s.rollup_history_spans.c
    return select(
        sp.opportunity_id,
        _day(sp.valid_from),
        func.coalesce(_day(sp.valid_to), NEVER),
        func.coalesce(_day(sp.expected_close_date), NO_DUE),
        _cents(sp.amount),
        _kind_of(kinds),
    ).where(
        *(sp.outcome != outcome for outcome in CLOSED),
        or_(sp.valid_to.is_(None), sp.valid_to > sp.valid_from),
        *conditions,
    )


def _sweep_rows(
    grid: _Grid, chunks: Iterable[np.ndarray], won: _Won, deal_units: np.ndarray, kinds: int
) -> None:
    """Sweeps chunks of open spans (deal, vf, vt, due, cents, kind) into the grid."""
    for part in chunks:
        grid.sweep(part[:, :5], deal_units[part[:, 0]] * kinds + part[:, 5], won)


def _sweep_block(
    conn: Connection,
    grid: _Grid,
    kinds: list[tuple[str, str | None]],
    deal_units: np.ndarray,
    filtered: bool,
) -> None:
    """Sweeps the open spans into the grid (only those overlapping its quarters if `filtered`)."""
    sp = s.rollup_history_spans.c
    span_filter: list[ColumnElement[bool]] = []
    won_filter: list[ColumnElement[bool]] = []
    if filtered:
        begin, end = grid.quarters[0].start, grid.quarters[-1].end
        # a span is current from the day after it is dated through the day of its end
        span_filter = [sp.valid_from < end, or_(sp.valid_to.is_(None), sp.valid_to >= begin)]
        won_filter = [sp.valid_from >= begin, sp.valid_from < end]
    won = _Won.read(conn, *won_filter)
    for spans in _numbers(conn, _open_spans_select(kinds, *span_filter), 6):
        group = deal_units[spans[:, 0]] * len(kinds) + spans[:, 5]
        grid.sweep(spans[:, :5], group, won)


def won_days_select(*conditions: ColumnElement[bool], by_rep: bool = False) -> Select:
    """Returns the GROUP BY select of won history rows per day and rep territory and manager.

    Amounts are summed in whole cents (exact, so a day recomputed alone gives the same
    number); `conditions` (on the spans) restrict the rows read. `by_rep`: per day and rep
    (rollup_call_rep_won_days' rows).
    """
    sp, o, r = s.rollup_history_spans, s.opportunities, s.reps
    cents = cast(func.sum(_cents(sp.c.amount)), Float) / literal(100.0, Float)
    won = func.coalesce(cents, 0.0).label("won_amount")
    joined = sp.join(o, o.c.id == sp.c.opportunity_id)
    if by_rep:  # deals without a rep: in no scope of reps
        return (
            select(sp.c.valid_from.label("day"), o.c.rep_id, won)
            .select_from(joined)
            .where(sp.c.outcome == "won", o.c.rep_id.is_not(None), *conditions)
            .group_by(sp.c.valid_from, o.c.rep_id)
        )
    return (
        select(sp.c.valid_from.label("day"), r.c.territory_id, r.c.manager, won)
        .select_from(joined.outerjoin(r, r.c.id == o.c.rep_id))
        .where(sp.c.outcome == "won", *conditions)
        .group_by(sp.c.valid_from, r.c.territory_id, r.c.manager)
    )


def _rebuild_won_days(conn: Connection, table: Table, by_rep: bool) -> int:
    """Rebuilds a won-days rollup from the history spans; returns rows written."""
    conn.execute(delete(table))
    columns = [c.name for c in table.columns]
    result = conn.execute(insert(table).from_select(columns, won_days_select(by_rep=by_rep)))
    return result.rowcount if result.rowcount is not None else -1


def rebuild_call_rep_rollups(conn: Connection, spans: OpenSpans | None = None) -> dict[str, int]:
    """Rebuilds the per-rep call rollups on the caller's connection; returns rows per table.

    `spans`: the open spans read once (OpenSpans.read), else read here.
    """
    spans = OpenSpans.read(conn) if spans is None else spans
    return {
        rollup_call_rep_changes.name: rebuild_call_snapshots(conn, grain=REP_GRAIN, spans=spans),
        rollup_call_rep_won_days.name: _rebuild_won_days(conn, rollup_call_rep_won_days, True),
    }


def rebuild_call_unit_rollups(conn: Connection, spans: OpenSpans | None = None) -> dict[str, int]:
    """Rebuilds the call rollups per rep territory and manager; returns rows per table."""
    spans = OpenSpans.read(conn) if spans is None else spans
    return {
        rollup_call_snapshots.name: rebuild_call_snapshots(conn, spans=spans),
        rollup_call_won_days.name: _rebuild_won_days(conn, rollup_call_won_days, False),
    }


def rebuild_call_rollups(conn: Connection) -> dict[str, int]:
    """Rebuilds every call rollup on the caller's connection (after the history spans).

    The open spans are read once for both snapshot rollups. Returns rows written per table.
    """
    spans = OpenSpans.read(conn)
    return {**rebuild_call_unit_rollups(conn, spans), **rebuild_call_rep_rollups(conn, spans)}
