"""Building indexes over big tables after a bulk load, with SQLite's sorter kept small.

SQLite sorts an index's keys in memory runs as large as the connection's page cache and
merges them: with runs of 64 MiB (an import's write cache) an index over a million deals
took 1.1-1.6 s CPU; with runs of 2 MiB, which stay in the processor's caches, 0.5-0.65 s.
The page cache gains nothing from being large meanwhile (the table is read once in order,
the index written once in order), so it is made small for the builds and set back after.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Index

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
