"""A full rollup refresh with the helper connection gives the rows of one connection alone.

refresh_rollups (demo build, `db upgrade`) hands some rollups' selects to a second
connection (salesops.db.rollup_helper) and copies their rows in: every rollup table must
hold the same rows as a refresh without the helper, the refresh must still commit or roll
back whole, and the scratch area must be gone afterwards. SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from salesops.db import rollup_helper
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.rollups import refresh_rollups
from tests.integration.helper_copies import helper_copies

ROLLUPS = sorted(t for t in s.metadata.tables if t.startswith("rollup_"))


def _row(row: sa.Row) -> tuple:
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def _key(row: tuple) -> tuple:
    return tuple((v is not None, str(v)) for v in row)


def contents(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: sorted(
                (_row(r) for r in conn.execute(sa.select(s.metadata.tables[name]))), key=_key
            )
            for name in ROLLUPS
        }


@pytest.fixture
def scratches(monkeypatch: pytest.MonkeyPatch) -> list[rollup_helper._Scratch]:
    """Records every scratch area the helper makes (to check it is gone afterwards)."""
    made: list[rollup_helper._Scratch] = []
    real_new = rollup_helper._Scratch.new

    def new(dialect: str) -> rollup_helper._Scratch:
        made.append(real_new(dialect))
        return made[-1]

    monkeypatch.setattr(rollup_helper._Scratch, "new", staticmethod(new))
    return made


def _left(engine: sa.Engine, made: list[rollup_helper._Scratch]) -> list[str]:
    """Returns the scratch files or schemas of `made` still there."""
    assert made  # the helper ran
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT nspname FROM pg_namespace")).scalars()
            return sorted(set(rows) & {m.schema for m in made})
    return [m.path for m in made if m.path and os.path.exists(m.path)]


def _attached(engine: sa.Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as conn:
        return [r[1] for r in conn.exec_driver_sql("PRAGMA database_list")]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_helper_gives_the_rows_of_one_connection(
    kind: str,
    tiny_demo_copy: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    scratches: list[rollup_helper._Scratch],
) -> None:
    engine = make_engine(tiny_demo_copy(kind))
    counts_alone = refresh_rollups(engine, helper=False)
    alone = contents(engine)
    copied = helper_copies(monkeypatch)
    with engine.begin() as conn:  # the refresh must write every row itself
        for name in ROLLUPS:
            conn.execute(sa.delete(s.metadata.tables[name]))
    counts = refresh_rollups(engine)
    helped = contents(engine)
    assert sorted(copied) == sorted(rollup_helper.helped_names(engine.dialect.name))
    assert counts == counts_alone
    for name in ROLLUPS:
        assert helped[name] == alone[name], name
    assert any(alone[name] for name in copied)  # the comparison compares something
    assert _left(engine, scratches) == []
    assert _attached(engine) in ([], ["main"])
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_failing_helper_leaves_every_rollup_as_it_was(
    kind: str,
    tiny_demo_copy: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    scratches: list[rollup_helper._Scratch],
) -> None:
    engine = make_engine(tiny_demo_copy(kind))
    before = contents(engine)
    with engine.begin() as conn:  # a rollup the main connection rebuilds: must come back
        conn.execute(sa.delete(s.rollup_open_pipeline))
    emptied = contents(engine)
    assert emptied != before
    last = rollup_helper.HELPED[-1]

    def failing(self, conn):  # type: ignore[no-untyped-def]
        steps = self.steps
        self.steps = [st for st in steps if st.table.name != last]
        real_compute(self, conn)
        raise RuntimeError("the helper's connection was lost")

    real_compute = rollup_helper.Helper._compute
    monkeypatch.setattr(rollup_helper.Helper, "_compute", failing)
    with pytest.raises(RuntimeError, match="connection was lost"):
        refresh_rollups(engine)
    assert contents(engine) == emptied  # nothing of the refresh was committed
    assert _left(engine, scratches) == []
    assert _attached(engine) in ([], ["main"])
    engine.dispose()


def test_no_helper_for_an_in_memory_database() -> None:
    engine = make_engine("sqlite://")
    assert not rollup_helper.can_help(engine)
