"""HubSpot deals exports with 'Date entered' stage columns -> the deals' stage history."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

HEADER = (
    "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner,"
    'Date entered "Appointment Scheduled (Sales Pipeline)",'
    'Date entered "Contract Sent (Sales Pipeline)",'
    'Date entered "Closed Won (Sales Pipeline)"'
)
ROWS = [
    "101,Brava,Closed Won,1250.50,2024-01-02 10:00,2024-02-03 11:00,Lucía Gómez,"
    "2024-01-02 10:00,2024-01-20 09:00,2024-02-03 11:00",
    "102,Corvo,Contract Sent,800,2024-01-05 08:00,2024-03-31 00:00,Lucía Gómez,"
    "2024-01-05 08:00,2024-02-10 16:00,",
]


def export(rows: list[str], header: str = HEADER) -> CsvInput:
    return CsvInput(
        "hubspot-crm-exports-all-deals.csv", ("\n".join([header, *rows]) + "\n").encode()
    )


def stages(engine, external_id: str) -> list[tuple]:
    h, o = s.opportunity_history.c, s.opportunities.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(h.changed_at, h.stage, h.outcome)
            .join(s.opportunities, o.id == h.opportunity_id)
            .where(o.external_id == external_id)
            .order_by(h.changed_at)
        ).all()
    return [tuple(r) for r in rows]


def test_date_entered_columns_become_the_stage_history(engine):
    outcome = import_files(
        engine, [export(ROWS)], "hubspot", context=ValidationContext(as_of=date(2024, 4, 1))
    )
    assert outcome.written, outcome.message
    file = outcome.report.files[0]
    assert file.layout == "hubspot-deals" and file.unknown_columns == []
    assert stages(engine, "101") == [
        (date(2024, 1, 2), "Appointment Scheduled", "open"),
        (date(2024, 1, 20), "Contract Sent", "open"),
        (date(2024, 2, 3), "Closed Won", "won"),
    ]
    assert stages(engine, "102") == [
        (date(2024, 1, 5), "Appointment Scheduled", "open"),
        (date(2024, 2, 10), "Contract Sent", "open"),
    ]


def test_an_unreadable_date_entered_is_a_row_error(engine):
    rows = [ROWS[0], ROWS[1].replace("2024-02-10 16:00", "someday")]
    before = table_counts(engine)
    outcome = import_files(engine, [export(rows)], "hubspot")
    assert not outcome.written
    assert 'row 3, Date entered "Contract Sent (Sales Pipeline)": "someday"' in outcome.message
    assert table_counts(engine) == before


def test_internal_names_work_too(engine):
    header = (
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,"
        "hs_date_entered_appointmentscheduled,hs_date_entered_closedwon"
    )
    rows = ["201,Delta,closedwon,10,2024-01-02,2024-01-09,2024-01-02,2024-01-09"]
    outcome = import_files(engine, [export(rows, header)], "hubspot")
    assert outcome.written, outcome.message
    assert [r[1] for r in stages(engine, "201")] == ["Appointment Scheduled", "Closed Won"]
