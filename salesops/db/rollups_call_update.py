"""Keeps the quarter call's rollups up to date through an import, deal by deal.

Rebuilding `rollup_call_snapshots` sweeps every history span (2-3 minutes and 700 MB at a
million deals), so an import instead changes only what its deals add or take away. A deal's
share of the snapshots is a function of its spans, its won rows and its rep's territory and
manager; for each batch of touched deals, their share is computed from the spans before the
import replaces them (with the rep's unit before the import) and again after, and the
difference is added to the rows of the cells it touches (whole cents, so the result is the
one a rebuild gives, to the bit). The per-rep rollups (rollup_call_rep_changes and
rollup_call_rep_won_days) take the same difference, under each deal's rep before and now
(the per-rep snapshots hold the days their sums change: the difference is added to those).
Quarters the history reaches for the first time are built in full, quarters it left are
dropped; won amounts per day are recomputed for the days the deals' won rows were or are
dated. An import touching a large share of the deals, or a
database whose snapshots are empty, rebuilds them instead.

Everything runs on the import's connection, inside its transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import compress

import numpy as np
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Float,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)

from salesops.calendar import Quarter, quarter_of
from salesops.db import schema as s
from salesops.db.rollups_call import (
    ALL_LENGTHS,
    BUCKETS,
    CLOSED,
    EPOCH,
    MEASURES,
    NEVER,
    NO_DUE,
    REP_GRAIN,
    UNIT_GRAIN,
    Grain,
    Runs,
    _cents,
    _day,
    _insert,
    _Won,
    quarters_between,
    rebuild_call_rollups,
    rebuild_call_snapshots,
    snapshot_quarters,
    won_days_select,
)
from salesops.db.rollups_call_ahead import CallRebuild
from salesops.db.schema_call import (
    rollup_call_rep_changes,
    rollup_call_rep_won_days,
    rollup_call_snapshots,
    rollup_call_won_days,
)

logger = logging.getLogger(__name__)

Unit = tuple[int | None, str | None]  # a rep's (territory_id, manager)
NO_UNIT: Unit = (None, None)
RepKey = tuple[int | None]  # a deal's rep (None: no rep), the per-rep rollups' unit
READ_BATCH = 2_000  # deals read at a time
DAY_BATCH = 500  # won days recomputed at a time
REBUILD_SHARE = 0.3  # from this share of all deals on, rebuild instead

KEYS = (
    "quarter_start",
    "day",
    "territory_id",
    "manager",
    "stage",
    "forecast_category",
    "close_bucket",
)
REP_KEYS = ("quarter_start", "day", "rep_id", "stage", "forecast_category", "close_bucket")

_changes_metadata = MetaData()


def _changes_table(name: str, target: Table, keys: Sequence[str]) -> Table:
    """Returns the temporary table of one batch's changes to `target`, summed per cell.

    The target's key columns, and its measures in whole cents.
    """
    return Table(
        name,
        _changes_metadata,
        *(Column(k, target.c[k].type, nullable=target.c[k].nullable) for k in keys),
        Column("deals", BigInteger, nullable=False),
        Column("cents", BigInteger, nullable=False),
        Column("won_cents", BigInteger, nullable=False),
        Column("won_deals", BigInteger, nullable=False),
        prefixes=["TEMPORARY"],
    )


@dataclass(frozen=True)
class _Target:
    """A snapshot rollup updated by difference: its grain, key columns and changes table."""

    grain: Grain
    keys: tuple[str, ...]
    changes: Table
    located: tuple[str, ...]  # the keys its index starts with (an emptied row is found by)
    required: str | None = None  # a key whose None cells are left out (the grain's)

    @property
    def table(self) -> Table:
        return self.grain.table

    @property
    def nullable_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if self.table.c[k].nullable)


UNITS = _Target(
    UNIT_GRAIN,
    KEYS,
    _changes_table("call_snapshot_changes", rollup_call_snapshots, KEYS),
    ("quarter_start", "day"),
)
REPS = _Target(
    REP_GRAIN,
    REP_KEYS,
    _changes_table("call_rep_snapshot_changes", rollup_call_rep_changes, REP_KEYS),
    ("rep_id", "quarter_start", "day"),
    required="rep_id",  # deals without a rep have no rows
)
snapshot_changes = UNITS.changes
# the won-days rollups, each recomputed per touched day: (table, per rep)
WON_DAYS = ((rollup_call_won_days, False), (rollup_call_rep_won_days, True))


def _rep_units(conn: Connection) -> dict[int, Unit]:
    """Returns every rep's (territory_id, manager)."""
    r = s.reps.c
    return {int(i): (t, m) for i, t, m in conn.execute(select(r.id, r.territory_id, r.manager))}


class _Codes:
    """Numbers the units and (stage, forecast category) kinds of one batch's spans.

    `kinds_of`: another batch's codes whose kinds these share (the per-rep changes of the
    same spans number units apart, kinds alike).
    """

    def __init__(self, kinds_of: _Codes | None = None) -> None:
        self.units: list[tuple] = []
        self._unit: dict[tuple, int] = {}
        self.kinds: list[tuple[str, str | None]] = [] if kinds_of is None else kinds_of.kinds
        self._kind: dict[tuple[str, str | None], int] = {} if kinds_of is None else kinds_of._kind

    def unit(self, unit: tuple) -> int:
        """Returns the unit's number."""
        if unit not in self._unit:
            self._unit[unit] = len(self.units)
            self.units.append(unit)
        return self._unit[unit]

    def kind(self, stage: str, category: str | None) -> int:
        """Returns the kind's number."""
        key = (stage, category)
        if key not in self._kind:
            self._kind[key] = len(self.kinds)
            self.kinds.append(key)
        return self._kind[key]


class _Spans:
    """The history spans of a set of deals, as numbers (read once, swept per unit mapping).

    `deals` is a list of deal ids, or a condition on the spans choosing them (with any other
    `conditions`: salesops.db.call_scoped reads a scope's deals' spans dated before a day).
    """

    def __init__(
        self,
        conn: Connection,
        deals: Sequence[int] | ColumnElement[bool],
        codes: _Codes,
        *conditions: ColumnElement[bool],
    ) -> None:
        sp = s.rollup_history_spans.c
        if not isinstance(deals, ColumnElement):
            deals = sp.opportunity_id.in_(list(deals))
        stmt = select(
            sp.opportunity_id,
            _day(sp.valid_from),
            func.coalesce(_day(sp.valid_to), NEVER),
            func.coalesce(_day(sp.expected_close_date), NO_DUE),
            _cents(sp.amount),
            case((sp.amount.is_(None), 0), else_=1),
            sp.outcome,
            sp.stage,
            sp.forecast_category,
        ).where(deals, *conditions)
        result = conn.execute(stmt)
        # the driver's own tuples, one object array: no Row per span (a busy rep has 170k)
        table = np.array(result.cursor.fetchall(), dtype=object).reshape(-1, 9)
        result.close()
        numbers = table[:, :6].astype("int64")
        outcome = table[:, 6]
        won = outcome == "won"
        self.won = _Won(numbers[won][:, [0, 1, 4, 5]])
        self.won_rows = numbers[won][:, [0, 1, 4]]  # deal, day, cents
        is_open = ~np.isin(outcome, CLOSED) & (numbers[:, 2] > numbers[:, 1])
        self.open = numbers[is_open][:, :5]
        self.kind = _kind_codes(table[:, 7].tolist(), table[:, 8].tolist(), is_open, codes)
        self.won_days = set(numbers[won][:, 1].tolist())


def _kind_codes(stages: Sequence, categories: Sequence, chosen: np.ndarray, codes: _Codes):
    """Returns the kind number of each chosen (stage, category) pair, in order.

    Pairs are numbered in the order they first appear (as one `codes.kind` call per row
    would), each distinct pair once.
    """
    pairs = list(compress(zip(stages, categories, strict=True), chosen.tolist()))
    number = {pair: codes.kind(*pair) for pair in dict.fromkeys(pairs)}
    return np.fromiter((number[p] for p in pairs), dtype="int64", count=len(pairs))


class _Changes:
    """Runs of the deals' old shares (taken away) and new shares (added), summed per cell."""

    def __init__(self, quarters: Sequence[Quarter], codes: _Codes) -> None:
        self.quarters = list(quarters)
        self.starts = np.array([(q.start - EPOCH).days for q in quarters], dtype="int64")
        self.ends = np.array([(q.end - EPOCH).days for q in quarters], dtype="int64")
        self.codes = codes
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # line, day, values

    def add(self, spans: _Spans, unit: np.ndarray, sign: int) -> None:
        """Adds (sign +1) or takes away (-1) the open spans' runs, `unit` per span."""
        if not len(spans.open) or not self.quarters:
            return
        group = unit * (1 << 20) + spans.kind  # kinds and units stay far below 2**20
        runs = Runs.of(spans.open, group, spans.won, self.starts, self.ends)
        values = np.stack([runs.values[n] for n in MEASURES], axis=1) * sign
        line = runs.quarter * (1 << 40) + runs.key
        days = np.concatenate([runs.first, runs.after])
        self.parts.append((np.concatenate([line, line]), days, np.concatenate([values, -values])))

    def _events(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns each (line, day) with a run starting or ending and what it adds then.

        A line is a quarter and group; rows ordered by line, then day.
        """
        line, day, values = (np.concatenate(x) for x in zip(*self.parts, strict=True))
        order = np.lexsort((day, line))
        line, day, values = line[order], day[order], values[order]
        first = np.flatnonzero(np.r_[True, (line[1:] != line[:-1]) | (day[1:] != day[:-1])])
        return line[first], day[first], np.add.reduceat(values, first, axis=0)

    def cells(self, as_changes: bool = False) -> Iterator[tuple]:
        """Yields every cell whose sums change, as a row of snapshot_changes.

        The sums of a line (quarter and group) are steps: each run adds its values at its
        first day and takes them away at the day after its last, so a line's level holds
        from one event day to the next and only the non-zero stretches are cells.
        `as_changes`: the cells of a table of changes (rollup_call_rep_changes), what each
        event day changes its line's sums by.
        """
        if not self.parts:
            return
        line, day, level = self._events()
        quarter = line >> 40
        length = self.ends[quarter] - self.starts[quarter]
        if as_changes:  # the days of the quarter's instants where a sum changes
            step = np.flatnonzero(level.any(axis=1) & (day <= length))
            yield from self._rows(line[step], quarter[step], day[step], level[step])
            return
        level = np.cumsum(level, axis=0)
        starts = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
        before = np.zeros_like(level[:1]).repeat(len(starts), axis=0)
        before[1:] = level[starts[1:] - 1]
        level -= np.repeat(before, np.diff(np.r_[starts, len(line)]), axis=0)
        same_line = np.r_[line[1:] == line[:-1], False]
        until = np.where(same_line, np.r_[day[1:], 0], day)  # the level holds until the next
        until = np.minimum(until, length + 1)
        keep = np.flatnonzero(level.any(axis=1) & (until > day))
        count = until[keep] - day[keep]
        step = np.repeat(keep, count)
        cell_day = day[step] + np.arange(len(step)) - np.repeat(np.cumsum(count) - count, count)
        yield from self._rows(line[step], quarter[step], cell_day, level[step])

    def _rows(
        self, line: np.ndarray, quarter: np.ndarray, day: np.ndarray, values: np.ndarray
    ) -> Iterator[tuple]:
        """Yields the cells (line, day, values) as rows of snapshot_changes."""
        key = line & ((1 << 40) - 1)
        bucket, group = key % len(BUCKETS), key // len(BUCKETS)
        unit, kind = group >> 20, group & ((1 << 20) - 1)
        codes = self.codes
        for q, d, u, k, b, v in zip(
            quarter.tolist(),
            day.tolist(),
            unit.tolist(),
            kind.tolist(),
            bucket.tolist(),
            values.tolist(),
            strict=True,
        ):
            yield (self.quarters[q].start, d, *codes.units[u], *codes.kinds[k], BUCKETS[b], *v)


def _money(amount: ColumnElement, cents: ColumnElement) -> ColumnElement:
    """Returns a stored amount plus whole cents, as the rebuild stores it (cents / 100)."""
    return (func.round(amount * 100) + cents) / literal(100.0, Float)


def _apply(conn: Connection, changes: _Changes, target: _Target = UNITS) -> int:
    """Adds the changes to the target's snapshot rollup (rows created, emptied rows dropped).

    Returns how many cells changed.
    """
    table, changed, keys = target.table, target.changes, target.keys
    changed.drop(conn, checkfirst=True)
    changed.create(conn)
    cells = changes.cells(target.grain.changes)
    if target.required is not None:
        at = keys.index(target.required)
        cells = (cell for cell in cells if cell[at] is not None)
    written = _insert(conn, changed, cells)
    if written:
        snap, d = table.c, changed.c
        nullable = target.nullable_keys
        match = and_(
            *(
                snap[k].is_not_distinct_from(d[k]) if k in nullable else snap[k] == d[k]
                for k in keys
            )
        )
        conn.execute(
            update(table)
            .where(match)
            .values(
                deals=snap.deals + d.deals,
                open_amount=_money(snap.open_amount, d.cents),
                won_amount=_money(snap.won_amount, d.won_cents),
                won_deals=snap.won_deals + d.won_deals,
            )
        )
        exists = select(snap.day).where(match).exists()
        new_rows = select(
            *(d[k] for k in keys),
            d.deals,
            cast(d.cents, Float) / literal(100.0, Float),
            cast(d.won_cents, Float) / literal(100.0, Float),
            d.won_deals,
        ).where(~exists)
        columns = [*keys, "deals", "open_amount", "won_amount", "won_deals"]
        conn.execute(insert(table).from_select(columns, new_rows))
        located = [snap[k] for k in target.located]
        instants = select(*(d[k] for k in target.located)).distinct()
        emptied = [snap.deals == 0]
        if target.grain.changes:  # a change of nothing
            emptied += [snap.open_amount == 0, snap.won_amount == 0, snap.won_deals == 0]
        conn.execute(delete(table).where(*emptied, tuple_(*located).in_(instants)))
    changed.drop(conn)
    return written


class _Both:
    """One batch's changes to the unit rollup and to the per-rep one (kinds numbered alike)."""

    def __init__(self, quarters: Sequence[Quarter]) -> None:
        self.codes = _Codes()
        self.units = _Changes(quarters, self.codes)
        self.reps = _Changes(quarters, _Codes(self.codes))

    def apply(self, conn: Connection) -> tuple[int, int]:
        """Adds both changes to their rollups; returns how many cells changed in each."""
        return _apply(conn, self.units, UNITS), _apply(conn, self.reps, REPS)


class CallRollupUpdate:
    """Keeps the call rollups in step with one import (created when its writing starts).

    The import tells it which deals changed rep (`deal_reps_changed`) and lets it see each
    batch of deals whose spans are replaced (`replacing`); `finish` then settles the rest.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.units_before = _rep_units(conn)
        self.rep_before: dict[int, int | None] = {}  # deal -> rep, for deals that changed rep
        self.done: set[int] = set()  # deals whose share is already updated
        self.won_days: set[int] = set()  # days (since EPOCH) whose won amounts may change
        self.rebuild = False
        self.cells = 0  # cells changed in rollup_call_snapshots
        self.rep_cells = 0  # and in rollup_call_rep_changes
        self._quarters: list[Quarter] | None = None
        self._ahead: CallRebuild | None = None  # a rebuild whose sweep started early

    def deal_reps_changed(self, before: dict[int, int | None]) -> None:
        """Records deals whose rep the import changed, with the rep they had before."""
        for deal, rep in before.items():
            self.rep_before.setdefault(int(deal), rep)

    def rebuild_all(self) -> None:
        """Marks the rollups for a rebuild (the import touched a large share of the deals)."""
        self.rebuild = True

    def sweep_ahead(self) -> None:
        """Starts a due rebuild's sweep now, to run beside the caller's work until `finish`.

        The caller must change no history span, deal's rep or rep in between.
        """
        if self.rebuild and self._ahead is None:
            self._ahead = CallRebuild.start(self.conn)

    def close(self) -> None:
        """Stops a sweep started ahead and lets go of its cells (after `finish`: nothing)."""
        if self._ahead is not None:
            self._ahead.close()

    def quarters(self) -> list[Quarter]:
        """Returns the quarters the snapshot rows cover (their table's first to last)."""
        if self._quarters is None:
            first, last = self._held(rollup_call_snapshots)
            self._quarters = [] if first is None else _quarters(first, last)
            if not self._quarters or self._reps_missing():
                self.rebuild = True  # never built (or nothing to keep): build it whole
        return self._quarters

    def _count(self, cells: tuple[int, int]) -> None:
        self.cells += cells[0]
        self.rep_cells += cells[1]

    def _held(self, table: Table) -> tuple[object, object]:
        """Returns the first and last quarter_start a snapshot rollup holds (None: empty)."""
        c = table.c
        first, last = self.conn.execute(
            select(func.min(c.quarter_start), func.max(c.quarter_start))
        ).one()
        return first, last

    def _reps_missing(self) -> bool:
        """Returns True when the per-rep snapshots are empty while some deal has a rep.

        Both snapshot rollups are built, extended and dropped together, over the same
        quarters: only one never built (a database from before them) lacks them.
        """
        o, c = s.opportunities.c, rollup_call_rep_changes.c
        held = select(c.rep_id).limit(1)
        with_rep = select(o.id).where(o.rep_id.is_not(None)).limit(1)
        return self.conn.execute(held).first() is None and (
            self.conn.execute(with_rep).first() is not None
        )

    def _reps(self, deals: Sequence[int], before: bool) -> dict[int, int | None]:
        """Returns each deal's rep before the import (or now)."""
        o = s.opportunities.c
        reps = dict(self.conn.execute(select(o.id, o.rep_id).where(o.id.in_(list(deals)))).all())
        out = {}
        for deal in deals:
            rep = reps.get(deal)
            if before and deal in self.rep_before:
                rep = self.rep_before[deal]
            out[deal] = rep
        return out

    def _share(
        self, changes: _Both, spans: _Spans, part: Sequence[int], before: bool, sign: int
    ) -> None:
        """Adds (+1) or takes away (-1) the deals' share under their unit and rep then (or now)."""
        reps = self._reps(part, before)
        units = self.units_before if before else _rep_units(self.conn)
        unit_of = {
            d: changes.units.codes.unit(NO_UNIT if r is None else units.get(r, NO_UNIT))
            for d, r in reps.items()
        }
        rep_of = {d: changes.reps.codes.unit((r,)) for d, r in reps.items()}
        for code, delta in ((unit_of, changes.units), (rep_of, changes.reps)):
            lookup = np.vectorize(code.__getitem__, otypes=["int64"])
            unit = lookup(spans.open[:, 0]) if len(spans.open) else np.empty(0, "int64")
            delta.add(spans, unit, sign)
        self.won_days |= spans.won_days

    @contextmanager
    def replacing(self, deals: Sequence[int]) -> Iterator[None]:
        """Takes the deals' share away before their spans are replaced, adds it back after."""
        deals = sorted({int(d) for d in deals})
        if self.rebuild or not self.quarters() or not deals:
            yield
            return
        changes = _Both(self.quarters())
        old = [(_Spans(self.conn, part, changes.codes), part) for part in _parts(deals)]
        for spans, part in old:
            self._share(changes, spans, part, True, -1)
        yield
        for part in _parts(deals):
            self._share(changes, _Spans(self.conn, part, changes.codes), part, False, +1)
        self._count(changes.apply(self.conn))
        self.done.update(deals)

    def _moved(self) -> list[int]:
        """Returns the deals not yet updated whose rep, or whose rep's unit, changed."""
        now = _rep_units(self.conn)
        reps = [r for r, unit in now.items() if self.units_before.get(r, unit) != unit]
        deals = set(self.rep_before)
        o = s.opportunities.c
        for part in _parts(reps):
            deals |= set(self.conn.execute(select(o.id).where(o.rep_id.in_(part))).scalars())
        return sorted(deals - self.done)

    def _move(self, deals: Sequence[int]) -> None:
        """Moves the deals' share from their unit before the import to their unit now."""
        for part in _parts(deals):
            changes = _Both(self.quarters())
            spans = _Spans(self.conn, part, changes.codes)
            self._share(changes, spans, part, True, -1)
            self._share(changes, spans, part, False, +1)
            self._count(changes.apply(self.conn))
            self.done.update(part)

    def _won_days(self, table: Table, by_rep: bool) -> int:
        """Recomputes a won-days rollup on every day a touched deal's won row is dated."""
        sp = s.rollup_history_spans.c
        columns = [c.name for c in table.columns]
        days = [date.fromordinal(EPOCH.toordinal() + d) for d in sorted(self.won_days)]
        written = 0
        for first in range(0, len(days), DAY_BATCH):
            part = days[first : first + DAY_BATCH]
            conn = self.conn
            conn.execute(delete(table).where(table.c.day.in_(part)))
            # every length class is one range of the clustered spans: read by day in each
            stmt = won_days_select(
                sp.length_bound.in_(ALL_LENGTHS), sp.valid_from.in_(part), by_rep=by_rep
            )
            result = conn.execute(insert(table).from_select(columns, stmt))
            written += max(result.rowcount or 0, 0)
        return written

    def _cover(self, target: _Target) -> int:
        """Builds the quarters the history now reaches and the rows lack; drops the rest."""
        have, wanted = self.quarters(), snapshot_quarters(self.conn)
        table = target.table
        c = table.c
        if not wanted:
            return self.conn.execute(delete(table)).rowcount or 0
        if wanted[0].start > have[0].start or wanted[-1].start < have[-1].start:
            self.conn.execute(  # quarters the history left (a scan of the rep rollup)
                delete(table).where(
                    (c.quarter_start < wanted[0].start) | (c.quarter_start > wanted[-1].start)
                )
            )
        written = 0
        for block in (
            [q for q in wanted if q.start < have[0].start],
            [q for q in wanted if q.start > have[-1].start],
        ):
            if block:
                written += rebuild_call_snapshots(self.conn, block, target.grain)
        return written

    def finish(self) -> dict[str, int]:
        """Settles the rollups after the import's rows and spans are written.

        Returns rows (cells) written per table.
        """
        if not self.rebuild and self.quarters():
            moved = self._moved()
            count = select(func.count()).select_from(s.opportunities)
            if moved and len(moved) >= REBUILD_SHARE * (self.conn.execute(count).scalar() or 0):
                self.rebuild = True
            else:
                self._move(moved)
        if self.rebuild:
            if self._ahead is not None:
                written = self._ahead.finish(self.conn)
                logger.info(
                    "Call rollups rebuilt, swept beside the other rollups (a rebuild due; "
                    "at most %d cells held)",
                    self._ahead.handoff.peak,
                )
                return written
            logger.info("Call rollups rebuilt (the import touched a large share of the deals)")
            return rebuild_call_rollups(self.conn)
        written = {
            rollup_call_snapshots.name: self.cells + self._cover(UNITS),
            rollup_call_rep_changes.name: self.rep_cells + self._cover(REPS),
        }
        for table, by_rep in WON_DAYS:
            written[table.name] = self._won_days(table, by_rep)
        logger.info("Call rollups updated by difference for %d deals: %s", len(self.done), written)
        return written


def _parts(ids: Sequence[int]) -> Iterable[list[int]]:
    """Yields the ids READ_BATCH at a time."""
    for first in range(0, len(ids), READ_BATCH):
        yield list(ids[first : first + READ_BATCH])


def _quarters(first: object, last: object) -> list[Quarter]:
    """Returns the quarters from the one starting at `first` to the one starting at `last`."""
    first, last = (d if isinstance(d, date) else date.fromisoformat(str(d)) for d in (first, last))
    return quarters_between(quarter_of(first).start, last)
