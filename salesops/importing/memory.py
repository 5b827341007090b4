"""Handing memory an import no longer uses back to the operating system between its phases.

A million-row file leaves its freed chunks in the C heap and in Arrow's pool (pandas' text
columns) after it is written; the rollups that follow would otherwise start from that
high-water mark. Nothing here changes what the import writes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, select

# SQLite's page cache while an import writes (index pages of a big upsert stay in memory),
# and while it refreshes the rollups, whose sorts are bounded by it (each GROUP BY's sorter
# may hold this much before spilling to a temporary file).
WRITE_CACHE_KIB = 65_536
ROLLUP_CACHE_KIB = 16_384
# Helper threads SQLite's sorter may use for the import's big sorts (the deferred index builds,
# the spans' ORDER BY, the rollups' GROUP BYs): they merge sorted runs beside the main thread.
# Measured quietly on 1M deals (first import): 3 of 3 pairs faster, median 100.1 -> 96.1 s,
# the main thread's CPU 8.6-12.5 s lower, peak RSS unchanged (bench/results/import-threads-ab.json).
SQLITE_SORT_THREADS = 2
# PostgreSQL's memory for each sort or hash of the import's statements (the rollups' GROUP
# BYs and windows; the server's default, 4 MB, has them spill to temporary files), and for
# each index it builds: for its transaction only (SET LOCAL), in the server, not here.
POSTGRES_WORK_MEM = "64MB"
POSTGRES_MAINTENANCE_WORK_MEM = "256MB"


@cache
def _trim() -> Any:
    """Returns glibc's malloc_trim, or None where the C library has none."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release_unused() -> None:
    """Returns freed heap and Arrow pool memory to the operating system (where it can)."""
    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except ImportError:  # pandas without pyarrow: nothing held there
        pass
    trim = _trim()
    if trim is not None:
        trim(0)


def sqlite_cache(conn: Connection, kib: int) -> None:
    """Sets the SQLite connection's page cache (no-op on other databases)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")  # an int of ours, not input


def sqlite_sort_threads(conn: Connection, threads: int) -> None:
    """Lets SQLite's sorter use `threads` helper threads on this connection (else no-op).

    Not transactional: the pooled connection keeps it, which only lets later big sorts on it
    use the helpers too.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA threads={int(threads)}")  # an int of ours, not input


def postgres_work_mem(conn: Connection) -> None:
    """Raises work_mem and maintenance_work_mem for a PostgreSQL transaction (else no-op).

    SET LOCAL: they go back to the server's when the transaction commits or rolls back.
    """
    if conn.dialect.name == "postgresql":
        for name, value in (
            ("work_mem", POSTGRES_WORK_MEM),
            ("maintenance_work_mem", POSTGRES_MAINTENANCE_WORK_MEM),
        ):
            conn.execute(select(func.set_config(name, value, True)))
