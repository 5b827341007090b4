"""Dialect-specific inserts for imports: upsert on (source, external_id) and insert-or-ignore.

SQLite and PostgreSQL each get their dialect's insert(); other dialects are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    String,
    Table,
    Update,
    any_,
    bindparam,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from salesops.importing.records import in_batches

# values per statement on PostgreSQL, given as one array parameter (= ANY): an IN list of
# 2,000 bound values was parsed and planned per statement (100 statements per 200k deals
# looked up or replaced: 7.3 s of a 1M-row history import, now about 1 s)
ARRAY_BATCH = 50_000


def _dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """Returns the dialect's INSERT for `table` (the one with ON CONFLICT)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(  # pragma: no cover - only SQLite and PostgreSQL are supported
        f"Imports need SQLite or PostgreSQL, not {dialect}."
    )


def upsert_statement(
    conn: Connection, table: Table, columns: Sequence[str]
) -> postgresql.Insert | sqlite.Insert:
    """Returns INSERT ... ON CONFLICT (source, external_id) DO UPDATE for the dialect."""
    stmt = _dialect_insert(conn, table)
    updates = {c: stmt.excluded[c] for c in columns if c not in ("source", "external_id")}
    if not updates:
        return stmt.on_conflict_do_nothing(index_elements=["source", "external_id"])
    return stmt.on_conflict_do_update(index_elements=["source", "external_id"], set_=updates)


def update_by_key(table: Table, columns: Sequence[str]) -> Update:
    """Returns UPDATE table SET columns WHERE (source, external_id) = the row's.

    Parameters are named `k_<column>` (`k_source`, `k_external_id`, `k_amount`...). Used for
    rows known to exist: unlike an upsert it needs no value for the NOT NULL columns a
    partial file (invoices updating orders) does not have.
    """
    values: dict[str, object] = {
        c: bindparam(f"k_{c}") for c in columns if c not in ("source", "external_id")
    }
    return (
        update(table)
        .where(table.c.source == bindparam("k_source"))
        .where(table.c.external_id == bindparam("k_external_id"))
        .values(values)
    )


def upsert_on(
    conn: Connection, table: Table, index_elements: list[str], columns: Sequence[str]
) -> postgresql.Insert | sqlite.Insert:
    """Returns INSERT ... ON CONFLICT (index_elements) DO UPDATE SET `columns` for the dialect."""
    stmt = _dialect_insert(conn, table)
    return stmt.on_conflict_do_update(
        index_elements=index_elements, set_={c: stmt.excluded[c] for c in columns}
    )


def insert_ignore(
    conn: Connection, table: Table, index_elements: list[str]
) -> postgresql.Insert | sqlite.Insert:
    """Returns INSERT ... ON CONFLICT (index_elements) DO NOTHING for the connection's dialect."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)


def among_batches(conn: Connection, values: Sequence) -> Iterable[Sequence]:
    """Yields `values` in slices, each for one `among` condition (larger on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        return in_batches(values, ARRAY_BATCH)
    return in_batches(values)


def among(conn: Connection, column: ColumnElement, values: Sequence) -> ColumnElement[bool]:
    """Returns `column IN values`; on PostgreSQL `column = ANY(array)`, one bound parameter."""
    if conn.dialect.name != "postgresql":
        return column.in_(values)
    kind = BigInteger() if issubclass(column.type.python_type, int) else String()
    return column == any_(bindparam(None, list(values), type_=ARRAY(kind)))
