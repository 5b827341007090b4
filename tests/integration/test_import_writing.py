"""Writing imports on SQLite and PostgreSQL: all-or-nothing, upserts, history, bad inputs."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.rollups import rebuild_history_spans
from salesops.export import to_safe_csv
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput, ReadSettings
from salesops.importing.report import import_files
from salesops.importing.statements import upsert_statement
from salesops.repository import Repository

HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501
GOOD_ROWS = [
    "006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000",
    "006B,Beta,ACME Inc,Bob Ray,2024-01-10,2024-03-15,Closed Lost,500",
    "006C,Gamma,Cobalt,Ann Lee,2024-02-01,2024-06-30,Negotiation/Review,2000",
]
AS_OF = date(2024, 4, 1)


def sf_file(rows: list[str], name: str = "opps.csv", header: str = HEADER) -> CsvInput:
    return CsvInput(name, ("\n".join([header, *rows]) + "\n").encode())


def run(engine, files, source="salesforce", **kwargs):
    context = kwargs.pop("context", ValidationContext(as_of=AS_OF))
    return import_files(engine, files, source, context=context, **kwargs)


def opportunities(engine) -> pd.DataFrame:
    o = s.opportunities.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(o.external_id, o.stage, o.outcome, o.amount, o.closed_at).order_by(
                o.external_id
            )
        ).all()
    return pd.DataFrame(rows, columns=["external_id", "stage", "outcome", "amount", "closed_at"])


def _seed(engine: sa.Engine) -> None:
    outcome = run(engine, [sf_file(GOOD_ROWS, "seed.csv")])
    assert outcome.written, outcome.message


@pytest.fixture
def seeded(engine, filled_copy):
    """An engine already holding the three good deals (so 'unchanged' is meaningful)."""
    return filled_copy(engine, _seed)


def test_import_writes_rows_references_stages_and_history(engine):
    outcome = run(engine, [sf_file(GOOD_ROWS)])
    assert outcome.written, outcome.message
    counts = table_counts(engine)
    assert counts["opportunities"] == 3
    # reps and accounts are created by name: Ann Lee + Bob Ray; Acme Inc., ACME Inc, Cobalt
    assert counts["reps"] == 2 and counts["accounts"] == 3
    # two closed deals get (open, closed) rows, the open one gets one row: 2 + 2 + 1
    assert counts["opportunity_history"] == 5
    assert counts["import_batches"] == 1
    frame = opportunities(engine).set_index("external_id")
    assert frame.loc["006A", "outcome"] == "won"
    assert pd.isna(frame.loc["006C", "closed_at"])
    assert frame.loc["006C", "stage"] == "Negotiation/Review"
    with engine.connect() as conn:
        stages = dict(conn.execute(sa.select(s.stages.c.name, s.stages.c.is_won)).all())
    assert stages["Closed Won"] is True or stages["Closed Won"] == 1
    assert outcome.counts["opps.csv"].inserted == 3


def test_same_file_twice_is_already_imported_and_changes_nothing(seeded):
    before = table_counts(seeded)
    outcome = run(seeded, [sf_file(GOOD_ROWS, "seed.csv")])
    assert not outcome.written
    assert outcome.message.startswith("Already imported: seed.csv on ")
    assert table_counts(seeded) == before


def test_forced_reimport_is_idempotent(seeded):
    before = table_counts(seeded)
    outcome = run(seeded, [sf_file(GOOD_ROWS, "seed.csv")], force=True)
    assert outcome.written
    counts = outcome.counts["seed.csv"]
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 3)
    assert table_counts(seeded) == before


def test_updated_export_upserts_and_records_history(seeded):
    before = table_counts(seeded)
    updated = [
        GOOD_ROWS[0],
        GOOD_ROWS[1],
        "006C,Gamma,Cobalt,Ann Lee,2024-02-01,2024-03-20,Closed Won,2500",  # won, bigger
        "006D,Delta,Cobalt,Bob Ray,2024-03-01,2024-07-31,Prospecting,300",  # new
    ]
    outcome = run(seeded, [sf_file(updated, "later.csv")])
    assert outcome.written, outcome.message
    counts = outcome.counts["later.csv"]
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 2)
    after = table_counts(seeded)
    assert after["opportunities"] == before["opportunities"] + 1
    # one history row for 006C's change and one for the new open 006D
    assert after["opportunity_history"] == before["opportunity_history"] + 2
    frame = opportunities(seeded).set_index("external_id")
    assert frame.loc["006C", "amount"] == 2500.0 and frame.loc["006C", "outcome"] == "won"
    h, o = s.opportunity_history.c, s.opportunities.c
    with seeded.connect() as conn:
        last = conn.execute(
            sa.select(h.changed_at, h.stage, h.amount)
            .join_from(s.opportunity_history, s.opportunities, o.id == h.opportunity_id)
            .where(o.external_id == "006C")
            .order_by(h.changed_at.desc(), h.id.desc())
        ).first()
    # newly closed: the change is dated at the close date, with the new stage and amount
    assert (str(last[0])[:10], last[1], float(last[2])) == ("2024-03-20", "Closed Won", 2500.0)


def spans(engine) -> list[tuple]:
    sp = s.rollup_history_spans
    order = (sp.c.opportunity_id, sp.c.valid_from, sp.c.history_id)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(sp).order_by(*order)).all()]


@pytest.mark.parametrize("rebuild_share", [2.0, 0.0], ids=["deal by deal", "rebuild"])
def test_imports_keep_the_review_spans_up_to_date(seeded, monkeypatch, rebuild_share):
    # Either way an import updates the spans: replacing the touched deals' spans, or
    # rebuilding them all when the import touches a large share of the deals.
    monkeypatch.setattr(rollups, "SPAN_REBUILD_SHARE", rebuild_share)
    updated = [
        "006C,Gamma,Cobalt,Ann Lee,2024-02-01,2024-03-20,Closed Won,2500",  # won on 20 Mar
        "006D,Delta,Cobalt,Bob Ray,2024-03-01,2024-07-31,Prospecting,300",  # new
    ]
    assert run(seeded, [sf_file(updated, "later.csv")]).written
    after_import = spans(seeded)
    with seeded.begin() as conn:
        rebuild_history_spans(conn)
    assert spans(seeded) == after_import  # the import's own update equals a full rebuild
    o = s.opportunities.c
    with seeded.connect() as conn:
        gamma = conn.execute(sa.select(o.id).where(o.external_id == "006C")).scalar_one()
    rows = [r for r in after_import if r[4] == gamma]
    # 006C: open from 1 Feb until it was won on 20 Mar (48 days, class 64); then closed
    assert [(str(r[1]), str(r[3]) if r[3] else None, r[0]) for r in rows] == [
        ("2024-02-01", "2024-03-20", 64),
        ("2024-03-20", None, s.CLOSED_FOR_GOOD),
    ]
    bad = [*updated, "006F,Phi,Acme,Ann,2024-01-05,2024-02-01,Closed Won,(99)"]
    assert not run(seeded, [sf_file(bad, "bad.csv")]).written
    assert spans(seeded) == after_import  # rolled back with everything else


BAD_INPUTS = {
    "wrong_delimiter": (
        sf_file(GOOD_ROWS),
        {"settings": ReadSettings(delimiter=";")},
        "opps.csv: with the semicolon delimiter the header is one single column; the file "
        "looks comma-delimited (leave the delimiter on auto).",
    ),
    "wrong_encoding": (
        CsvInput(
            "opps.csv",
            (
                "\n".join(
                    [HEADER, *GOOD_ROWS, "006Z,Café,Acme,Ann,2024-01-05,2024-02-01,Closed Won,10"]
                )
                + "\n"
            ).encode("cp1252"),
        ),
        {"settings": ReadSettings(encoding="utf-8")},
        "opps.csv is not valid utf-8 (byte 0xe9",
    ),
    "missing_required_column": (
        sf_file([r.rsplit(",", 2)[0] for r in GOOD_ROWS], header=HEADER.rsplit(",", 2)[0]),
        {},
        "missing required column(s) for Salesforce opportunities report: stage (as 'Stage'",
    ),
    "unparseable_dates": (
        sf_file([GOOD_ROWS[0], "006E,Eps,Acme,Ann,31/31/2024,2024-02-01,Closed Won,1"]),
        {},
        'opps.csv row 3, Created Date: "31/31/2024" — expected a date in ISO (YYYY-MM-DD) format',
    ),
    "header_only": (
        sf_file([]),
        {},
        "opps.csv has a header but no data rows: nothing to import.",
    ),
    "binary_file": (
        CsvInput("opps.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        {},
        "opps.csv is a binary file (it contains NUL bytes), not a CSV text file.",
    ),
    "xlsx_file": (
        CsvInput("opps.xlsx", b"PK\x03\x04\x14\x00"),
        {},
        "opps.xlsx is an Excel workbook, not a CSV",
    ),
    "ambiguous_dates": (
        sf_file(["006E,Eps,Acme,Ann,03/04/2024,05/06/2024,Closed Won,1"]),
        {},
        "read both as day/month and month/day: choose the date format",
    ),
    "bad_row_among_good": (
        sf_file([*GOOD_ROWS[:2], "006F,Phi,Acme,Ann,2024-01-05,2024-02-01,Closed Won,(99)"]),
        {},
        'opps.csv row 4, Amount: "(99)" — expected an amount of 0 or more',
    ),
    "ragged_row": (
        sf_file([GOOD_ROWS[0], GOOD_ROWS[1] + ",extra"]),
        {},
        "— expected 8 fields like the header, not 9 (a missing or extra comma",
    ),
    "too_big": (
        sf_file(GOOD_ROWS),
        {"settings": ReadSettings(max_bytes=100)},
        "the upload limit is 0 MB",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_its_error_and_leaves_the_database_unchanged(seeded, case):
    file, kwargs, expected = BAD_INPUTS[case]
    before = table_counts(seeded)
    outcome = run(seeded, [file], **kwargs)
    assert not outcome.written
    assert expected in outcome.message
    assert table_counts(seeded) == before


def test_kill_mid_import_rolls_everything_back(seeded):
    before = table_counts(seeded)
    rows = [f"007{i:03d},Deal {i},Acme,Ann,2024-01-05,2024-02-01,Closed Won,{i}" for i in range(9)]
    calls = []

    def dying(fraction: float, message: str) -> None:
        if message.startswith("Importing"):
            calls.append(message)
            if len(calls) == 2:  # after the first chunk was written
                raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        run(seeded, [sf_file(rows, "big.csv")], settings=ReadSettings(chunk_rows=3), progress=dying)
    assert len(calls) == 2
    assert table_counts(seeded) == before


def test_a_failing_second_file_rolls_back_the_first(seeded):
    before = table_counts(seeded)
    good = sf_file(["008A,New,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1"], "a.csv")
    bad = sf_file(["008B,New,Acme,Ann,2024-01-05,2024-02-01,Unknown Stage,1"], "b.csv")
    outcome = run(seeded, [good, bad])
    assert not outcome.written
    assert 'b.csv row 2, Stage: "Unknown Stage"' in outcome.message
    assert table_counts(seeded) == before


def test_valid_rows_only_writes_clean_rows_and_counts_rejects(seeded):
    before = table_counts(seeded)
    rows = [
        "009A,Ok,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1",
        "009B,Bad,Acme,Ann,2024-03-05,2024-02-01,Closed Won,1",  # closes before created
    ]
    outcome = run(seeded, [sf_file(rows, "mixed.csv")], valid_rows_only=True)
    assert outcome.written
    assert outcome.counts["mixed.csv"].rejected == 1
    assert table_counts(seeded)["opportunities"] == before["opportunities"] + 1


def test_dry_run_writes_nothing(engine):
    before = table_counts(engine)
    outcome = run(engine, [sf_file(GOOD_ROWS)], dry_run=True)
    assert not outcome.written and outcome.report.ok
    assert table_counts(engine) == before


def test_formula_payload_is_stored_verbatim_and_neutralised_on_export(engine):
    rows = ['006X,"=HYPERLINK(""http://evil"",""x"")",Acme,Ann,2024-01-05,2024-02-01,Closed Won,5']
    assert run(engine, [sf_file(rows)]).written
    deals = Repository(engine).closed_deals(
        __import__("salesops.calendar", fromlist=["Period"]).Period(
            date(2024, 1, 1), date(2024, 12, 31)
        )
    )
    assert deals["name"].tolist() == ['=HYPERLINK("http://evil","x")']  # verbatim in the DB
    exported = to_safe_csv(deals).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(exported)))
    assert parsed[0]["name"] == '\'=HYPERLINK("http://evil","x")'
    assert parsed[0]["amount"] == "5.0"  # numbers untouched


def test_salesforce_leads_link_to_opportunities_in_the_same_batch(engine):
    leads = CsvInput(
        "leads.csv",
        b"Lead ID,Created Date,Lead Source,Lead Status,Converted,Converted Opportunity ID\n"
        b"00Q1,2023-12-01,Web,Converted,true,006A\n00Q2,2023-12-05,,Open,false,\n",
    )
    outcome = run(engine, [sf_file(GOOD_ROWS), leads])
    assert outcome.written, outcome.message
    lead, o = s.leads.c, s.opportunities.c
    with engine.connect() as conn:
        linked = conn.execute(
            sa.select(lead.external_id, o.external_id).join_from(
                s.leads, s.opportunities, o.id == lead.opportunity_id
            )
        ).all()
        back = conn.execute(sa.select(o.lead_id).where(o.external_id == "006A")).scalar()
    assert linked == [("00Q1", "006A")]
    assert back is not None


def test_upsert_statement_uses_the_dialects_on_conflict(engine):
    with engine.connect() as conn:
        stmt = upsert_statement(conn, s.accounts, ["source", "external_id", "name"])
        sql = str(stmt.compile(dialect=conn.dialect))
    assert "ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name" in sql


def test_accounts_and_contacts_exports_write_territories_and_leads(engine):
    accounts = CsvInput(
        "companies.csv",
        "Record ID,Company name,Industry,Number of Employees,Country/Region,Create Date\n"
        "9001,Zoë Labs,Software,120,Germany,2023-05-01\n"
        "9002,Brava SA,Retail,,Spain,2023-06-01\n".encode(),
    )
    contacts = CsvInput(
        "contacts.csv",
        b"Record ID,Create Date,Original Source,Lead Status,Became an Opportunity Date\n"
        b"c1,2024-01-02,Organic Search,Open,\n"
        b"c2,2024-01-03,Paid Social,,2024-01-20\n",
    )
    outcome = run(engine, [accounts, contacts], source="hubspot")
    assert outcome.written, outcome.message
    t, a, lead = s.territories.c, s.accounts.c, s.leads.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.name, t.name, a.employees)
            .join_from(s.accounts, s.territories, t.id == a.territory_id)
            .order_by(a.name)
        ).all()
        leads = conn.execute(
            sa.select(lead.external_id, lead.channel, lead.status, lead.converted_at).order_by(
                lead.external_id
            )
        ).all()
    assert [tuple(r) for r in rows] == [("Brava SA", "Spain", None), ("Zoë Labs", "Germany", 120)]
    assert [(r[0], r[1], r[2], str(r[3])[:10] if r[3] else None) for r in leads] == [
        ("c1", "Organic Search", "Open", None),
        ("c2", "Paid Social", "converted", "2024-01-20"),
    ]


def test_two_files_of_one_batch_share_ids_without_duplicates(engine):
    first = sf_file(GOOD_ROWS, "jan.csv")
    second = sf_file(["006C,Gamma,Cobalt,Ann Lee,2024-02-01,2024-03-20,Closed Won,2500"], "feb.csv")
    outcome = run(engine, [first, second])
    assert outcome.written, outcome.message
    assert outcome.counts["jan.csv"].inserted == 3
    # the second file sees the first one's rows: an update, not a duplicate
    assert (outcome.counts["feb.csv"].inserted, outcome.counts["feb.csv"].updated) == (0, 1)
    assert table_counts(engine)["opportunities"] == 3
    assert opportunities(engine).set_index("external_id").loc["006C", "outcome"] == "won"


def test_cp1252_semicolon_decimal_comma_export_is_imported_correctly(engine):
    text = (
        "Opportunity ID;Opportunity Name;Account Name;Created Date;Close Date;Stage;Amount\n"
        "006Q;Crème brûlée;Société Générale;15/01/2024;20/02/2024;Closed Won;1.234,56\n"
        "006R;Piñata;Müller GmbH;03/02/2024;04/03/2024;Closed Lost;99,50\n"
    )
    outcome = run(engine, [CsvInput("eu.csv", text.encode("cp1252"))])
    assert outcome.written, outcome.message
    detected = outcome.report.files[0].detected
    assert detected["encoding"].startswith("cp1252")
    assert (detected["delimiter"], detected["decimal"]) == ("semicolon", ",")
    assert detected["date_format"] == "day/month/year"  # 15/01 and 20/02 decide it
    o, a = s.opportunities.c, s.accounts.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(o.name, a.name, o.amount, o.created_at)
            .join_from(s.opportunities, s.accounts, a.id == o.account_id)
            .order_by(o.external_id)
        ).all()
    assert [(r[0], r[1], float(r[2]), str(r[3])[:10]) for r in rows] == [
        ("Crème brûlée", "Société Générale", 1234.56, "2024-01-15"),
        ("Piñata", "Müller GmbH", 99.5, "2024-02-03"),
    ]


def index_names(engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {
        t: {i["name"] for i in inspector.get_indexes(t)}
        for t in ("opportunities", "opportunity_history", "leads")
    }


def test_a_first_import_leaves_every_index_and_a_failed_one_too(engine):
    """Indexes of empty tables are built after the rows (SQLite): there when it ends or fails."""
    indexes = index_names(engine)
    assert indexes["opportunities"] and indexes["opportunity_history"]
    bad = "006Z,Zeta,Acme Inc.,Ann Lee,2024-13-45,2024-02-01,Closed Won,1000"
    # the first file's deals are written (into the emptied indexes), the second fails
    failed = run(engine, [sf_file(GOOD_ROWS, "a.csv"), sf_file([bad], "b.csv")])
    assert not failed.written
    assert index_names(engine) == indexes
    assert table_counts(engine)["opportunities"] == 0
    outcome = run(engine, [sf_file(GOOD_ROWS, "a.csv")])
    assert outcome.written, outcome.message
    assert index_names(engine) == indexes
    assert len(opportunities(engine)) == 3


def foreign_keys(engine) -> dict[str, list[str]]:
    inspector = sa.inspect(engine)
    return {
        t: sorted(fk["name"] for fk in inspector.get_foreign_keys(t))
        for t in ("opportunities", "opportunity_history")
    }


# PostgreSQL only: SQLite's foreign keys are part of its tables, never set aside
@pytest.mark.parametrize(
    "engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_first_import_copies_deals_without_their_keys_then_adds_them(monkeypatch, engine):
    """PostgreSQL: an empty table's foreign keys and indexes are set aside for its COPY.

    They are back when the import ends or fails; a later import into the filled table keeps
    them throughout.
    """
    from salesops.importing import history, writing

    keys, indexes = foreign_keys(engine), index_names(engine)
    assert keys["opportunities"] and keys["opportunity_history"]
    seen: list[tuple[str, int, int]] = []
    fail = [True]
    real_bulk_insert = writing.bulk_insert

    real_copy_new = history.HistoryWriter._copy_new

    def meet(conn, table):
        # the table's foreign keys and secondary indexes as this write meets them
        counts = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = %(t)s::regclass "
            "AND contype = 'f'), (SELECT count(*) FROM pg_index WHERE indrelid = "
            "%(t)s::regclass AND NOT indisunique)",
            {"t": table.name},
        ).one()
        seen.append((table.name, *counts))
        if table.name == "opportunity_history" and fail[0]:
            raise RuntimeError("the import fails after its deals were written")

    def recording(conn, table, frame, *args, **kwargs):
        meet(conn, table)
        return real_bulk_insert(conn, table, frame, *args, **kwargs)

    def copying(writer, new, first, last, initial):  # new deals' history: INSERT ... SELECT
        meet(writer.conn, s.opportunity_history)
        return real_copy_new(writer, new, first, last, initial)

    monkeypatch.setattr(writing, "bulk_insert", recording)
    monkeypatch.setattr(history, "bulk_insert", recording)
    monkeypatch.setattr(history.HistoryWriter, "_copy_new", copying)
    with pytest.raises(RuntimeError, match="fails after its deals"):
        run(engine, [sf_file(GOOD_ROWS, "a.csv")])
    assert seen == [("opportunities", 0, 0), ("opportunity_history", 0, 0)]
    assert (foreign_keys(engine), index_names(engine)) == (keys, indexes)
    assert table_counts(engine)["opportunities"] == 0
    fail[0] = False
    seen.clear()
    outcome = run(engine, [sf_file(GOOD_ROWS, "a.csv")])
    assert outcome.written, outcome.message
    assert seen == [("opportunities", 0, 0), ("opportunity_history", 0, 0)]
    assert (foreign_keys(engine), index_names(engine)) == (keys, indexes)
    seen.clear()
    more = run(engine, [sf_file(["006D,Delta,Cobalt,Ann Lee,2024-02-01,,Prospecting,10"])])
    assert more.written, more.message
    full = (len(keys["opportunities"]), len(s.opportunities.indexes))
    assert seen[0] == ("opportunities", *full)
