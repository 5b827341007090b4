"""The demo load's COPY through Arrow (salesops.demo.pg_copy) stores what bulk_insert stores.

Every kind of value the demo writes, with the characters COPY's text format escapes, in
text format and in CSV (a value with a double quote): the same rows, value for value.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.db.engine import bulk_insert, make_engine
from salesops.demo.load import _for_insert
from salesops.demo.pg_copy import COPY_ROWS, copy_frame

pytestmark = pytest.mark.postgres


def _columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80)),
        sa.Column("amount", sa.Numeric(14, 2)),
        sa.Column("share", sa.Float),
        sa.Column("won", sa.Boolean),
        sa.Column("day", sa.Date),
        sa.Column("at", sa.DateTime),
        sa.Column("rep_id", sa.Integer),
    ]


AMOUNTS = np.array([1.005, 100.0, 1e-7, 12345678.9, 0.125, 2.675, -0.0])
NAMES = ["plain", "back\\slash", "tab\there", "new\nline", "cr\rhere", "\\N", "", None, "ünï"]


def _frame(rows: int, quote: bool) -> pd.DataFrame:
    """Returns a frame as the demo's generators give it (datetimes, float ids with NaN)."""
    n = np.arange(rows)
    names = [NAMES[i % len(NAMES)] for i in n]
    if quote:
        names[1] = 'say "hi"'
    return pd.DataFrame(
        {
            "id": n + 1,
            "name": pd.array(names, dtype="str"),
            # 1.005 is 1.00499... as a float: its shortest text rounds to 1.01, as str() does
            "amount": np.where(n % 6 == 0, np.nan, AMOUNTS[n % len(AMOUNTS)]),
            "share": np.where(n % 7 == 0, np.nan, 1 / (n + 3)),
            "won": n % 2 == 0,
            "day": pd.to_datetime("2024-01-31") + pd.to_timedelta(n % 400, unit="D"),
            "at": pd.to_datetime("2024-01-31 08:30:05") + pd.to_timedelta(n * 61, unit="s"),
            "rep_id": np.where(n % 3 == 0, np.nan, n % 11 + 1.0),
        }
    )


@pytest.fixture
def tables(postgres_url: str) -> Iterator[tuple[sa.Engine, sa.Table, sa.Table]]:
    engine = make_engine(postgres_url)
    meta = sa.MetaData()
    by_python = sa.Table("copy_check_python", meta, *_columns())
    by_arrow = sa.Table("copy_check_arrow", meta, *_columns())
    meta.create_all(engine)
    yield engine, by_python, by_arrow
    meta.drop_all(engine)
    engine.dispose()


@pytest.mark.parametrize("quote", [False, True], ids=["text", "csv"])
def test_copy_frame_stores_what_bulk_insert_stores(
    tables: tuple[sa.Engine, sa.Table, sa.Table], quote: bool
) -> None:
    engine, by_python, by_arrow = tables
    frame = _for_insert(_frame(COPY_ROWS + 17, quote))  # more than one block
    with engine.begin() as conn:
        assert bulk_insert(conn, by_python, frame) == len(frame)
        assert copy_frame(conn, by_arrow, frame, freeze=False) == len(frame)
    with engine.connect() as conn:
        expected = conn.execute(sa.select(by_python).order_by(by_python.c.id)).all()
        stored = conn.execute(sa.select(by_arrow).order_by(by_arrow.c.id)).all()
    assert len(stored) == COPY_ROWS + 17
    assert stored == expected
    assert {row.name for row in stored} >= {n for n in NAMES if n is not None}
    assert any(row.name is None for row in stored) and any(row.name == "" for row in stored)
    assert stored[0].day == date(2024, 1, 31) and stored[0].amount is None


def test_copy_frame_of_no_rows_writes_nothing(
    tables: tuple[sa.Engine, sa.Table, sa.Table],
) -> None:
    engine, _, by_arrow = tables
    with engine.begin() as conn:
        assert copy_frame(conn, by_arrow, _frame(0, False), freeze=False) == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(by_arrow)).scalar() == 0
