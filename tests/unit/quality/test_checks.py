"""Data-quality checks on small hand-built frames."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.quality.checks import (
    QualityInputs,
    closed_before_created,
    duplicate_accounts,
    leads_without_channel,
    missing_fields,
    open_past_expected_close,
    reps_without_territory,
    run_checks,
    summary_frame,
)

D = pd.Timestamp


def test_duplicate_accounts_groups_by_normalised_name():
    accounts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "name": ["Acme Inc.", "ACME, Inc", "Beta LLC", "Gamma", "beta", "Delta"],
        }
    )
    check = duplicate_accounts(accounts)
    # two groups: acme (ids 1, 2) and beta (ids 3, 5) -> four accounts
    assert check.count == 4
    assert check.rows["id"].tolist() == [1, 2, 3, 5]
    assert check.rows["group_size"].tolist() == [2, 2, 2, 2]
    assert "(2 groups)" in check.description


def opportunities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "external_id": ["a", "b", "c", "d", "e"],
            "name": ["A", "B", "C", "D", "E"],
            "outcome": ["won", "lost", "open", "open", "open"],
            "created_at": [
                D("2024-01-10"),
                D("2024-02-01"),
                D("2024-01-01"),
                D("2024-03-01"),
                D("2024-03-01"),
            ],
            "closed_at": [D("2024-01-05"), D("2024-02-20"), pd.NaT, pd.NaT, pd.NaT],
            "expected_close_date": [pd.NaT, pd.NaT, D("2024-03-01"), D("2024-06-30"), pd.NaT],
            "amount": [100.0, None, 50.0, None, 10.0],
            "rep_id": pd.array([1, 1, None, 2, 2], dtype="Int64"),
            "channel": ["web", "web", "event", None, " "],
        }
    )


def test_closed_before_created():
    check = closed_before_created(opportunities())
    # deal a: closed 2024-01-05, created 2024-01-10 -> 5 days negative
    assert check.count == 1
    assert check.rows["external_id"].tolist() == ["a"]
    assert check.rows["days_negative"].tolist() == [5]


def test_open_past_expected_close():
    check = open_past_expected_close(opportunities(), date(2024, 4, 1))
    # c expected 2024-03-01 (31 days before 2024-04-01); d is in the future; e has no date
    assert check.count == 1
    assert check.rows["external_id"].tolist() == ["c"]
    assert check.rows["days_overdue"].tolist() == [31]


def test_missing_amount_owner_source():
    check = missing_fields(opportunities())
    # b: no amount; c: no owner; d: no amount + no source; e: blank source
    assert check.count == 4
    assert check.rows.set_index("external_id")["missing"].to_dict() == {
        "b": "amount",
        "c": "owner",
        "d": "amount, source",
        "e": "source",
    }
    assert "no amount (2), no owner (1) or no lead source (2)" in check.description


def test_leads_without_channel_and_reps_without_territory():
    leads = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "external_id": ["l1", "l2", "l3"],
            "created_at": [D("2024-01-01")] * 3,
            "channel": ["web", None, ""],
        }
    )
    assert leads_without_channel(leads).rows["id"].tolist() == [2, 3]
    reps = pd.DataFrame(
        {"id": [1, 2], "name": ["Ann", "Bob"], "territory_id": pd.array([10, None], dtype="Int64")}
    )
    check = reps_without_territory(reps)
    assert check.count == 1 and check.rows["name"].tolist() == ["Bob"]


def test_run_checks_and_summary_and_json_rows():
    inputs = QualityInputs(
        accounts=pd.DataFrame({"id": [1, 2], "name": ["Acme Inc.", "ACME, Inc"]}),
        opportunities=opportunities(),
        leads=pd.DataFrame(
            {"id": [1], "external_id": ["l1"], "created_at": [D("2024-01-01")], "channel": [None]}
        ),
        reps=pd.DataFrame(
            {"id": [1], "name": ["Ann"], "territory_id": pd.array([None], dtype="Int64")}
        ),
        as_of=date(2024, 4, 1),
    )
    checks = run_checks(inputs)
    summary = summary_frame(checks)
    assert summary.set_index("key")["count"].to_dict() == {
        "duplicate_accounts": 2,
        "closed_before_created": 1,
        "open_past_close": 1,
        "missing_fields": 4,
        "leads_without_channel": 1,
        "reps_without_territory": 1,
    }
    as_json = checks[1].to_dict(max_rows=100)
    assert as_json["rows"][0]["created_at"] == "2024-01-10"
    assert as_json["rows"][0]["days_negative"] == 5


def test_clean_frames_give_zero_counts():
    empty = opportunities().iloc[0:0]
    assert closed_before_created(empty).count == 0
    assert missing_fields(empty).count == 0
    assert duplicate_accounts(pd.DataFrame({"id": [1], "name": ["Solo"]})).count == 0
