"""bulk_insert stores every row once on both databases (SQLite: many rows per INSERT, the
rest one at a time; a column named as an SQL keyword), and create_indexes builds the
indexes with SQLite's page cache set back as it was."""

from __future__ import annotations

from datetime import date

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.engine import bulk_insert
from salesops.db.index_builds import INDEX_BUILD_CACHE_KIB, create_indexes, keys_set_aside
from salesops.db.sqlite_rows import SQLITE_PARAMETERS

TABLE = s.rollup_quality_months  # (problem, month, count): "count" is an SQL keyword
PER_GROUP = SQLITE_PARAMETERS // len(TABLE.columns)


def _months(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "problem": [f"p{n % 3}" for n in range(count)],
            "month": [date(2000 + n // 12, n % 12 + 1, 1).isoformat() for n in range(count)],
            "count": list(range(count)),
        }
    )


@pytest.mark.parametrize("count", [1, PER_GROUP - 1, PER_GROUP, 2 * PER_GROUP + 7])
def test_bulk_insert_stores_every_row_once(engine: sa.Engine, count: int) -> None:
    frame = _months(count)
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(sa.delete(TABLE))
        assert bulk_insert(conn, TABLE, frame, chunk=PER_GROUP + 3) == count
        stored = sorted(tuple(r) for r in conn.execute(sa.select(TABLE)))
        transaction.rollback()
    expected = sorted((p, date.fromisoformat(m), c) for p, m, c in frame.itertuples(index=False))
    assert stored == expected


def test_create_indexes_builds_them_and_sets_the_cache_back(engine: sa.Engine) -> None:
    table = s.rollup_stage_stays
    with engine.connect() as conn, conn.begin() as transaction:
        for index in table.indexes:
            index.drop(conn)
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-12345")
        create_indexes(conn, table.indexes)
        built = {i["name"] for i in sa.inspect(conn).get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= built
        if sqlite:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -12345
            assert INDEX_BUILD_CACHE_KIB < 12345
        transaction.rollback()


def _keys(conn: sa.Connection, table: sa.Table) -> tuple[set[str], list[str]]:
    found = sa.inspect(conn)
    indexes = {i["name"] for i in found.get_indexes(table.name)}
    return indexes, found.get_pk_constraint(table.name)["constrained_columns"]


def test_keys_set_aside_meanwhile_and_built_again(engine: sa.Engine) -> None:
    """Secondary indexes go while the rows go in (PostgreSQL's primary key too), then return."""
    table = s.rollup_quality_issues
    row = {"problem": "missing_amount", "entity_id": 7, "month": None, "due": None}
    with engine.connect() as conn, conn.begin() as transaction:
        before = _keys(conn, table)
        assert before[0] and before[1] == ["problem", "entity_id"]
        with keys_set_aside(conn, table):
            indexes, primary = _keys(conn, table)
            assert not indexes
            assert primary == ([] if conn.dialect.name == "postgresql" else before[1])
            conn.execute(sa.insert(table), [row])
        assert _keys(conn, table) == before
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 1
        transaction.rollback()


def test_keys_set_aside_refuse_a_duplicate_at_the_end(engine: sa.Engine) -> None:
    table = s.rollup_quality_issues
    row = {"problem": "missing_amount", "entity_id": 7, "month": None, "due": None}
    with (
        engine.connect() as conn,
        conn.begin(),
        # SQLite keeps its primary key (refused at the insert); PostgreSQL's, added back
        # through the driver, refuses the rows at the end
        pytest.raises((sa.exc.IntegrityError, psycopg.errors.UniqueViolation)),
        keys_set_aside(conn, table),
    ):
        conn.execute(sa.insert(table), [row, row])


def test_bulk_insert_writes_datetime_columns_as_their_days(engine: sa.Engine) -> None:
    table = s.rollup_quality_issues  # (problem, entity_id, month, due): two nullable dates
    count = 2 * (SQLITE_PARAMETERS // len(table.columns)) + 3  # full groups and single rows
    months = pd.Series(pd.date_range("2024-01-31 23:59:59", periods=count, freq="D"))
    months[1] = pd.NaT
    frame = pd.DataFrame(
        {
            "problem": "p",
            "entity_id": range(count),
            "month": months,  # datetime64, a time of day (dropped), one missing
            "due": months.dt.tz_localize("UTC"),  # with a time zone
        }
    )
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(sa.delete(table))
        assert bulk_insert(conn, table, frame, chunk=count - 2) == count
        stored = sorted(tuple(r) for r in conn.execute(sa.select(table)))
        transaction.rollback()
    days = [None if pd.isna(m) else m.date() for m in months]
    assert stored == [("p", n, days[n], days[n]) for n in range(count)]
