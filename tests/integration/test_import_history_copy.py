"""New deals' first history rows copied by the database (HistoryWriter._copy_new) are the rows
the frame path writes (HistoryWriter._insert_new), and so is everything built from them."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.engine import init_schema, make_engine
from salesops.importing.history import HistoryWriter
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput, ReadSettings
from salesops.importing.report import import_files
from tests.conftest import _truncate

HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501
STAGES = [
    "Prospecting",
    "Qualification",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]
SETTINGS = ReadSettings(chunk_rows=250)  # several chunks: several id ranges per file
# every table the deals' history reaches (with the deals themselves)
TABLES = [
    s.opportunities,
    s.opportunity_history,
    s.rollup_history_spans,
    s.rollup_stage_stays,
    s.rollup_stage_entries,
    s.rollup_stage_outcomes,
]


def deals_csv(name: str, first: int, count: int, seed: int) -> CsvInput:
    """Deals first..first+count: open and closed, closed the day they opened, no amount."""
    rng = random.Random(seed)
    rows = []
    for n in range(first, first + count):
        created = date(2023, 1, 1) + timedelta(days=rng.randrange(500))
        kind = n % 7
        closed = created if kind == 0 else created + timedelta(days=rng.randrange(1, 200))
        stage = STAGES[4] if kind == 1 else rng.choice(STAGES)
        amount = "" if kind == 2 else str(rng.randrange(100, 90_000))
        cells = [f"006{n:07d}", f"Deal {n}", f"Account {n % 40}", f"Rep {n % 9}"]
        rows.append(",".join([*cells, str(created), str(closed), stage, amount]))
    return CsvInput(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def changed_csv(source: CsvInput, seed: int) -> CsvInput:
    """The same deals, a third of them moved on (stage, amount): history rows of changes."""
    rng = random.Random(seed)
    lines = source.data.decode().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if rng.random() < 0.33:
            cells[6] = rng.choice(STAGES)
            cells[7] = str(rng.randrange(100, 90_000))
        out.append(",".join(cells))
    return CsvInput("changed.csv", ("\n".join(out) + "\n").encode())


def import_all(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Imports new deals, changes to some, then more new deals; returns every row of TABLES."""
    context = ValidationContext(as_of=date(2024, 9, 1))
    first = deals_csv("deals.csv", 0, 1_200, seed=3)
    for files in ([first], [changed_csv(first, seed=4)], [deals_csv("more.csv", 1_200, 700, 5)]):
        outcome = import_files(engine, files, "salesforce", settings=SETTINGS, context=context)
        assert outcome.written, outcome.message
    rows: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            result = conn.execute(sa.select(table)).all()
            rows[table.name] = sorted((tuple(r) for r in result), key=repr)
    return rows


def test_copied_first_history_rows_are_the_frame_paths_rows(engine, monkeypatch):
    copied: list[int] = []
    copy_new = HistoryWriter._copy_new

    def counting(self, new, first, last, initial):
        copied.append(len(new))
        return copy_new(self, new, first, last, initial)

    monkeypatch.setattr(HistoryWriter, "_copy_new", counting)
    by_copy = import_all(engine)
    assert sum(copied) == 1_900  # every new deal's rows were copied, none from the frame

    if engine.dialect.name == "postgresql":
        _truncate(engine)  # and the id sequences back to 1, as for the first run
        other = engine
    else:
        other = make_engine("sqlite://")
        init_schema(other)
    monkeypatch.setattr(
        HistoryWriter, "_copy_new", lambda self, new, first, last, initial: pytest.fail("copied")
    )
    monkeypatch.setattr(HistoryWriter, "_write_new", frame_only)
    by_frame = import_all(other)

    assert len(by_copy[s.opportunity_history.name]) > 1_900 + 300  # closed and changed rows too
    for table in TABLES:
        assert by_copy[table.name] == by_frame[table.name], table.name


def frame_only(self: HistoryWriter, plan, new) -> int:
    """HistoryWriter._write_new as it was: every new deal's rows written from the frame."""
    return self._insert_new(new, self._initial_open_stage(plan.layout))
