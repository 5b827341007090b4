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

from sqlalchemy import Connection

# SQLite's page cache while an import writes (index pages of a big upsert stay in memory),
# and while it refreshes the rollups, whose sorts are bounded by it (each GROUP BY's sorter
# may hold this much before spilling to a temporary file).
WRITE_CACHE_KIB = 65_536
ROLLUP_CACHE_KIB = 16_384


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
