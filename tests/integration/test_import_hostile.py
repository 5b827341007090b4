"""Issue 20's import cases that need a database, on SQLite and PostgreSQL: one test per case.

Case 1: the rollups are rebuilt inside the import's transaction, so a kill right after the
rows are written leaves nothing behind (and a re-import is not "already imported").
Case 2: imports of one database serialise; the second is refused with one sentence and
the ledger keeps the first run's counts. Case 3: the database's column limits are checked
before writing, with row numbers. Case 15: importing into a database without tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.engine import DatabaseError
from salesops.importing.known import table_counts
from salesops.importing.reading import CsvInput, ReadSettings
from salesops.importing.report import import_files
from tests.conftest import own_database

HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501


def deals(prefix: str, count: int, stage: str = "Closed Won") -> CsvInput:
    rows = [
        f"{prefix}{i:04d},Deal {i},Acme {i % 3},Ann,2024-01-05,2024-02-0{1 + i % 9},{stage},{i}"
        for i in range(count)
    ]
    return CsvInput(f"{prefix}.csv", ("\n".join([HEADER, *rows]) + "\n").encode())


def won_in_rollups(engine: sa.Engine) -> tuple[int, int]:
    """Returns (won deals in the KPI rollup, won deals in the base table)."""
    with engine.connect() as conn:
        rolled = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(s.rollup_closed_opportunities.c.won), 0))
        ).scalar_one()
        base = conn.execute(
            sa.select(sa.func.count()).where(s.opportunities.c.outcome == "won")
        ).scalar_one()
    return int(rolled), int(base)


def test_case_1_a_kill_after_the_rows_are_written_leaves_no_stale_rollups(engine):
    first = import_files(engine, [deals("006A", 5)], "salesforce")
    assert first.written and won_in_rollups(engine) == (5, 5)
    before = table_counts(engine)

    def killed_while_refreshing(fraction: float, message: str) -> None:
        if message == "Refreshing KPI rollups":
            raise KeyboardInterrupt("kill -9")

    with pytest.raises(KeyboardInterrupt):
        import_files(engine, [deals("006B", 7)], "salesforce", progress=killed_while_refreshing)
    # the rows, the ledger and the rollups roll back together: nothing half-done
    assert table_counts(engine) == before
    assert won_in_rollups(engine) == (5, 5)
    again = import_files(engine, [deals("006B", 7)], "salesforce")
    assert again.written, again.message  # not "Already imported … Nothing to do"
    assert won_in_rollups(engine) == (12, 12)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """Returns a database two threads can write to at once: a SQLite file, or PostgreSQL."""
    with own_database(request, f"sqlite:///{tmp_path / 'shared.db'}") as engine:
        yield engine


def test_case_2_the_same_file_imported_twice_at_once_is_refused_once(shared_engine):
    file = deals("006C", 6)
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first_holds_the_import(fraction: float, message: str) -> None:
        if message.startswith("Importing") and not holding.is_set():
            holding.set()
            release.wait(60)

    def run(name: str, progress) -> None:
        try:
            results[name] = import_files(
                shared_engine,
                [file],
                "salesforce",
                settings=ReadSettings(chunk_rows=2),
                progress=progress,
            )
        except Exception as exc:  # the outcome under test: kept for the assertions
            results[name] = exc

    first = threading.Thread(target=run, args=("first", first_holds_the_import))
    first.start()
    assert holding.wait(60), "the first import never started writing"
    second = threading.Thread(target=run, args=("second", None))
    second.start()
    second.join(30)
    release.set()
    first.join(60)
    assert not second.is_alive(), "the second import waited for the first instead of refusing"
    refused = results["second"]
    assert isinstance(refused, DatabaseError)
    assert str(refused) == (
        "Another import is running on this database: nothing was written. Try again when it "
        "has finished."
    )
    assert results["first"].written, results["first"]
    with shared_engine.connect() as conn:
        ledger = conn.execute(sa.select(s.import_batches.c.rows_inserted)).scalars().all()
    assert ledger == [6]  # the first run's counts, not replaced by a second "0 inserted"
    assert table_counts(shared_engine)["opportunities"] == 6


def test_case_3_values_over_the_column_limits_are_row_errors_and_nothing_is_written(engine):
    long_id = "9" * 121
    rows = [
        f"{long_id},Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,10",
        "006E,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100000000000000000000000000",
        "006F,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,10",
    ]
    file = CsvInput("limits.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    before = table_counts(engine)
    dry = import_files(engine, [file], "salesforce", dry_run=True)
    assert [(i.row, i.column) for i in dry.report.errors] == [
        (2, "Opportunity ID"),
        (3, "Amount"),
    ]
    outcome = import_files(engine, [file], "salesforce")
    assert not outcome.written
    assert outcome.message.startswith(
        'Nothing imported: limits.csv row 2, Opportunity ID: "999999999999'
    )
    assert "expected at most 120 characters (this value has 121) (and 1 more problem)" in (
        outcome.message
    )
    assert table_counts(engine) == before


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """Returns a database that answers but has no salesops tables at all."""
    with own_database(request, f"sqlite:///{tmp_path / 'bare.db'}", with_schema=False) as engine:
        yield engine


def test_case_15_importing_into_a_database_without_tables(bare_engine):
    dry = import_files(bare_engine, [deals("006G", 3)], "salesforce", dry_run=True)
    assert dry.report.ok and not dry.written
    assert dry.message == (
        "Dry run: nothing written. The database has no salesops tables yet: importing creates them."
    )
    assert "opportunities" not in sa.inspect(bare_engine).get_table_names()
    outcome = import_files(bare_engine, [deals("006G", 3)], "salesforce")
    assert outcome.written, outcome.message
    assert table_counts(bare_engine)["opportunities"] == 3
