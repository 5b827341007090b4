"""An import sets SQLite's page cache per phase (larger while writing, smaller for rollups)
and lets its sorter use helper threads."""

from __future__ import annotations

from sqlalchemy import create_engine

from salesops.importing import memory


def test_the_sqlite_page_cache_is_set_in_kib():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        memory.sqlite_cache(conn, memory.ROLLUP_CACHE_KIB)
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -memory.ROLLUP_CACHE_KIB


def test_the_sqlite_sorter_may_use_helper_threads():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == 0
        memory.sqlite_sort_threads(conn, memory.SQLITE_SORT_THREADS)
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == memory.SQLITE_SORT_THREADS
