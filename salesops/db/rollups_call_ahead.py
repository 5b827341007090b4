"""Rebuilding every call rollup with the snapshots' sweep done beside the caller's other work.

rebuild_call_rollups reads the open spans, sweeps them into grids (numpy: ~5 s of a
million-deal import's CPU, no database) and writes the grids' cells. Here `start` reads what
the sweep needs and sweeps in a thread of its own, keeping each quarter's cells as arrays,
while the caller's connection goes on (an import's rollup steps: SQLite's work, which
releases the GIL, so the two share the machine's cores); `finish` then writes what
rebuild_call_rollups writes, statement for statement, on the caller's connection inside its
transaction. The caller must not change what the sweep read (the history spans, the deals'
reps, the reps) in between.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
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


@dataclass
class _Target:
    """One snapshot rollup to rebuild: its grain, its groups' labels and each deal's unit."""

    grain: Grain
    labels: list[tuple | None]
    deal_units: np.ndarray


def _sweep(spans: OpenSpans, quarters: list[Quarter], target: _Target) -> list[QuarterCells]:
    """Returns the target's cells: its grid swept a block of quarters at a time (no database)."""
    cells: list[QuarterCells] = []
    for block in _blocks(quarters, len(target.labels)):
        grid = _Grid(block, len(target.labels))
        _sweep_rows(grid, spans.overlapping(block), spans.won, target.deal_units, len(spans.kinds))
        cells += grid_cells(grid, target.labels, target.grain.changes)
    return cells


class CallRebuild:
    """A rebuild of every call rollup whose sweep runs in a thread from `start` to `finish`."""

    def __init__(self, conn: Connection) -> None:
        """Reads the open spans, quarters and units on `conn`; starts the sweep."""
        spans = OpenSpans.read(conn)
        self.quarters = snapshot_quarters(conn)
        self.swept = bool(self.quarters and spans.kinds)
        self.targets: list[_Target] = []
        if self.swept:
            for grain, _, _ in _ORDER:
                deal_units, units = grain.units(conn)
                labels = cell_labels(units, spans.kinds, BUCKETS, grain.left_out)
                self.targets.append(_Target(grain, labels, deal_units))
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="salesops-call-sweep")
        self._cells: list[Future[list[QuarterCells]]] = [
            pool.submit(_sweep, spans, self.quarters, target) for target in self.targets
        ]
        pool.shutdown(wait=False)  # the sweeps run on; finish waits for their cells

    @classmethod
    def start(cls, conn: Connection) -> CallRebuild:
        """Returns a rebuild whose sweep has started (see the module docstring)."""
        return cls(conn)

    def finish(self, conn: Connection) -> dict[str, int]:
        """Writes every call rollup from the sweep's cells; returns rows written per table."""
        written: dict[str, int] = {}
        for position, (grain, won_days, by_rep) in enumerate(_ORDER):
            table = grain.table
            conn.execute(delete(table))
            written[table.name] = 0
            if self.swept:
                target = self.targets[position]
                for index in table.indexes:  # built once after the rows, not per row
                    index.drop(conn, checkfirst=True)
                cells = cell_columns(self._cells[position].result(), target.labels)
                written[table.name] = insert_cells(conn, table, cells)
                create_indexes(conn, table.indexes)
            written[won_days.name] = _rebuild_won_days(conn, won_days, by_rep)
        return written
