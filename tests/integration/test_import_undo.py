"""Undoing an import batch on SQLite and PostgreSQL: the database exactly as before, audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from salesops.access import audit
from salesops.db import schema as s
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.importing.undo import UndoRefused, undo_import
from tests.integration.test_import_history import OH_HEADER, OH_ROWS
from tests.unit.importing.test_salesforce_api import OPP_HEADER, OPP_ROWS, salesforce_csv

CONTEXT = ValidationContext(as_of=date(2024, 7, 1))
HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501
SEED = [
    "006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000",
    "006B,Beta,Beta,Bob Ray,2024-01-10,2024-06-30,Negotiation/Review,500",
]


def deals(rows: list[str], name: str) -> CsvInput:
    return CsvInput(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def run(engine, *files, source="salesforce"):
    outcome = import_files(engine, list(files), source, context=CONTEXT, actor="ann@example.com")
    assert outcome.written, outcome.message
    return outcome


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes (ids included), for before/after equality."""
    tables = [
        s.territories, s.reps, s.accounts, s.leads, s.opportunities, s.opportunity_history,
        s.stages, s.orders, s.acquisition_spend, s.activity_types, s.activities, s.quotas,
        s.import_batches,
        s.rollup_closed_opportunities, s.rollup_history_spans,
    ]  # fmt: skip
    with engine.connect() as conn:
        return {
            t.name: sorted((tuple(str(v) for v in r) for r in conn.execute(sa.select(t))), key=str)
            for t in tables
        }


def test_undo_of_a_first_import_leaves_the_database_as_before(engine):
    before = snapshot(engine)
    outcome = run(engine, deals(SEED, "seed.csv"))
    assert outcome.batch is not None
    assert f"Batch {outcome.batch} (undo with `salesops import --undo {outcome.batch}`)" in (
        outcome.message
    )
    undone = undo_import(engine, outcome.batch, "ann@example.com")
    assert undone.deleted > 0
    assert snapshot(engine) == before
    entry = audit.recent(engine, 1).iloc[0]
    assert (entry["action"], entry["actor"], entry["target"]) == (
        audit.UNDID,
        "ann@example.com",
        f"batch {outcome.batch}",
    )


def test_undo_restores_the_rows_a_reimport_changed(engine):
    run(engine, deals(SEED, "seed.csv"))
    before = snapshot(engine)
    changed = [
        SEED[0],
        SEED[1].replace(",500", ",900"),
        "006C,Gamma,Cobalt,Ann Lee,2024-02-01,2024-06-30,Prospecting,50",
    ]
    second = run(engine, deals(changed, "second.csv"))
    assert second.message.startswith("Imported 1 new and 1 updated")
    undo_import(engine, second.batch, "ann@example.com")
    assert snapshot(engine) == before
    # the same file can be imported again after its undo (its ledger row went with it)
    assert run(engine, deals(changed, "second.csv")).message.startswith("Imported 1 new")


def test_undo_puts_back_the_history_an_imported_history_replaced(engine):
    run(engine, salesforce_csv(OPP_HEADER, OPP_ROWS, "Opportunity.csv"))
    before = snapshot(engine)
    history = run(engine, salesforce_csv(OH_HEADER, OH_ROWS, "OpportunityHistory.csv"))
    assert snapshot(engine) != before
    undo_import(engine, history.batch, "ann@example.com")
    assert snapshot(engine) == before


def test_undo_restores_spend_a_reimport_changed(engine):
    first = CsvInput("spend.csv", b"month,channel,kind,amount\n2024-01-01,Search,marketing,100\n")
    run(engine, first, source="salesops")
    before = snapshot(engine)
    second = CsvInput("spend2.csv", b"month,channel,kind,amount\n2024-01-01,Search,marketing,250\n")
    outcome = run(engine, second, source="salesops")
    assert outcome.message.startswith("Imported 0 new and 1 updated")
    undo_import(engine, outcome.batch, "ann@example.com")
    assert snapshot(engine) == before


def test_only_the_newest_batch_can_be_undone_and_only_once(engine):
    first = run(engine, deals(SEED[:1], "a.csv"))
    second = run(engine, deals(SEED[1:], "b.csv"))
    counts = table_counts(engine)
    with pytest.raises(UndoRefused, match=f"undo batch {second.batch} first"):
        undo_import(engine, first.batch, "ann@example.com")
    with pytest.raises(UndoRefused, match="There is no import batch 999"):
        undo_import(engine, 999, "ann@example.com")
    assert table_counts(engine) == counts
    undo_import(engine, second.batch, "ann@example.com")
    with pytest.raises(UndoRefused, match=f"Batch {second.batch} was already undone"):
        undo_import(engine, second.batch, "ann@example.com")
    undo_import(engine, first.batch, "ann@example.com")  # now the newest
    assert table_counts(engine)["opportunities"] == 0


def test_a_failing_undo_writes_nothing(engine, monkeypatch):
    outcome = run(engine, deals(SEED, "seed.csv"))
    after_import = snapshot(engine)

    def broken(conn, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("salesops.importing.undo.rebuild_rollups", broken)
    with pytest.raises(RuntimeError):
        undo_import(engine, outcome.batch, "ann@example.com")
    assert snapshot(engine) == after_import


def test_undo_of_time_logs_removes_their_hours_and_new_activity_types(engine):
    reps = CsvInput("reps.csv", b"external_id,name\nE1,Ann Lee\n")
    run(engine, reps, source="salesops")
    before = snapshot(engine)
    sheet = CsvInput("time.csv", b"rep,activity_date,activity,hours\nAnn Lee,2024-03-04,Calls,2\n")
    outcome = run(engine, sheet, source="salesops")
    assert table_counts(engine)["activity_types"] == 1
    undo_import(engine, outcome.batch, "ann@example.com")
    assert snapshot(engine) == before
    assert table_counts(engine)["activities"] == 0
