"""The rollups' bulk writer (salesops.db.rollups_call_cells) stores every row it is given, as
rows or as columns: on SQLite in groups of rows per INSERT and the rest one at a time, on
PostgreSQL as COPY text (labels with tabs and backslashes, NULLs)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesops.db import rollups_call_cells as cells
from salesops.db import schema as s
from salesops.db.sqlite_rows import SQLITE_PARAMETERS

# rollup_stage_stays has 6 columns: SQLite groups 150 rows per INSERT
PER_GROUP = SQLITE_PARAMETERS // len(s.rollup_stage_stays.columns)


def _stays(count: int) -> list[tuple]:
    start = date(2025, 1, 1)
    return [
        (n + 1, n % 7 + 1, "Qual\tif\\ied" if n % 2 else "Proposal",
         (start + timedelta(days=n)).isoformat(), (start + timedelta(days=n + 3)).isoformat(), 3)
        for n in range(count)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "count", [0, 1, PER_GROUP - 1, PER_GROUP, PER_GROUP + 1, 2 * PER_GROUP + 3]
)
def test_every_row_is_stored_once(engine: sa.Engine, count: int) -> None:
    table = s.rollup_stage_stays
    rows = _stays(2 * count)
    columns = [list(c) for c in zip(*rows[count:], strict=True)]
    with engine.connect() as conn, conn.begin() as transaction:
        assert cells.insert_rows(conn, table, rows[:count]) == count
        assert cells.insert_cells(conn, table, iter([columns] if count else [])) == count
        stored = sorted(tuple(r) for r in conn.execute(sa.select(table)))
        transaction.rollback()
    expected = [(*r[:3], date.fromisoformat(r[3]), date.fromisoformat(r[4]), r[5]) for r in rows]
    assert stored == expected
