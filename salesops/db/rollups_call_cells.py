"""The call snapshot rollups' cells, from a swept grid into the table, column by column.

A million-deal import's rollups have ~10M cells: turned into rows by a Python loop (and
written one `write_row` at a time on PostgreSQL) they cost more than the database's
insert. Here each quarter's cells become columns of plain values (a group's labels looked
up in object arrays), which SQLite takes 90 rows per INSERT and PostgreSQL reads as one
COPY text block. The stage stays' rebuild writes its rows through the same writer
(insert_rows).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Protocol

import numpy as np
from sqlalchemy import Connection, Table

from salesops.calendar import Quarter
from salesops.db.sqlite_rows import insert_sqlite_rows

CELL_BLOCK = 20_000  # cells turned into Python values at a time (~10 MB of them)


class Grid(Protocol):
    """A swept grid (salesops.db.rollups_call._Grid): its quarters and running sums."""

    quarters: list[Quarter]

    def totals(self, index: int) -> dict[str, np.ndarray]:
        """Returns the running sums over the days of quarter `index`, shaped (day, group).

        Whole numbers, maybe held as floats.
        """
        ...

    def changes(self, index: int) -> dict[str, np.ndarray]:
        """Returns what the sums change by on each day of quarter `index`, shaped (day, group).

        Whole numbers, maybe held as floats.
        """
        ...


def _label_columns(labels: list[tuple | None]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Returns which groups have rows and each label position's values by group (objects)."""
    kept = np.array([label is not None for label in labels], dtype=bool)
    width = max((len(label) for label in labels if label is not None), default=0)
    columns = []
    for position in range(width):
        column = np.empty(len(labels), dtype=object)
        column[:] = [None if label is None else label[position] for label in labels]
        columns.append(column)
    return kept, columns


QuarterCells = tuple[str, np.ndarray, np.ndarray, dict[str, np.ndarray]]


def cell_labels(
    units: Sequence[tuple], kinds: Sequence[tuple], buckets: Sequence[str], left_out: Collection
) -> list[tuple | None]:
    """Returns each group's labels: its unit's columns, kind and bucket (None: left out)."""
    return [
        None if unit in left_out else (*unit, *kind, bucket)
        for unit in units
        for kind in kinds
        for bucket in buckets
    ]


def cell_blocks(
    grid: Grid, labels: list[tuple | None], changes: bool = False
) -> Iterator[list[list]]:
    """Yields the grid's non-empty cells, CELL_BLOCK at a time in quarter order, as columns.

    Columns in the snapshot table's order: quarter_start (ISO text, as SQLite stores a date
    and COPY reads one), day, `labels[g]` (group g's unit columns, stage, forecast_category
    and bucket; None: a group left out, no rows), deals, open and won amounts, won deals.
    Built column by column (a million-deal import has ~10M cells: a Python loop over the
    rows cost more than inserting them). `changes`: the cells of the days where a sum
    changes, holding by how much (day 0: the sums then), instead of every day's sums.
    """
    return cell_columns(grid_cells(grid, labels, changes), labels)


def grid_cells(
    grid: Grid, labels: list[tuple | None], changes: bool = False
) -> Iterator[QuarterCells]:
    """Yields each quarter's non-empty cells as arrays: (quarter_start ISO, day, group, values).

    The cells cell_blocks writes, held compactly (days as int16, groups as int32, each
    measure's whole numbers as int32 where a quarter's fit, else int64): what a grid leaves
    once it is swept.
    """
    kept = np.array([label is not None for label in labels], dtype=bool)
    for index, quarter in enumerate(grid.quarters):
        sums = grid.changes(index) if changes else grid.totals(index)
        days = slice(0, (quarter.end - quarter.start).days + 1)
        if changes:
            day, group = np.nonzero(np.any([v[days] != 0 for v in sums.values()], 0))
        else:
            day, group = np.nonzero(sums["deals"][days] > 0)
        keep = kept[group]
        day, group = day[keep], group[keep]
        # the cells' values only (whole numbers, maybe as floats): not the quarter's every cell
        values = {n: narrow_ints(np.rint(v[day, group]).astype("int64")) for n, v in sums.items()}
        del sums
        yield quarter.start.isoformat(), day.astype("int16"), group.astype("int32"), values


def narrow_ints(values: np.ndarray) -> np.ndarray:
    """Returns int64 values as int32 when all fit (half the bytes), else as they are."""
    fits = not len(values) or (values.min() >= -(2**31) and values.max() < 2**31)
    return values.astype("int32") if fits else values


def cell_columns(cells: Iterable[QuarterCells], labels: list[tuple | None]) -> Iterator[list[list]]:
    """Yields quarters' cells (grid_cells) CELL_BLOCK at a time as columns (see cell_blocks)."""
    _, label_columns = _label_columns(labels)
    for start, day, group, values in cells:
        for first in range(0, len(day), CELL_BLOCK):
            cut = slice(first, first + CELL_BLOCK)
            d, g = day[cut], group[cut]
            yield [
                [start] * len(d),
                d.tolist(),
                *(column[g].tolist() for column in label_columns),
                values["deals"][cut].tolist(),
                (values["cents"][cut] / 100.0).tolist(),
                (values["won"][cut] / 100.0).tolist(),
                values["won_deals"][cut].tolist(),
            ]


def _copy_cell(value: object) -> str:
    r"""Returns one value in COPY's text format (\N for None, specials escaped)."""
    if value is None:
        return "\\N"
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escaped)
    return text


def insert_cells(conn: Connection, table: Table, blocks: Iterable[list[list]]) -> int:
    """Inserts blocks of columns (the table's order) through the driver; returns rows written.

    SQLite gets each block's rows SQLITE_PARAMETERS values per INSERT (insert_sqlite_rows);
    PostgreSQL is sent each block as COPY text, a column converted at a time.
    """
    return _insert_blocks(conn, table, blocks, as_rows=False)


def insert_rows(conn: Connection, table: Table, rows: Sequence[tuple]) -> int:
    """Inserts rows (tuples in the table's column order) as insert_cells does; returns how many.

    SQLite takes the tuples as they are, PostgreSQL's COPY each through write_row.
    """
    return _insert_blocks(conn, table, [rows], as_rows=True) if rows else 0


def _insert_blocks(
    conn: Connection, table: Table, blocks: Iterable[Sequence], as_rows: bool
) -> int:
    """Inserts blocks of columns (or of rows, `as_rows`) in the table's column order."""
    names = [c.name for c in table.columns]
    written = 0
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    if conn.dialect.name == "postgresql":
        copy_sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for block in blocks:
                if as_rows:  # psycopg's own (C) write_row beats transposing them to text
                    for row in block:
                        copy.write_row(row)
                    written += len(block)
                    continue
                texts = [_copy_texts(column) for column in block]
                lines = map("\t".join, zip(*texts, strict=True))
                copy.write("\n".join(lines) + "\n")
                written += len(block[0])
        return written
    cursor = raw.cursor()
    try:
        for block in blocks:
            rows = block if as_rows else list(zip(*block, strict=True))
            insert_sqlite_rows(cursor, table.name, names, rows)
            written += len(rows)
    finally:
        cursor.close()
    return written


def _copy_texts(column: Sequence) -> list[str]:
    """Returns a column's values as COPY text (numbers as str() writes them)."""
    if column and type(column[0]) in (int, float) and None not in column:
        return list(map(str, column))
    text = {v: _copy_cell(v) for v in set(column)}  # labels: a few distinct values
    return [text[v] for v in column]
