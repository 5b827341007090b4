"""Quality queries on SQLite and PostgreSQL: SQL counts agree with pandas on the same rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.quality.checks import duplicate_accounts
from salesops.quality.report import quality_report
from salesops.repository import Repository
from tests.conftest import insert

AS_OF = date(2024, 6, 1)


def seed(engine) -> None:
    insert(engine, s.territories, [{"id": 1, "name": "North"}])
    insert(
        engine,
        s.reps,
        [
            {"id": 1, "name": "Ann", "territory_id": 1},
            {"id": 2, "name": "Bob", "territory_id": None},
        ],
    )
    insert(
        engine,
        s.accounts,
        [
            {"id": 1, "name": "Acme Inc.", "external_id": "a1"},
            {"id": 2, "name": "ACME, Inc", "external_id": "a2"},
            {"id": 3, "name": "Cobalt", "external_id": "a3"},
        ],
    )
    insert(
        engine,
        s.stages,
        [
            {
                "name": "Open",
                "sort_order": 1,
                "probability": 0.3,
                "is_closed": False,
                "is_won": False,
            },
            {"name": "Won", "sort_order": 2, "probability": 1.0, "is_closed": True, "is_won": True},
        ],
    )
    insert(
        engine,
        s.leads,
        [
            {"id": 1, "external_id": "l1", "created_at": date(2024, 1, 1), "channel": "web"},
            {"id": 2, "external_id": "l2", "created_at": date(2024, 2, 1), "channel": None},
            {"id": 3, "external_id": "l3", "created_at": date(2024, 2, 9), "channel": "  "},
        ],
    )
    base = {
        "stage": "Open",
        "outcome": "open",
        "account_id": 1,
        "lead_id": None,
        "rep_id": None,
        "amount": None,
        "closed_at": None,
        "expected_close_date": None,
    }
    insert(
        engine,
        s.opportunities,
        [
            # fine: lead with channel, amount, owner, closes after created
            {
                **base,
                "id": 1,
                "external_id": "o1",
                "created_at": date(2024, 1, 5),
                "rep_id": 1,
                "lead_id": 1,
                "amount": 10.0,
                "stage": "Won",
                "outcome": "won",
                "closed_at": date(2024, 2, 1),
            },
            # closed before created, no lead (missing source)
            {
                **base,
                "id": 2,
                "external_id": "o2",
                "created_at": date(2024, 3, 5),
                "rep_id": 1,
                "amount": 5.0,
                "stage": "Won",
                "outcome": "won",
                "closed_at": date(2024, 3, 1),
            },
            # open and overdue, no amount, lead without channel
            {
                **base,
                "id": 3,
                "external_id": "o3",
                "created_at": date(2024, 3, 9),
                "rep_id": 2,
                "lead_id": 2,
                "expected_close_date": date(2024, 5, 1),
            },
            # open, not overdue, no owner
            {
                **base,
                "id": 4,
                "external_id": "o4",
                "created_at": date(2024, 4, 1),
                "rep_id": None,
                "lead_id": 1,
                "amount": 7.0,
                "expected_close_date": date(2024, 9, 1),
            },
        ],
    )
    refresh_rollups(engine)  # what every load and import does: the quality rollup is rebuilt


def test_sql_counts_match_pandas_on_the_same_rows(engine):
    seed(engine)
    repo = Repository(engine)
    counts = repo.quality_counts(AS_OF)
    with engine.connect() as conn:
        opp = pd.read_sql(
            sa.select(s.opportunities),
            conn,
            parse_dates=["created_at", "closed_at", "expected_close_date"],
        )
        leads = pd.read_sql(sa.select(s.leads), conn)
        reps = pd.read_sql(sa.select(s.reps), conn)
        accounts = pd.read_sql(sa.select(s.accounts), conn)
    channel = opp["lead_id"].map(leads.set_index("id")["channel"])
    no_source = channel.isna() | (channel.astype("str").str.strip() == "")
    oracle = {
        "closed_before_created": int((opp["closed_at"] < opp["created_at"]).sum()),
        "open_past_close": int(
            ((opp["outcome"] == "open") & (opp["expected_close_date"] < pd.Timestamp(AS_OF))).sum()
        ),
        "missing_amount": int(opp["amount"].isna().sum()),
        "missing_owner": int(opp["rep_id"].isna().sum()),
        "missing_source": int(no_source.sum()),
        "missing_fields": int((opp["amount"].isna() | opp["rep_id"].isna() | no_source).sum()),
        "leads_without_channel": int(
            (leads["channel"].isna() | (leads["channel"].astype("str").str.strip() == "")).sum()
        ),
        "reps_without_territory": int(reps["territory_id"].isna().sum()),
        # "Acme Inc." and "ACME, Inc" collide (the rollup normalises names in Python)
        "duplicate_accounts": duplicate_accounts(accounts).count,
    }
    assert counts == oracle
    # worked by hand: o2 closes early; o3 overdue; o3 no amount; o4 no owner; o2+o3 no source
    assert oracle == {
        "closed_before_created": 1,
        "open_past_close": 1,
        "missing_amount": 1,
        "missing_owner": 1,
        "missing_source": 2,
        "missing_fields": 3,
        "leads_without_channel": 2,
        "reps_without_territory": 1,
        "duplicate_accounts": 2,
    }


def test_quality_report_rows_trend_and_duplicates(engine):
    seed(engine)
    report = quality_report(Repository(engine), AS_OF)
    checks = {c.key: c for c in report.checks}
    assert checks["duplicate_accounts"].count == 2
    assert checks["closed_before_created"].rows["external_id"].tolist() == ["o2"]
    assert checks["open_past_close"].rows["external_id"].tolist() == ["o3"]
    assert sorted(checks["missing_fields"].rows["external_id"]) == ["o2", "o3", "o4"]
    assert checks["reps_without_territory"].rows["name"].tolist() == ["Bob"]
    trend = report.trend.set_index(["month", "check"])["count"]
    assert trend[(pd.Timestamp("2024-03-01"), "missing_source")] == 2  # o2, o3 created in March
    assert trend[(pd.Timestamp("2024-02-01"), "leads_without_channel")] == 2
    payload = report.to_dict(max_rows=100)
    assert payload["as_of"] == "2024-06-01"
    assert {c["key"] for c in payload["checks"]} >= {"duplicate_accounts", "missing_fields"}


def test_import_batches_listing(engine):
    from salesops.importing.reading import CsvInput
    from salesops.importing.report import import_files

    data = b"Account ID,Account Name\nA1,Acme\n"
    assert import_files(engine, [CsvInput("acc.csv", data)], "salesforce").written
    batches = Repository(engine).import_batches(limit=50)
    assert batches[["file_name", "entity", "rows_inserted"]].values.tolist() == [
        ["acc.csv", "accounts", 1]
    ]


def test_an_import_rebuild_updates_the_quality_rollup(engine):
    seed(engine)
    repo = Repository(engine)
    assert repo.quality_counts(AS_OF)["leads_without_channel"] == 2
    with engine.begin() as conn:
        conn.execute(sa.update(s.leads).where(s.leads.c.id == 2).values(channel="web"))
    assert repo.quality_counts(AS_OF)["leads_without_channel"] == 2  # the rollup, not a scan
    refresh_rollups(engine, history_spans=False)  # what the import that changed it does
    assert repo.quality_counts(AS_OF)["leads_without_channel"] == 1
    assert repo.quality_leads(10)["id"].tolist() == [3]
