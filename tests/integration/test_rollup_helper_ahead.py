"""The rollup helper started ahead: computing while a new SQLite demo file's indexes are built.

salesops.demo.load._build_beside commits the tables, starts the helper
(rollup_helper.start_ahead) and builds the indexes meanwhile. The helper computes the
rollups whose plan uses no index of the loaded tables first and waits for the indexes
before the others, so every rollup gets the rows (and the plan) of a build without it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.db import rollup_helper, rollup_steps
from salesops.db import schema as s
from salesops.db.engine import init_schema, make_engine
from salesops.db.rollups import refresh_rollups
from salesops.demo import generate_demo, load
from tests.integration.helper_copies import helper_copies

ROLLUPS = sorted(t for t in s.metadata.tables if t.startswith("rollup_"))


def _plans(path: Path) -> dict[str, list[str]]:
    """Returns each rollup step's EXPLAIN QUERY PLAN lines on the SQLite file `path`."""
    dialect = make_engine("sqlite://").dialect
    plans = {}
    with closing(sqlite3.connect(path)) as conn:
        for step in rollup_steps.plan():
            sql = str(step.select.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans[step.table.name] = [str(row[3]) for row in rows]
    return plans


def test_the_early_rollups_are_planned_alike_without_the_indexes(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    engine = make_engine(f"sqlite:///{path}")
    init_schema(engine)
    engine.dispose()
    indexed = _plans(path)
    with closing(sqlite3.connect(path)) as conn:
        for index in load._loaded_indexes():
            conn.execute(f"DROP INDEX {index.name}")
        conn.commit()
    bare = _plans(path)
    assert set(rollup_helper.PLANS_WITHOUT_INDEXES) <= set(rollup_helper.HELPED_AHEAD)
    for name in rollup_helper.PLANS_WITHOUT_INDEXES:
        assert bare[name] == indexed[name], name
    # the check can fail: some helped rollup's plan does use an index
    assert any(bare[name] != indexed[name] for name in rollup_helper.HELPED_AHEAD)


def _contents(path: Path, tables: list[str]) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in tables
        }


def test_a_new_file_built_with_the_helper_ahead_equals_one_refreshed_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    copied = helper_copies(monkeypatch)
    generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    engine.dispose()
    assert sorted(copied) == sorted(rollup_helper.HELPED_AHEAD)
    with closing(sqlite3.connect(target)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {index.name for index in load._loaded_indexes()} <= names
    alone = tmp_path / "alone.db"
    shutil.copy(target, alone)
    alone_engine = make_engine(f"sqlite:///{alone}")
    refresh_rollups(alone_engine, helper=False)
    alone_engine.dispose()
    built, refreshed = _contents(target, ROLLUPS), _contents(alone, ROLLUPS)
    assert any(built[name] for name in rollup_helper.HELPED_AHEAD)
    for name in ROLLUPS:
        assert built[name] == refreshed[name], name


def test_the_helper_ahead_waits_for_the_indexes_before_the_other_rollups(
    tiny_demo_copy: Callable[[str], str],
) -> None:
    engine = make_engine(tiny_demo_copy("sqlite"))
    helper = rollup_helper.start_ahead(engine)
    assert helper is not None
    try:
        deadline = time.monotonic() + 60
        early = set(rollup_helper.PLANS_WITHOUT_INDEXES)
        while not early <= set(helper.seconds) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert set(helper.seconds) == early  # the others wait for the indexes
        helper.indexes_built()
        helper.wait()
        computed = set(helper.seconds) - {"waiting for the indexes"}
        assert computed == set(rollup_helper.HELPED_AHEAD)
    finally:
        helper.clean()
    assert helper.scratch.path is not None and not os.path.exists(helper.scratch.path)
    engine.dispose()


def test_a_failed_index_build_leaves_the_file_and_no_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.db"
    engine = make_engine(f"sqlite:///{target}")
    helpers: list[rollup_helper.Helper] = []
    real_start = rollup_helper.start_ahead

    def start(engine: sa.Engine) -> rollup_helper.Helper | None:
        helpers.append(real_start(engine))  # type: ignore[arg-type]
        return helpers[-1]

    def fail(conn: sa.Connection, indexes: object) -> None:
        raise RuntimeError("no room for the indexes")

    monkeypatch.setattr(load, "start_ahead", start)
    monkeypatch.setattr(load, "create_indexes", fail)
    with pytest.raises(RuntimeError, match="no room"):
        generate_demo(engine, "tiny", seed=5, progress=lambda f, m: None)
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir() if ".building-" in p.name) == []
    assert helpers and helpers[0] is not None
    path = helpers[0].scratch.path
    assert path is not None and not os.path.exists(path)
    engine.dispose()
