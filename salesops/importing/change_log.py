"""What an import run changes, recorded in its own transaction so the run can be undone.

Rows a run inserts are the ids above each table's highest id when it started (the import
lock keeps other writers out), so they are recorded as one id range per table, however
many. Rows it updates or deletes are recorded as they were (JSON), and the stages and
activity types it adds by name. `salesops.importing.undo` replays this backwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Table, Text, cast, func, literal, select

from salesops.db import schema as s
from salesops.db.engine import bulk_insert
from salesops.db.rollup_partitions import RowChanges, load_row_changes
from salesops.importing.records import in_batches, plain_column, plain_value

# Tables whose inserted rows are found by id, children before parents (the delete order).
ID_TABLES: tuple[Table, ...] = (
    s.opportunity_history,
    s.orders,
    s.activities,
    s.quotas,
    s.acquisition_spend,
    s.opportunities,
    s.leads,
    s.accounts,
    s.reps,
    s.territories,
    s.import_batches,
)
TABLES = {t.name: t for t in (*ID_TABLES, s.stages, s.activity_types)}


def to_json(row: dict[str, object]) -> str:
    """Returns a row's values as JSON (dates ISO, numbers as numbers, missing as null)."""

    def plain(value: object) -> object:
        value = plain_value(value)
        return value.isoformat() if isinstance(value, date | datetime) else value

    return json.dumps({k: plain(v) for k, v in row.items()}, sort_keys=True)


def rows_json(frame: pd.DataFrame) -> list[str]:
    """Returns each row as to_json writes it (keys sorted), converting column by column."""
    keys = sorted(frame.columns)
    columns = []
    for key in keys:
        values = plain_column(frame[key])
        columns.append([v.isoformat() if isinstance(v, date | datetime) else v for v in values])
    return [json.dumps(dict(zip(keys, row, strict=True))) for row in zip(*columns, strict=True)]


class ChangeLog:
    """Records one import run's changes on the run's connection."""

    def __init__(self, conn: Connection, files: Sequence[str], actor: str | None) -> None:
        self.conn = conn
        started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        result = conn.execute(
            s.import_runs.insert().values(
                started_at=started,
                actor=(actor or "")[:254] or None,
                files=", ".join(files)[:2000],
                status="imported",
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # a plain INSERT returns the new id
        self.run_id = int(key[0])
        self.start = {t.name: self._max_id(t) for t in ID_TABLES}
        self._written: set[str] = set()  # tables with rows updated, deleted or keys added

    def _max_id(self, table: Table) -> int:
        return int(self.conn.execute(select(func.max(table.c.id))).scalar() or 0)

    def _add(self, rows: list[dict[str, object]]) -> None:
        self._written.update(str(r["table_name"]) for r in rows)
        if rows:
            self.conn.execute(
                s.import_changes.insert(), [{**r, "run_id": self.run_id} for r in rows]
            )

    def _add_rows(self, table: Table, kind: str, row_ids: list[int], before: list[str]) -> None:
        """Records many rows' states at once (a bulk insert: a history file replaces millions)."""
        if row_ids:
            self._written.add(table.name)
            frame = pd.DataFrame(
                {"run_id": self.run_id, "table_name": table.name, "kind": kind},
                index=range(len(row_ids)),
            )
            frame["row_id"] = row_ids
            frame["before"] = before
            bulk_insert(self.conn, s.import_changes, frame.astype(object))

    def updated(self, table: Table, before: pd.DataFrame) -> None:
        """Records rows (with their `id`) as they were before the run updated them."""
        self._rows(table, before, "updated")

    def deleted(self, table: Table, before: pd.DataFrame) -> None:
        """Records whole rows (with their `id`) the run deleted."""
        self._rows(table, before, "deleted")

    def delete_logged(self, table: Table, where: ColumnElement[bool]) -> None:
        """Deletes `table`'s rows matching `where`, recorded as `deleted` would; returns None.

        PostgreSQL only: one statement deletes the rows and writes them to the log as JSON
        (keys sorted, dates ISO, as rows_json), so they never travel to Python and back (at a
        million replaced history rows, reading them and writing them as JSON cost more
        client time than the rest of the history's writing).
        """
        gone = table.delete().where(where).returning(*table.c).cte("gone")
        columns = sorted(c.name for c in table.c if c.name != "id")
        pairs = [part for name in columns for part in (cast(literal(name), Text), gone.c[name])]
        rows = select(
            literal(self.run_id),
            literal(table.name),
            literal("deleted"),
            gone.c.id,
            cast(func.json_build_object(*pairs), Text),
        ).where(gone.c.id <= self.start.get(table.name, 0))
        c = s.import_changes.c
        into = [c.run_id, c.table_name, c.kind, c.row_id, c.before]
        result = self.conn.execute(s.import_changes.insert().from_select(into, rows))
        if result.rowcount:
            self._written.add(table.name)

    def _rows(self, table: Table, before: pd.DataFrame, kind: str) -> None:
        if before.empty:
            return
        # inserted by this run: undo deletes it anyway (and never puts such a row back)
        before = before[before["id"].astype("int64") <= self.start.get(table.name, 0)]
        if before.empty:
            return
        columns = sorted(c for c in before.columns if c in table.c and c != "id")
        row_ids = [int(i) for i in before["id"]]
        self._add_rows(table, kind, row_ids, rows_json(before[columns]))

    def rows_before(
        self, table: Table, ids: Iterable[object], columns: Sequence[str]
    ) -> pd.DataFrame:
        """Returns the stored rows with these ids (id and `columns`), before a change."""
        wanted = sorted({int(str(i)) for i in ids})
        cols = [table.c.id, *(table.c[c] for c in columns)]
        rows: list[tuple] = []
        for part in in_batches(wanted):
            rows += [tuple(r) for r in self.conn.execute(select(*cols).where(table.c.id.in_(part)))]
        return pd.DataFrame.from_records(rows, columns=["id", *columns])

    def new_keys(self, table: Table, key: str, names: Iterable[str]) -> list[str]:
        """Records the names the run is about to add to `table`; returns them."""
        wanted = sorted({n for n in names if n is not None})
        column = table.c[key]
        known: set[str] = set()
        for part in in_batches(wanted):
            known |= set(self.conn.execute(select(column).where(column.in_(part))).scalars())
        new = [n for n in wanted if n not in known]
        self._add([{"table_name": table.name, "kind": "inserted_key", "key": n} for n in new])
        return new

    def inserted(self) -> dict[str, tuple[int, int]]:
        """Returns {table: (highest id before the run, highest id now)} of tables it grew."""
        ranges = {}
        for table in ID_TABLES:
            end = self._max_id(table)
            if end > self.start[table.name]:
                ranges[table.name] = (self.start[table.name], end)
        return ranges

    def changed_tables(self) -> frozenset[str]:
        """Returns the names of the tables the run wrote so far (inserted, updated, deleted)."""
        return frozenset(self._written | set(self.inserted()))

    def row_changes(self) -> RowChanges:
        """Returns the rows the run changed so far (what a rollup refresh by partition reads)."""
        return load_row_changes(self.conn, self.run_id, self.inserted(), self.changed_tables())

    def finish(self, message: str) -> int:
        """Records the id range each table gained; returns the run id."""
        ranges = [
            {"table_name": name, "kind": "inserted", "row_id": start, "row_id_end": end}
            for name, (start, end) in self.inserted().items()
        ]
        self._add(ranges)
        r = s.import_runs
        self.conn.execute(r.update().where(r.c.id == self.run_id).values(message=message[:400]))
        return self.run_id
