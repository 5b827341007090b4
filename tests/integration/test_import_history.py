"""Salesforce OpportunityHistory / OpportunityFieldHistory -> opportunity_history (both DBs)."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.report import import_files
from tests.unit.importing.test_salesforce_api import OPP_HEADER, OPP_ROWS, salesforce_csv

CONTEXT = ValidationContext(as_of=date(2024, 7, 1))
OH_HEADER = [
    "Id",
    "OpportunityId",
    "CreatedDate",
    "StageName",
    "Amount",
    "CloseDate",
    "Probability",
    "ForecastCategory",
]
A, B = "0065g00000AAAAAAA1", "0065g00000AAAAAAA2"
OH_ROWS = [
    [
        "0085g0000001",
        A,
        "2024-01-05T10:00:00.000+0000",
        "Prospecting",
        "10000",
        "2024-03-31",
        "10",
        "Pipeline",
    ],
    [
        "0085g0000002",
        A,
        "2024-02-01T09:00:00.000+0000",
        "Negotiation/Review",
        "12000",
        "2024-03-31",
        "90",
        "Forecast",
    ],
    [
        "0085g0000003",
        A,
        "2024-02-01T15:00:00.000+0000",
        "Negotiation/Review",
        "12500",
        "2024-03-15",
        "90",
        "Forecast",
    ],
    [
        "0085g0000004",
        A,
        "2024-03-01T12:00:00.000+0000",
        "Closed Won",
        "12500",
        "2024-03-01",
        "100",
        "Closed",
    ],
    [
        "0085g0000005",
        B,
        "2024-02-11T04:30:00.000+0000",
        "Discovery Call",
        "4000",
        "2024-06-30",
        "20",
        "BestCase",
    ],
]


def opportunities_file():
    return salesforce_csv(OPP_HEADER, OPP_ROWS, "Opportunity.csv")


def history(engine, external_id: str) -> list[tuple]:
    h, o = s.opportunity_history.c, s.opportunities.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(h.changed_at, h.stage, h.outcome, h.amount, h.forecast_category)
            .join(s.opportunities, o.id == h.opportunity_id)
            .where(o.external_id == external_id)
            .order_by(h.changed_at)
        ).all()
    return [tuple(r) for r in rows]


def run(engine, *files):
    return import_files(engine, list(files), "salesforce", context=CONTEXT)


def test_opportunity_history_replaces_the_inferred_history(engine):
    outcome = run(
        engine, salesforce_csv(OH_HEADER, OH_ROWS, "OpportunityHistory.csv"), opportunities_file()
    )
    assert outcome.written, outcome.message
    layouts = {f.file: f.layout for f in outcome.report.files}
    assert layouts["OpportunityHistory.csv"] == "salesforce-opportunity-history"
    assert history(engine, A) == [
        (date(2024, 1, 5), "Prospecting", "open", 10000.0, "pipeline"),
        # two changes on Feb 1: the later one is the day's state
        (date(2024, 2, 1), "Negotiation/Review", "open", 12500.0, "commit"),
        (date(2024, 3, 1), "Closed Won", "won", 12500.0, "closed"),
    ]
    assert history(engine, B) == [
        (date(2024, 2, 11), "Discovery Call", "open", 4000.0, "best_case")
    ]
    # the deal without history rows keeps the history its import inferred
    assert [r[1] for r in history(engine, "0065g00000AAAAAAA3")] == [
        "Prospecting",
        "Closed - No Budget",
    ]
    # the review's spans follow the imported history, not the inferred one
    spans, o = s.rollup_history_spans.c, s.opportunities.c
    with engine.connect() as conn:
        stages = conn.execute(
            sa.select(spans.stage)
            .join(s.opportunities, o.id == spans.opportunity_id)
            .where(o.external_id == A)
        ).scalars()
        assert sorted(stages) == ["Closed Won", "Negotiation/Review", "Prospecting"]


def test_history_rows_in_any_order_give_the_same_history(engine):
    shuffled = OH_ROWS[:]
    random.Random(3).shuffle(shuffled)
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, shuffled, "OH.csv"))
    assert outcome.written, outcome.message
    assert [r[1] for r in history(engine, A)] == ["Prospecting", "Negotiation/Review", "Closed Won"]


def test_history_for_a_deal_in_neither_file_nor_database_is_rejected(engine):
    rows = [
        *OH_ROWS,
        [
            "0085g0000009",
            "0065g00000ZZZZZZZ9",
            "2024-02-01T00:00:00.000+0000",
            "Prospecting",
            "1",
            "2024-03-01",
            "10",
            "Pipeline",
        ],
    ]
    before = table_counts(engine)
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, rows, "OH.csv"))
    assert not outcome.written
    assert "OH.csv row 7, OpportunityId" in outcome.message
    assert "a deal imported earlier or in this batch" in outcome.message
    assert table_counts(engine) == before


def test_history_dated_before_the_deal_was_created_is_rejected(engine):
    rows = [r[:] for r in OH_ROWS]
    rows[4][2] = "2023-12-31T00:00:00.000+0000"
    before = table_counts(engine)
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, rows, "OH.csv"))
    assert not outcome.written
    assert "OH.csv row 6, CreatedDate" in outcome.message
    assert "on or after the deal's created date 2024-02-11" in outcome.message
    assert table_counts(engine) == before


def test_an_exact_repeat_is_counted_once_with_a_warning(engine):
    rows = [*OH_ROWS, OH_ROWS[0][:]]
    rows[-1][0] = "0085g0000099"  # another Id, the same change
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, rows, "OH.csv"))
    assert outcome.written, outcome.message
    report = next(f for f in outcome.report.files if f.file == "OH.csv")
    [warning] = [w for w in report.warnings if "exact repeat" in w.expected]
    assert warning.row == 7
    assert len(history(engine, A)) == 3


def test_the_same_history_id_twice_is_a_row_error(engine):
    rows = [*OH_ROWS, OH_ROWS[1][:]]
    rows[-1][3] = "Closed Lost"
    before = table_counts(engine)
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, rows, "OH.csv"))
    assert not outcome.written
    assert "OH.csv row 7, Id" in outcome.message and "row 3 has the same id" in outcome.message
    assert table_counts(engine) == before


FH_HEADER = ["Id", "OpportunityId", "CreatedDate", "Field", "OldValue", "NewValue"]


def test_field_history_is_replayed_into_states(engine):
    assert run(engine, opportunities_file()).written
    rows = [
        ["0175g01", A, "2024-01-05T10:00:00.000+0000", "created", "", ""],
        [
            "0175g02",
            A,
            "2024-02-01T09:00:00.000+0000",
            "StageName",
            "Prospecting",
            "Negotiation/Review",
        ],
        ["0175g03", A, "2024-02-01T09:00:00.000+0000", "Amount", "10000", "12500"],
        ["0175g04", A, "2024-02-20T09:00:00.000+0000", "Description", "x", "y"],
        [
            "0175g05",
            A,
            "2024-03-01T12:00:00.000+0000",
            "StageName",
            "Negotiation/Review",
            "Closed Won",
        ],
    ]
    outcome = run(engine, salesforce_csv(FH_HEADER, rows, "OpportunityFieldHistory.csv"))
    assert outcome.written, outcome.message
    assert outcome.report.files[0].layout == "salesforce-opportunity-field-history"
    assert [(r[0], r[1], r[3]) for r in history(engine, A)] == [
        (date(2024, 1, 5), "Prospecting", 10000.0),
        (date(2024, 2, 1), "Negotiation/Review", 12500.0),
        (date(2024, 3, 1), "Closed Won", 12500.0),
    ]


def test_field_history_with_a_non_numeric_amount_is_a_row_error(engine):
    assert run(engine, opportunities_file()).written
    rows = [["0175g03", A, "2024-02-01T09:00:00.000+0000", "Amount", "10000", "lots"]]
    before = table_counts(engine)
    outcome = run(engine, salesforce_csv(FH_HEADER, rows, "FH.csv"))
    assert not outcome.written
    assert 'FH.csv row 2, NewValue: "lots"' in outcome.message
    assert table_counts(engine) == before


def test_a_history_spooled_in_buckets_gives_the_same_history(engine, monkeypatch, tmp_path):
    """A file larger than a bucket is spooled to disk by deal: same history, nothing left."""
    from salesops.importing import history_import

    monkeypatch.setattr(history_import, "BUCKET_ROWS", 1)  # one bucket per row of the file
    monkeypatch.setattr(history_import, "ID_BLOCK", 1)  # deals 1 and 2 in different buckets
    monkeypatch.setattr(history_import.tempfile, "tempdir", str(tmp_path))
    shuffled = OH_ROWS[:]
    random.Random(5).shuffle(shuffled)  # a deal's rows apart in the file
    outcome = run(engine, opportunities_file(), salesforce_csv(OH_HEADER, shuffled, "OH.csv"))
    assert outcome.written, outcome.message
    expected_a = [
        (date(2024, 1, 5), "Prospecting", "open", 10000.0, "pipeline"),
        (date(2024, 2, 1), "Negotiation/Review", "open", 12500.0, "commit"),
        (date(2024, 3, 1), "Closed Won", "won", 12500.0, "closed"),
    ]
    assert history(engine, A) == expected_a
    assert history(engine, B) == [
        (date(2024, 2, 11), "Discovery Call", "open", 4000.0, "best_case")
    ]
    assert list(tmp_path.iterdir()) == []  # the spool is removed
    # importing the same file again replaces each deal's history once: no duplicates
    again = import_files(
        engine,
        [salesforce_csv(OH_HEADER, shuffled, "OH.csv")],
        "salesforce",
        context=CONTEXT,
        force=True,
    )
    assert again.written, again.message
    assert history(engine, A) == expected_a
    assert list(tmp_path.iterdir()) == []


def test_the_replaced_history_is_read_by_the_delete_itself(engine):
    """The old rows go to the change log (for undo) from the DELETE's RETURNING, no SELECT.

    On PostgreSQL the DELETE is in the INSERT into the change log (WITH gone AS (DELETE ...)).
    """
    run(engine, opportunities_file())
    statements: list[str] = []

    columns = [c.name for c in s.opportunity_history.c]

    def record(conn, cursor, statement, parameters, context, executemany):
        words = " ".join(statement.split())
        reads_rows = all(c in words for c in columns) and "FROM opportunity_history" in words
        if words.startswith(("SELECT", "DELETE", "WITH")) and reads_rows:
            statements.append(words.split("(")[1][:6] if words.startswith("WITH") else words[:6])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        outcome = run(engine, salesforce_csv(OH_HEADER, OH_ROWS, "OpportunityHistory.csv"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert outcome.written, outcome.message
    assert statements == ["DELETE"], statements  # RETURNING every column; nothing SELECTed


def _history_foreign_keys(conn) -> list[str]:
    keys = sa.inspect(conn).get_foreign_keys(s.opportunity_history.name)
    return [k["referred_table"] for k in keys]


def test_a_large_history_is_written_with_its_foreign_key_set_aside(engine, monkeypatch):
    """PostgreSQL: no per-row check of the deal while the rows go in; the key is back after."""
    from salesops.importing import history_import

    run(engine, opportunities_file())
    monkeypatch.setattr(history_import, "FOREIGN_KEY_ROWS", 3)
    seen: list[list[str]] = []
    real = history_import.bulk_insert

    def checking(conn, table, frame, *args, **kwargs):
        seen.append(_history_foreign_keys(conn))
        return real(conn, table, frame, *args, **kwargs)

    monkeypatch.setattr(history_import, "bulk_insert", checking)
    outcome = run(engine, salesforce_csv(OH_HEADER, OH_ROWS, "OpportunityHistory.csv"))
    assert outcome.written, outcome.message
    postgres = engine.dialect.name == "postgresql"
    assert seen == [[] if postgres else ["opportunities"]]
    with engine.connect() as conn:
        assert _history_foreign_keys(conn) == ["opportunities"]
    assert [r[1] for r in history(engine, A)] == ["Prospecting", "Negotiation/Review", "Closed Won"]
