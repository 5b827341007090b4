"""Engines, schema creation and the read-only connection pages use.

Nothing else in the package calls `create_engine`. SQLite gets WAL, foreign keys
and a read-only URI mode; PostgreSQL gets pre-ping (so a restarted server is
reconnected without restarting the app) and read-only sessions for pages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from salesops.config import masked_url

if TYPE_CHECKING:
    from salesops.db.migrate import SchemaState
from salesops.db import schema

logger = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """A database problem explained in one sentence a user can act on."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached (server down, file missing, bad credentials)."""


class SchemaMissing(DatabaseError):
    """The database answers but has no salesops tables, or an older schema."""


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
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Returns an engine for `url`; `read_only=True` refuses every write at the driver level.

    A read-only SQLite engine needs the file to exist; it raises DatabaseUnavailable if not.
    """
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
                f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true",
                connect_args={"check_same_thread": False},
            )
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


def init_schema(engine: Engine) -> None:
    """Creates this salesops' schema in a database that has none (an existing one is kept).

    A database that already holds salesops tables is left as it is: `salesops db upgrade`
    brings an older one up to date (see salesops/db/migrate.py).
    """
    from salesops.db.migrate import create_current_schema

    try:
        if not has_schema(engine):
            create_current_schema(engine)
    except OperationalError as exc:
        raise DatabaseUnavailable(
            f"Can't reach the database ({masked_url(str(engine.url))}): {_first_line(exc)}"
        ) from exc


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

    with engine.connect() as conn:
        problem = outdated_schema(schema_state(conn))
    if problem:
        raise SchemaMissing(problem)


def has_schema(engine: Engine) -> bool:
    """Returns True if the salesops tables exist in the database."""
    try:
        with engine.connect() as conn:
            return "opportunities" in inspect(conn).get_table_names()
    except SQLAlchemyError:
        return False


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text.strip().splitlines()[0]


def _python_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Returns the frame's rows as lists of plain Python values, None where missing."""
    as_objects = frame.astype(object)
    return as_objects.where(frame.notna(), None).to_numpy().tolist()


def bulk_insert(conn: Connection, table: Table, frame: pd.DataFrame, chunk: int = 50_000) -> int:
    """Inserts every row of `frame` (columns named as in `table`) and returns the row count.

    Dates must already be ISO strings or None. PostgreSQL uses COPY; other dialects use the
    driver's executemany with the statement compiled by SQLAlchemy (bound parameters only).
    """
    columns = list(frame.columns)
    if frame.empty:
        return 0
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        raw = conn.connection.driver_connection
        assert raw is not None  # a live connection inside a transaction
        with raw.cursor() as cursor, cursor.copy(copy) as writer:
            for start in range(0, len(frame), chunk):
                for row in _python_rows(frame.iloc[start : start + chunk]):
                    writer.write_row(row)
        return len(frame)
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=columns)
    ordered = frame[list(compiled.positiontup or columns)]
    driver = conn.connection.driver_connection
    assert driver is not None  # a live connection inside a transaction
    cursor = driver.cursor()
    for start in range(0, len(ordered), chunk):
        cursor.executemany(str(compiled), _python_rows(ordered.iloc[start : start + chunk]))
    cursor.close()
    return len(frame)


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
