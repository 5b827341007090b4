"""Rebuilding every call rollup with the snapshots' sweep done beside the caller's other work.

rebuild_call_rollups reads the open spans, sweeps them into grids (numpy: ~5 s of a
million-deal import's CPU, no database) and writes the grids' cells. Here `start` reads what
the sweep needs and sweeps in a thread of its own while the caller's connection goes on (an
import's rollup steps: SQLite's work, which releases the GIL, so the two share the machine's
cores); `finish` then writes what rebuild_call_rollups writes, statement for statement, on
the caller's connection inside its transaction. The caller must not change what the sweep
read (the history spans, the deals' reps, the reps) in between.

The thread hands each quarter's cells over as it sweeps them, holding at most CELL_BUDGET
cells not yet written: past it, it waits for `finish` to write some (every quarter's cells
held until then were ~160 MB at a million deals, the 5M history import's peak). `close`
(called by `finish`, and by the caller on every other way out) lets a waiting thread go.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Table, delete

from salesops.calendar import Quarter
from salesops.db.index_builds import create_indexes
from salesops.db.rollups_call import (
    BUCKETS,
    REP_GRAIN,
    UNIT_GRAIN,
    Grain,
    OpenSpans,
    _blocks,
    _Grid,
    _rebuild_won_days,
    _sweep_rows,
    snapshot_quarters,
)
from salesops.db.rollups_call_cells import (
    QuarterCells,
    cell_columns,
    cell_labels,
    grid_cells,
    insert_cells,
)
from salesops.db.schema_call import rollup_call_rep_won_days, rollup_call_won_days

# each snapshot rollup with the won-days rollup rebuilt after it (rebuild_call_rollups' order)
_ORDER: tuple[tuple[Grain, Table, bool], ...] = (
    (UNIT_GRAIN, rollup_call_won_days, False),
    (REP_GRAIN, rollup_call_rep_won_days, True),
)
# cells swept and not yet written, at most (one quarter's more when none is held): 22 to 38
# bytes each (int16 day, int32 group, four int32 or int64 measures), 22-38 MB
CELL_BUDGET = 1_000_000


@dataclass
class _Target:
    """One snapshot rollup to rebuild: its grain, its groups' labels and each deal's unit."""

    grain: Grain
    labels: list[tuple | None]
    deal_units: np.ndarray


def _sweep(spans: OpenSpans, quarters: list[Quarter], target: _Target) -> Iterator[QuarterCells]:
    """Yields the target's cells a quarter at a time, its grid swept a block at a time."""
    for block in _blocks(quarters, len(target.labels)):
        grid = _Grid(block, len(target.labels))
        _sweep_rows(grid, spans.overlapping(block), spans.won, target.deal_units, len(spans.kinds))
        yield from grid_cells(grid, target.labels, target.grain.changes)
        del grid  # before the next block's grid is made


class _Closed(Exception):
    """The rebuild was closed: the sweep stops."""


class _Handoff:
    """Quarters' cells passed from the sweep thread to `finish`, at most `budget` held.

    Items are (target position, cells), or (position, None) once a target is swept.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0  # cells put and not yet taken
        self.peak = 0  # the most held at once
        self._items: deque[tuple[int, QuarterCells | None]] = deque()
        self._changed = threading.Condition()
        self._closed = False
        self._error: BaseException | None = None

    def put(self, position: int, cells: QuarterCells | None) -> None:
        """Adds an item once the cells fit the budget (or none is held); raises _Closed."""
        size = 0 if cells is None else len(cells[1])
        with self._changed:
            self._changed.wait_for(
                lambda: self._closed or not self.held or self.held + size <= self.budget
            )
            if self._closed:
                raise _Closed
            self._items.append((position, cells))
            self.held += size
            self.peak = max(self.peak, self.held)
            self._changed.notify_all()

    def fail(self, error: BaseException) -> None:
        """Records the sweep's error, raised by `take` from then on."""
        with self._changed:
            self._error = error
            self._changed.notify_all()

    def take(self) -> tuple[int, QuarterCells | None]:
        """Returns the next item, waiting for it; raises the sweep's error if it failed."""
        with self._changed:
            self._changed.wait_for(lambda: self._items or self._error is not None)
            if self._error is not None:
                raise self._error
            position, cells = self._items.popleft()
            self.held -= 0 if cells is None else len(cells[1])
            self._changed.notify_all()
            return position, cells

    def close(self) -> None:
        """Drops what is held and lets a waiting `put` go (it raises _Closed)."""
        with self._changed:
            self._closed = True
            self._items.clear()
            self.held = 0
            self._changed.notify_all()


class CallRebuild:
    """A rebuild of every call rollup whose sweep runs in a thread from `start` to `finish`."""

    def __init__(self, conn: Connection, budget: int | None = None) -> None:
        """Reads the open spans, quarters and units on `conn`; starts the sweep.

        `budget`: the cells held at most (default CELL_BUDGET).
        """
        spans = OpenSpans.read(conn)
        self.quarters = snapshot_quarters(conn)
        self.swept = bool(self.quarters and spans.kinds)
        self.targets: list[_Target] = []
        if self.swept:
            for grain, _, _ in _ORDER:
                deal_units, units = grain.units(conn)
                labels = cell_labels(units, spans.kinds, BUCKETS, grain.left_out)
                self.targets.append(_Target(grain, labels, deal_units))
        self.handoff = _Handoff(CELL_BUDGET if budget is None else budget)
        # a daemon: a sweep left waiting (its caller gone without `close`) never holds up exit
        self.thread = threading.Thread(
            target=self._run, args=(spans,), name="salesops-call-sweep", daemon=True
        )
        self.thread.start()

    def _run(self, spans: OpenSpans) -> None:
        """The thread: sweeps each target in turn, handing its quarters' cells over."""
        try:
            for position, target in enumerate(self.targets):
                for cells in _sweep(spans, self.quarters, target):
                    self.handoff.put(position, cells)
                self.handoff.put(position, None)
        except _Closed:
            pass
        except BaseException as error:  # raised in finish, on the caller's thread
            self.handoff.fail(error)

    @classmethod
    def start(cls, conn: Connection) -> CallRebuild:
        """Returns a rebuild whose sweep has started (see the module docstring)."""
        return cls(conn)

    def _cells(self, position: int) -> Iterator[QuarterCells]:
        """Yields a target's quarters' cells as the sweep hands them over."""
        while True:
            taken, cells = self.handoff.take()
            assert taken == position  # the thread sweeps the targets in _ORDER
            if cells is None:
                return
            yield cells

    def finish(self, conn: Connection) -> dict[str, int]:
        """Writes every call rollup from the sweep's cells; returns rows written per table."""
        try:
            written: dict[str, int] = {}
            for position, (grain, won_days, by_rep) in enumerate(_ORDER):
                table = grain.table
                conn.execute(delete(table))
                written[table.name] = 0
                if self.swept:
                    target = self.targets[position]
                    for index in table.indexes:  # built once after the rows, not per row
                        index.drop(conn, checkfirst=True)
                    cells = cell_columns(self._cells(position), target.labels)
                    written[table.name] = insert_cells(conn, table, cells)
                    create_indexes(conn, table.indexes)
                written[won_days.name] = _rebuild_won_days(conn, won_days, by_rep)
            return written
        finally:
            self.close()

    def close(self) -> None:
        """Stops the sweep if it still runs and drops its cells (idempotent); waits for it."""
        self.handoff.close()
        self.thread.join()
