"""A full rebuild of rollup_stage_stays in one pass over the history (salesops.db.rollups_stays)
gives the rows of its select (rollups_review.stage_stays_select), on SQLite and PostgreSQL:
on the tiny demo after a full refresh, and on a history made of the hard cases (ties on a
day broken by id, a return to an earlier stage, repeats of one stage, one-row deals, a
deal split across read batches, timestamps stored as text on SQLite)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesops.db import rollups_stays
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.rollups import refresh_rollups
from salesops.db.rollups_review import stage_stays_select
from tests.conftest import insert


def _rows(conn: sa.Connection, stmt: sa.Select) -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in conn.execute(stmt))


def _from_select(conn: sa.Connection) -> list[tuple]:
    return _rows(conn, stage_stays_select())


def _in_rollup(conn: sa.Connection) -> list[tuple]:
    return _rows(conn, sa.select(s.rollup_stage_stays))


def _indexes(conn: sa.Connection) -> set[str]:
    found = sa.inspect(conn).get_indexes(s.rollup_stage_stays.name)
    return {str(index["name"]) for index in found}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_full_refresh_writes_the_selects_stays(
    kind: str, tiny_demo_copy: Callable[[str], str]
) -> None:
    engine = make_engine(tiny_demo_copy(kind))
    with engine.begin() as conn:  # not what the history gives: the refresh must replace it
        conn.execute(sa.delete(s.rollup_stage_stays).where(s.rollup_stage_stays.c.days > 20))
    refresh_rollups(engine)
    with engine.connect() as conn:
        expected = _from_select(conn)
        assert len(expected) > 100  # the tiny demo has stays: the comparison means something
        assert _in_rollup(conn) == expected
        assert {i.name for i in s.rollup_stage_stays.indexes} <= _indexes(conn)
    engine.dispose()


def _deals(engine: sa.Engine, count: int) -> None:
    """Writes deals 1..count of one account, in a stage of their own."""
    insert(engine, s.stages, [{"name": "Prospecting", "sort_order": 1, "probability": 0.1,
                               "is_closed": False, "is_won": False}])  # fmt: skip
    insert(engine, s.accounts, [{"id": 1, "name": "Acme"}])
    deal = {"account_id": 1, "stage": "Prospecting", "outcome": "open"}
    opportunities = [
        {"id": d, "name": f"Deal {d}", "created_at": date(2025, 1, 1), **deal}
        for d in range(1, count + 1)
    ]
    insert(engine, s.opportunities, opportunities)


def _history(start: date) -> list[dict]:
    """History rows of five deals, ids out of date order (ties and returns included)."""
    stages = {
        1: ["Prospecting", "Qualification", "Qualification", "Proposal", "Qualification"],
        2: ["Prospecting"],  # one row: no ended stay
        3: ["Prospecting", "Prospecting", "Prospecting"],  # never left its stage
        4: ["Qualification", "Proposal", "Negotiation", "Closed Won"],
        5: ["Proposal", "Prospecting", "Proposal", "Proposal", "Negotiation"],
    }
    days = {1: [0, 3, 3, 10, 40], 4: [0, 0, 5, 5], 5: [0, 7, 7, 9, 400]}  # ties on a day
    rows, next_id = [], 1000
    for deal, names in stages.items():
        for n, stage in enumerate(names):
            offset = days.get(deal, list(range(0, 30 * len(names), 30)))[n]
            next_id -= 7  # later rows get lower ids: the order is (changed_at, id), not id
            rows.append({"id": next_id, "opportunity_id": deal, "stage": stage, "outcome": "open",
                         "changed_at": start + timedelta(days=offset)})  # fmt: skip
    return rows


def test_the_hard_cases_give_the_selects_stays(engine: sa.Engine, monkeypatch) -> None:
    _deals(engine, 5)
    insert(engine, s.opportunity_history, _history(date(2025, 1, 1)))
    monkeypatch.setattr(rollups_stays, "BATCH", 3)  # deals split across batches
    with engine.begin() as conn:
        written = rollups_stays.rebuild_stage_stays(conn)
        expected = _from_select(conn)
        assert written == len(expected) > 5
        assert _in_rollup(conn) == expected


def test_timestamps_stored_as_text_round_as_sqlite_does(tmp_path) -> None:
    from salesops.db.engine import init_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'text.db'}")
    init_schema(engine)
    _deals(engine, 1)
    moments = ["2025-01-01 08:00:00", "2025-01-03T20:00:00", "2025-01-05 08:00:00",
               "2025-01-05 08:00:00Z", "2025-01-09 07:59:59.500"]  # fmt: skip
    stages = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Prospecting"]
    with engine.begin() as conn:
        for n, (moment, stage) in enumerate(zip(moments, stages, strict=True)):
            conn.exec_driver_sql(
                "INSERT INTO opportunity_history (id, opportunity_id, changed_at, stage, outcome)"
                " VALUES (?, 1, ?, ?, 'open')",
                (n + 1, moment, stage),
            )
    with engine.begin() as conn:
        rollups_stays.rebuild_stage_stays(conn)
        raw = conn.exec_driver_sql("SELECT * FROM rollup_stage_stays ORDER BY history_id")
        mine = [tuple(row) for row in raw]
        conn.execute(sa.delete(s.rollup_stage_stays))
        columns = [c.name for c in s.rollup_stage_stays.columns]
        conn.execute(sa.insert(s.rollup_stage_stays).from_select(columns, stage_stays_select()))
        raw = conn.exec_driver_sql("SELECT * FROM rollup_stage_stays ORDER BY history_id")
        theirs = [tuple(row) for row in raw]
    assert len(theirs) == 4
    assert mine == theirs
    engine.dispose()
