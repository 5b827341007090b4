"""Engines, schema creation and the read-only connection pages use.

Nothing else in the package calls `create_engine`. SQLite gets WAL, foreign keys
and a read-only URI mode; PostgreSQL gets pre-ping (so a restarted server is
reconnected without restarting the app) and read-only sessions for pages.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

from salesops.config import masked_url
from salesops.db.errors import (
    DATABASE_FAILURES,
    DatabaseError,
    DatabaseUnavailable,
    SchemaMissing,
    translate,
)

if TYPE_CHECKING:
    from salesops.db.migrate import SchemaState
from salesops.db import schema
from salesops.db.sqlite_rows import insert_sqlite_rows

logger = logging.getLogger(__name__)
# The errors live in salesops.db.errors; importing them from here keeps working.
__all__ = ["DatabaseError", "DatabaseUnavailable", "SchemaMissing"]


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> str | None:
    database = make_url(url).database
    return None if database in (None, "", ":memory:") else database


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _set_postgres_read_only(dbapi_connection, _record) -> None:
    """Page connections on PostgreSQL: every transaction starts `BEGIN READ ONLY`.

    The driver's read_only flag makes psycopg open each transaction READ ONLY explicitly, so
    `SET default_transaction_read_only = off` or `SET SESSION CHARACTERISTICS ... READ
    WRITE` change nothing, and `SET TRANSACTION READ WRITE` after the transaction's first
    query is refused by the server; the session default is read-only as well.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()
    dbapi_connection.read_only = True


# SQLite authorizer codes (sqlite3.SQLITE_*): what a page connection may never do.
_SQLITE_DENIED_PRAGMAS = frozenset({"query_only", "writable_schema", "trusted_schema"})


def _sqlite_read_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, *_: object
) -> int:
    """Refuses ATTACH/DETACH and lifting query_only on a page connection."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and arg1 in _SQLITE_DENIED_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _set_sqlite_read_only(dbapi_connection, _record) -> None:
    """Page connections on SQLite: opened mode=ro, query_only, no ATTACH, no VACUUM INTO.

    VACUUM INTO attaches its target, so no attached database at all (a limit SQL cannot
    raise) refuses both; the authorizer keeps query_only from being switched off.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    dbapi_connection.set_authorizer(_sqlite_read_only_authorizer)


def _watch_sqlite_file(engine: Engine, path: str) -> None:
    """Makes pooled connections to a SQLite file that was deleted or replaced reconnect.

    An open connection keeps reading a deleted file's old contents (the inode lives on while
    it is open), so a page would show a vanished database as if it answered. Each checkout
    compares the file's inode with the one the connection opened: a missing or different
    file discards the connection, and reconnecting reports the missing file (or reads the
    new one).
    """
    file = Path(path).resolve()

    def opened(_dbapi_connection, record) -> None:
        record.info["inode"] = file.stat().st_ino

    def checkout(_dbapi_connection, record, _proxy) -> None:
        try:
            inode = file.stat().st_ino
        except OSError:
            inode = None
        if inode != record.info.get("inode"):
            raise DisconnectionError(f"the database file {file} is gone or was replaced")

    event.listen(engine, "connect", opened)
    event.listen(engine, "checkout", checkout)


def make_engine(url: str, *, read_only: bool = False, unjournaled: bool = False) -> Engine:
    """Returns an engine for `url`; `read_only=True` refuses every write at the driver level.

    A read-only SQLite engine needs the file to exist; it raises DatabaseUnavailable if not.
    `unjournaled=True` (a SQLite file only, for a bulk build into a new file nobody else
    reads): see _set_sqlite_unjournaled. A malformed URL, a missing driver or an unwritable
    file raise the DatabaseError salesops.db.errors.translate gives.
    """
    try:
        if unjournaled:
            return _make_unjournaled_engine(url)
        return _make_engine(url, read_only)
    except DATABASE_FAILURES + (ValueError,) as exc:
        raise translate(exc, url) from exc


def _set_sqlite_unjournaled(dbapi_connection, _record) -> None:
    """No rollback journal, no WAL, no syncs: each page is written once, straight to the file.

    A WAL database writes every page twice (into the log, then back into the file: 2.5 GB
    each way for the large demo's tables and indexes), and fsyncs. Without a journal a failed
    transaction cannot be rolled back and a crash leaves the file broken, so this is only
    for a new file that is deleted on any failure and put in place once complete.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _make_unjournaled_engine(url: str) -> Engine:
    path = _sqlite_path(url) if _is_sqlite(url) else None
    if path is None:
        raise ValueError(f"An unjournaled engine needs a SQLite file, not {masked_url(url)}.")
    engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    event.listen(engine, "connect", _set_sqlite_unjournaled)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def sqlite_file_without_tables(engine: Engine) -> Path | None:
    """Returns the file of a writable SQLite engine whose database has no table yet, else None.

    Such a database holds nothing to keep, so a bulk build may fill another file and put it
    in its place (salesops.demo.load). None also when another process has the file open in
    WAL mode (its -wal or -shm file exists once the engine's own connections are closed):
    replacing a file under a connection is left to the slower path that writes into it.
    """
    if engine.dialect.name != "sqlite" or "mode=ro" in str(engine.url):
        return None
    path = engine.url.database
    if path in (None, "", ":memory:"):
        return None
    file = Path(path)
    if file.exists():
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one():
                return None
    engine.dispose()  # the last connection to a WAL file removes its -wal and -shm
    if in_use_elsewhere(file):
        return None
    return file


def in_use_elsewhere(file: Path) -> bool:
    """Returns True when a SQLite file's -wal or -shm exists (a connection has it open)."""
    return any(Path(f"{file}{suffix}").exists() for suffix in ("-wal", "-shm"))


def remove_sqlite_file(file: Path) -> None:
    """Deletes a SQLite file and its journal, WAL and shared-memory files (any missing)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)


def _immutable(path: str) -> str:
    """Returns "&immutable=1" when the file's folder cannot be written, else "".

    On a read-only file system (a mounted backup) SQLite could not create the WAL index it
    reads through, and nothing can change the file there.
    """
    folder = Path(path).resolve().parent
    return "" if os.access(folder, os.W_OK) else "&immutable=1"


def _make_engine(url: str, read_only: bool) -> Engine:
    if _is_sqlite(url):
        path = _sqlite_path(url)
        if path is None:
            # In-memory: one shared connection so every caller sees the same database.
            engine = create_engine(
                "sqlite://",
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
        elif read_only:
            if not Path(path).exists():
                raise DatabaseUnavailable(
                    f"Can't reach the database ({masked_url(url)}): the file does not exist. "
                    "Run `salesops demo` or `salesops db init` first."
                )
            engine = create_engine(
                f"sqlite:///file:{Path(path).resolve()}?mode=ro{_immutable(path)}&uri=true",
                connect_args={"check_same_thread": False},
            )
            event.listen(engine, "connect", _set_sqlite_read_only)
            _watch_sqlite_file(engine, path)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False})
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=1800)
    if read_only and make_url(url).get_backend_name() == "postgresql":
        event.listen(engine, "connect", _set_postgres_read_only)
    return engine


READERS = 2  # reads one page runs side by side: the machine's cores (see side_by_side)


def side_by_side(engine: object) -> int:
    """Returns how many reads may run at once on `engine`, each from its own thread.

    READERS for a pool of connections (SQLite releases the GIL while it reads; PostgreSQL
    works in its own processes); 1 for in-memory SQLite's one shared connection, or for
    anything that is not an engine.
    """
    pool = getattr(engine, "pool", None)
    if not isinstance(engine, Engine) or pool is None or isinstance(pool, StaticPool):
        return 1
    return READERS


def init_schema(engine: Engine) -> None:
    """Creates this salesops' schema in a database that has none (an existing one is kept).

    A database that already holds salesops tables is left as it is: `salesops db upgrade`
    brings an older one up to date (see salesops/db/migrate.py).
    """
    from salesops.db.migrate import create_current_schema

    try:
        if not has_schema(engine):
            create_current_schema(engine)
    except DATABASE_FAILURES as exc:
        raise translate(exc, _engine_url(engine)) from exc


def outdated_schema(state: SchemaState) -> str | None:
    """Returns the sentence asking for `salesops db upgrade` when `state` is not current."""
    if state.is_current:
        return None
    from salesops.db.migrate import head_revision

    return (
        f"Database needs migration (schema {state.label}, this salesops expects "
        f"{schema.SCHEMA_VERSION} / revision {head_revision()}): run `salesops db upgrade`."
    )


def require_current_schema(engine: Engine) -> None:
    """Raises SchemaMissing when the database's schema is older than this salesops'."""
    from salesops.db.migrate import schema_state

    try:
        with engine.connect() as conn:
            problem = outdated_schema(schema_state(conn))
    except DATABASE_FAILURES as exc:
        raise translate(exc, _engine_url(engine)) from exc
    if problem:
        raise SchemaMissing(problem)


def has_schema(engine: Engine) -> bool:
    """Returns True if the salesops tables exist in the database.

    A database that cannot be read raises the DatabaseError saying why (never "no tables").
    """
    try:
        with engine.connect() as conn:
            return "opportunities" in inspect(conn).get_table_names()
    except DATABASE_FAILURES as exc:
        raise translate(exc, _engine_url(engine)) from exc


def _engine_url(engine: Engine) -> str:
    """Returns the engine's URL with its password (translate masks it before showing)."""
    return engine.url.render_as_string(hide_password=False)


def _iso_days(values: pd.Series) -> list[object]:
    """Returns a datetime column as ISO day text ('2024-05-31'), None where missing."""
    if isinstance(values.dtype, np.dtype):
        # numpy writes ISO days ten times faster than strftime
        days = values.to_numpy().astype("datetime64[D]")
        cells: list[object] = np.datetime_as_string(days).tolist()
        for i in np.flatnonzero(np.isnat(days)):
            cells[i] = None
        return cells
    text = values.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)  # with a time zone
    cells = text.tolist()
    for i in np.flatnonzero(pd.isna(text)):
        cells[i] = None
    return cells


def _python_column(values: pd.Series) -> list[object]:
    """Returns one column as plain Python values (int, float, bool, str), None where missing.

    A datetime column comes out as ISO days (_iso_days).
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _iso_days(values)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iub":
        return values.to_numpy().tolist()  # never missing
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        array = values.to_numpy()
        cells: list[object] = array.tolist()
        for i in np.flatnonzero(np.isnan(array)):
            cells[i] = None
        return cells
    array = values.to_numpy(dtype=object)
    cells = array.tolist()
    # a string column knows its missing cells (Arrow's validity bitmap): no pass over objects
    missing = values.isna() if isinstance(values.dtype, pd.StringDtype) else pd.isna(array)
    for i in np.flatnonzero(missing):
        cells[i] = None
    return cells


def _python_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Returns the frame's rows as tuples of plain Python values, None where missing.

    Converted column by column: a numeric column goes to Python numbers in one call, where
    converting the whole frame to objects first boxes every cell twice.
    """
    return list(zip(*(_python_column(frame[c]) for c in frame.columns), strict=True))


# COPY's text format: a value holding one of these characters has them written as escapes.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_escaped(text: str) -> str:
    for char, escaped in _COPY_ESCAPES:
        text = text.replace(char, escaped)
    return text


def _copy_column(values: pd.Series) -> list[str]:
    r"""Returns one column as COPY text: str() of each value, escaped, \N where missing.

    A datetime column is written as ISO days (_iso_days).
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return ["\\N" if v is None else str(v) for v in _iso_days(values)]
    cells = values.to_numpy(dtype=object)
    text = list(map(str, cells))
    if _COPY_SPECIAL.search("\x00".join(text)):
        text = [_copy_escaped(v) for v in text]
    for i in np.flatnonzero(pd.isna(cells)):
        text[i] = "\\N"
    return text


def _copy_text(frame: pd.DataFrame) -> str:
    r"""Returns the frame's rows in COPY's text format (tab-separated lines, \N for missing).

    Values are written as str() writes them (ISO dates, Python's shortest float, True/False),
    which is what PostgreSQL reads back as the same value.
    """
    columns = [_copy_column(frame[c]) for c in frame.columns]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


# Rows per COPY write: the server stores a block while the next one is written as text (in
# one write of 50k rows it waited for the whole text, and the import for the server after).
COPY_BLOCK = 5_000


def bulk_insert(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    chunk: int = 50_000,
    *,
    freeze: bool = False,
) -> int:
    """Inserts every row of `frame` (columns named as in `table`) and returns the row count.

    Dates are ISO strings, None, or datetime columns (written as ISO days, converted with
    the other values in one pass per column). PostgreSQL uses COPY; SQLite the driver's
    executemany of INSERTs of many rows each (salesops.db.sqlite_rows; bound parameters).
    `freeze`, for a table emptied by empty_tables in this transaction: PostgreSQL writes the
    rows already frozen (COPY FREEZE), so the first queries to read them (the rollups) do
    not rewrite every page to set its visibility hints.
    """
    columns = list(frame.columns)
    if frame.empty:
        return 0
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        copy = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(" WITH (FREEZE)" if freeze else ""),
        )
        raw = conn.connection.driver_connection
        assert raw is not None  # a live connection inside a transaction
        block = min(chunk, COPY_BLOCK)
        with raw.cursor() as cursor, cursor.copy(copy) as writer:
            for start in range(0, len(frame), block):
                writer.write(_copy_text(frame.iloc[start : start + block]))
        return len(frame)
    quote = conn.dialect.identifier_preparer.quote
    names = [quote(c) for c in columns]  # our schema's names, quoted where SQL needs it
    driver = conn.connection.driver_connection
    assert driver is not None  # a live connection inside a transaction
    cursor = driver.cursor()
    try:
        for start in range(0, len(frame), chunk):
            rows = _python_rows(frame.iloc[start : start + chunk])
            insert_sqlite_rows(cursor, quote(table.name), names, rows)
    finally:
        cursor.close()
    return len(frame)


def next_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Returns `count` new ids for rows about to be inserted into `table` on this connection.

    PostgreSQL draws them from the table's id sequence; SQLite continues after the highest
    id, as its own row ids do (the caller's transaction has written, so SQLite lets no
    other writer in until it ends).
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar()
        raw = conn.connection.driver_connection
        assert raw is not None  # a live connection inside a transaction
        with raw.cursor() as cursor:  # a million ids: the driver's rows, not SQLAlchemy's
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, count)
            )
            return [int(row[0]) for row in cursor.fetchall()]
    highest = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(int(highest) + 1, int(highest) + 1 + count))


def set_aside_constraints(
    conn: Connection, tables: list[Table], *, unique: bool = True, primary: bool = False
) -> list[tuple[str, str, str]]:
    """PostgreSQL: drops `tables`' foreign keys and unique constraints; returns them to restore.

    A bulk load into a table with them checks every row (a trigger per foreign key, an index
    insert per unique constraint); restore_constraints adds them back after the load, each
    checked once over the whole table. `unique=False` keeps the unique constraints (the
    load still looks rows up by them); `primary=True` drops the primary key too (a table no
    other table's foreign key refers to). Returns (table, name, definition) rows, foreign
    keys first. Other dialects keep theirs (returns []).
    """
    if conn.dialect.name != "postgresql" or not tables:
        return []
    kinds = ["f", *(["p"] if primary else []), *(["u"] if unique else [])]
    from psycopg import sql

    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT cl.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class cl ON cl.oid = c.conrelid "
            "WHERE c.contype::text = ANY(%s) AND c.conrelid = ANY(%s::regclass[]) "
            "ORDER BY c.contype, cl.relname, c.conname",  # 'f' before 'p' before 'u'
            (kinds, [t.name for t in tables]),
        )
        constraints = [(str(r[0]), str(r[1]), str(r[2])) for r in cursor.fetchall()]
        for table, name, _ in constraints:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
    return constraints


def restore_constraints(conn: Connection, constraints: list[tuple[str, str, str]]) -> None:
    """Adds back what set_aside_constraints dropped: unique, primary, then foreign keys.

    Each is checked against the rows now in the table: a violation raises (and the caller's
    transaction rolls back).
    """
    if not constraints:
        return
    from psycopg import sql

    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    with raw.cursor() as cursor:
        for table, name, definition in reversed(constraints):
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    sql.Identifier(table),
                    sql.Identifier(name),
                    sql.SQL(definition),  # pg_get_constraintdef's text, not user input
                )
            )


def analyze(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: refreshes the planner's statistics of `tables` (after a bulk load).

    Queries that run right after a load (the rollups) would otherwise be planned on the
    empty tables' statistics until autovacuum gets round to them. Other dialects: nothing.
    """
    if conn.dialect.name != "postgresql" or not tables:
        return
    from psycopg import sql

    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    with raw.cursor() as cursor:
        cursor.execute(
            sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(sql.Identifier(t.name) for t in tables))
        )


def empty_tables(conn: Connection, tables: list[Table]) -> None:
    """Deletes every row of `tables` (all tables that reference them must be in the list).

    PostgreSQL truncates them in one statement (no dead rows left for a rebuilt demo of
    millions of rows; undone by a rollback like a DELETE) and restarts their id sequences,
    so rows inserted after get the ids a new database gives them; other dialects DELETE,
    children first (SQLite's next rowid of an empty table is 1 again).
    """
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        raw = conn.connection.driver_connection
        assert raw is not None  # a live connection inside a transaction
        with raw.cursor() as cursor:
            cursor.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(sql.Identifier(t.name) for t in tables)
                )
            )
        return
    order = [t for t in reversed(schema.metadata.sorted_tables) if t in tables]
    for table in order:
        conn.execute(delete(table))


def reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, moves each id sequence past the max id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        conn.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0) + 1,
                    False,
                )
            )
        )
