"""Building indexes over big tables after a bulk load, with SQLite's sorter kept small.

SQLite sorts an index's keys in memory runs as large as the connection's page cache and
merges them: with runs of 64 MiB (an import's write cache) an index over a million deals
took 1.1-1.6 s CPU; with runs of 2 MiB, which stay in the processor's caches, 0.5-0.65 s.
The page cache gains nothing from being large meanwhile (the table is read once in order,
the index written once in order), so it is made small for the builds and set back after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Index, Table

from salesops.db.engine import restore_constraints, set_aside_constraints

INDEX_BUILD_CACHE_KIB = 2_048  # SQLite's page cache, and so its sort runs, while indexing


def create_indexes(conn: Connection, indexes: Iterable[Index], checkfirst: bool = False) -> None:
    """Creates the indexes on the caller's connection (SQLite with a small sort run)."""
    indexes = list(indexes)
    if not indexes:
        return
    if conn.dialect.name != "sqlite":
        for index in indexes:
            index.create(conn, checkfirst=checkfirst)
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{INDEX_BUILD_CACHE_KIB}")  # ints of ours
    try:
        for index in indexes:
            index.create(conn, checkfirst=checkfirst)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


@contextlib.contextmanager
def keys_set_aside(conn: Connection, table: Table) -> Iterator[None]:
    """Fills an emptied table without its indexes meanwhile; builds them once afterwards.

    Secondary indexes are dropped on every database, PostgreSQL's primary key too (SQLite's
    cannot be): there, keeping a key up to date row by row cost more than the rows' insert
    (1.2M data-quality rows: 8.8-10.6 s with their keys, 1.8 s without and 3.6-4.3 s to
    build both afterwards, under load). Each key is checked once over the whole table
    afterwards (a duplicate raises, and the caller's transaction rolls back). On
    PostgreSQL the dropped keys lock the table against readers until the caller commits,
    as the history spans' and stage stays' rebuilds already locked theirs.
    """
    for index in table.indexes:
        index.drop(conn, checkfirst=True)
    constraints = set_aside_constraints(conn, [table], primary=True)
    yield
    restore_constraints(conn, constraints)
    create_indexes(conn, table.indexes)
