"""Shared by the tests that compare a rollup's read with the raw query it replaces."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from salesops.db.engine import make_engine
from salesops.repository import Repository


def demo_repository(request: pytest.FixtureRequest) -> Repository:
    """Returns a read-only Repository on the shared demo of the fixture's parameter's kind."""
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    return Repository(make_engine(url, read_only=True))


def assert_same_rows(
    got: pd.DataFrame, want: pd.DataFrame, keys: list[str], approx: list[str] | None = None
) -> None:
    """Asserts two frames hold the same rows in any order (sorted by `keys`, if any).

    Columns, dtypes and values must match exactly, except the `approx` columns (by default
    every column named like an amount), equal to a relative 1e-9: a sum read in another
    order differs in the last bits.
    """
    if keys:
        got = got.sort_values(keys, na_position="first").reset_index(drop=True)
        want = want.sort_values(keys, na_position="first").reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    if approx is None:
        approx = [c for c in want.columns if "amount" in c]
    approx = [c for c in approx if c in want.columns]
    exact = [c for c in want.columns if c not in approx]
    pd.testing.assert_frame_equal(got[exact], want[exact])
    for column in approx:
        assert got[column].to_numpy() == pytest.approx(want[column].to_numpy(), rel=1e-9)


def writable_demo_copy(demo_url: str, folder: Path) -> Engine:
    """Returns an engine on a writable SQLite copy of the shared demo (VACUUM INTO `folder`)."""
    path = folder / "copy.db"
    source = make_engine(demo_url)
    with source.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{path}'")
    source.dispose()
    return make_engine(f"sqlite:///{path}")
