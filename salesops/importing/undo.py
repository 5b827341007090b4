"""Undoing an import run: the database as it was before, in one transaction, audited.

An import run records what it changed (salesops.importing.change_log); undoing it puts
back the rows it updated, deletes the rows it inserted (children first), puts back the rows
it deleted (history it replaced, a ledger row it refreshed) and the stages or activity
types it added, then rebuilds the rollups and writes the audit entry.
Runs are undone newest first: a later run may have built on an earlier one's rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Engine, func, select

from salesops.access import audit
from salesops.db import schema as s
from salesops.db.rollups import rebuild_rollups
from salesops.importing.change_log import ID_TABLES, TABLES
from salesops.importing.lock import hold_import_lock

RUN_COLUMNS = ["id", "started_at", "actor", "files", "status", "message", "undone_at"]


class UndoRefused(ValueError):
    """The run cannot be undone; the message says why and what to do."""


@dataclass(frozen=True)
class UndoOutcome:
    """What undoing a run did: the run, and the rows restored, deleted and put back."""

    batch: int
    restored: int
    deleted: int
    reinserted: int

    @property
    def message(self) -> str:
        """Returns the sentence the CLI and the Data page show."""
        return (
            f"Undid batch {self.batch}: {self.deleted:,} rows it added deleted, "
            f"{self.restored:,} rows it changed restored, {self.reinserted:,} rows it "
            "replaced put back."
        )


def _value(table_name: str, column: str, value: object) -> object:
    """Returns a JSON value as the column wants it (ISO text back to a date or datetime)."""
    if value is None:
        return None
    kind = TABLES[table_name].c[column].type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(str(value))
    if isinstance(kind, Date):
        return date.fromisoformat(str(value)[:10])
    return value


def _row(table_name: str, before: str) -> dict[str, object]:
    return {k: _value(table_name, k, v) for k, v in json.loads(before).items()}


def _check_undoable(conn: Connection, run_id: int) -> None:
    """Raises UndoRefused unless `run_id` is the newest import not yet undone."""
    r = s.import_runs.c
    run = conn.execute(select(r.status, r.undone_at).where(r.id == run_id)).first()
    if run is None:
        raise UndoRefused(f"There is no import batch {run_id}.")
    if run.status == "undone":
        raise UndoRefused(f"Batch {run_id} was already undone on {run.undone_at:%Y-%m-%d %H:%M}.")
    newest = conn.execute(select(func.max(r.id)).where(r.status == "imported")).scalar()
    if newest != run_id:
        raise UndoRefused(
            f"Batch {run_id} is not the latest import: undo batch {newest} first (imports "
            "are undone newest first, since a later one may build on an earlier one's rows)."
        )


def _changes(conn: Connection, run_id: int) -> pd.DataFrame:
    c = s.import_changes.c
    stmt = (
        select(c.table_name, c.kind, c.row_id, c.row_id_end, c.key, c.before)
        .where(c.run_id == run_id)
        .order_by(c.id.desc())
    )
    columns = ["table_name", "kind", "row_id", "row_id_end", "key", "before"]
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=columns)


def _restore_updates(conn: Connection, changes: pd.DataFrame) -> int:
    """Puts back the values of rows the run updated (latest change first)."""
    updated = changes[changes["kind"] == "updated"]
    for name, row_id, before in updated[["table_name", "row_id", "before"]].itertuples(index=False):
        table = TABLES[name]
        conn.execute(table.update().where(table.c.id == int(row_id)).values(_row(name, before)))
    return len(updated)


def _delete_inserted(conn: Connection, changes: pd.DataFrame) -> tuple[int, dict[str, int]]:
    """Deletes the id ranges the run inserted, children first; returns (rows, {table: start})."""
    ranges = changes[changes["kind"] == "inserted"].set_index("table_name")
    deleted = 0
    for table in ID_TABLES:
        if table.name in ranges.index:
            start, end = ranges.loc[table.name, ["row_id", "row_id_end"]]
            where = table.c.id.between(int(start) + 1, int(end))
            deleted += conn.execute(table.delete().where(where)).rowcount or 0
    return deleted, {str(k): int(v) for k, v in ranges["row_id"].items()}


def _reinsert_deleted(conn: Connection, changes: pd.DataFrame, starts: dict[str, int]) -> int:
    """Puts back rows the run deleted that existed before it (with their ids)."""
    deleted = changes[changes["kind"] == "deleted"]
    count = 0
    for name, group in deleted.groupby("table_name"):
        start = starts.get(str(name))
        rows = [
            {"id": int(i), **_row(str(name), b)}
            for i, b in zip(group["row_id"], group["before"], strict=True)
            if start is None or int(i) <= start
        ]
        if rows:
            conn.execute(TABLES[str(name)].insert(), rows)
            count += len(rows)
    return count


def _drop_added_keys(conn: Connection, changes: pd.DataFrame) -> None:
    """Deletes the stages and activity types the run added.

    Only rows the run inserted (deleted by now) or updated (restored by now) can have
    pointed at them.
    """
    added = changes[changes["kind"] == "inserted_key"]
    for name, key in added[["table_name", "key"]].itertuples(index=False):
        if name == "stages":
            conn.execute(s.stages.delete().where(s.stages.c.name == key))
        elif name == "activity_types":
            at = s.activity_types
            conn.execute(at.delete().where(at.c.activity == key))


def undo_import(engine: Engine, run_id: int, actor: str) -> UndoOutcome:
    """Rolls back import run `run_id` in one transaction; returns what it did.

    Raises UndoRefused (nothing written) for an unknown run, one already undone or one
    that is not the newest, and ImportBusy while another import holds the database. The
    caller checks the role first (salesops.access.require(viewer, IMPORT)).
    """
    with engine.begin() as conn:
        hold_import_lock(conn)
        _check_undoable(conn, run_id)
        changes = _changes(conn, run_id)
        restored = _restore_updates(conn, changes)
        deleted, starts = _delete_inserted(conn, changes)
        reinserted = _reinsert_deleted(conn, changes, starts)
        _drop_added_keys(conn, changes)
        r = s.import_runs
        conn.execute(
            r.update()
            .where(r.c.id == run_id)
            .values(status="undone", undone_at=audit.now(), undone_by=actor[:254])
        )
        rebuild_rollups(conn)
        outcome = UndoOutcome(run_id, restored, deleted, reinserted)
        audit.record(conn, actor, audit.UNDID, f"batch {run_id}", outcome.message)
    return outcome


def recent_runs(engine: Engine, limit: int) -> pd.DataFrame:
    """Returns the newest `limit` import runs.

    Columns: id, started_at, actor, files, status, message, undone_at.
    """
    r = s.import_runs.c
    stmt = select(*(r[c] for c in RUN_COLUMNS)).order_by(r.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(stmt)]
    return pd.DataFrame(rows, columns=RUN_COLUMNS)
