from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops import schema
from salesops.periods import Period
from salesops.repository import Scope
from salesops.territory_report import periods_for, territory_data
from tests.conftest import insert

AS_OF = date(2026, 6, 30)
BOOKINGS, QUOTA_YEAR = periods_for(AS_OF)  # 2025-07-01..2026-06-30, 2026-06-01..2027-05-31

TERRITORIES = [
    {"id": 1, "name": "East SMB", "region": "East", "segment": "SMB"},
    {"id": 2, "name": "East Ent", "region": "East", "segment": "Enterprise"},
    {"id": 3, "name": "West =cmd", "region": "West", "segment": "SMB"},
]
REPS = [
    {"id": 1, "name": "Ann", "territory_id": 1, "hire_date": date(2020, 1, 1),
     "annual_quota": 100.0, "weekly_capacity_hours": 40.0},
    {"id": 2, "name": "Bob", "territory_id": 2, "hire_date": date(2026, 3, 1),
     "annual_quota": 200.0, "weekly_capacity_hours": 32.0},
    {"id": 3, "name": "Cy", "territory_id": 2, "hire_date": date(2019, 1, 1),
     "end_date": date(2026, 1, 31), "annual_quota": 300.0, "weekly_capacity_hours": None},
]  # fmt: skip
ACCOUNTS = [
    {"id": i, "name": f"Acc {i}", "territory_id": t, "segment": seg, "annual_potential": pot}
    for i, t, seg, pot in [
        (1, 1, "SMB", 1000.0),
        (2, 1, "SMB", 500.0),
        (3, 2, "Enterprise", 9000.0),
        (4, 2, "Enterprise", None),
        (5, 3, "SMB", 0.0),
        (6, None, "SMB", 50.0),
    ]
]
STAGES = [
    {"name": n, "sort_order": i, "probability": p, "is_closed": c, "is_won": w}
    for i, (n, p, c, w) in enumerate(
        [("Open", 0.3, False, False), ("Won", 1.0, True, True), ("Lost", 0.0, True, False)]
    )
]
OPPS = [
    # id, account, rep, created, closed, stage, outcome, amount
    (1, 1, 1, date(2025, 1, 5), date(2025, 8, 1), "Won", "won", 100.0),  # in window
    (2, 1, 1, date(2025, 1, 5), date(2025, 6, 30), "Won", "won", 70.0),  # day before window
    (3, 1, 1, date(2026, 1, 5), date(2026, 6, 30), "Won", "won", 30.0),  # last day: in
    (4, 3, 2, date(2026, 3, 5), date(2026, 5, 1), "Won", "won", 900.0),
    (5, 3, 3, date(2025, 9, 5), date(2025, 12, 1), "Lost", "lost", 500.0),
    (6, 3, 2, date(2026, 4, 5), None, "Open", "open", 400.0),
    (7, 2, 1, date(2026, 5, 5), None, "Open", "open", 60.0),
    (8, 6, 1, date(2026, 5, 5), None, "Open", "open", 5.0),  # account without territory
    (9, 2, 3, date(2025, 10, 5), date(2025, 11, 1), "Won", "won", 40.0),
    (10, 2, 1, date(2026, 5, 5), date(2026, 5, 9), "Open", "open", 7.0),  # open but closed_at
]
QUOTAS = [
    (1, date(2026, 5, 1), 999.0),  # before the quota year
    (1, date(2026, 6, 1), 10.0),
    (1, date(2027, 5, 1), 20.0),  # last month of the quota year
    (1, date(2027, 6, 1), 999.0),  # after it
    (3, date(2025, 12, 1), 25.0),  # Cy: none in the quota year -> reps.annual_quota
]


def load(engine) -> None:
    insert(engine, schema.territories, TERRITORIES)
    insert(engine, schema.reps, [{"end_date": None, **r} for r in REPS])
    insert(engine, schema.accounts, ACCOUNTS)
    insert(engine, schema.stages, STAGES)
    cols = ["id", "account_id", "rep_id", "created_at", "closed_at", "stage", "outcome", "amount"]
    insert(engine, schema.opportunities, [dict(zip(cols, o, strict=True)) for o in OPPS])
    insert(
        engine,
        schema.quotas,
        [{"rep_id": r, "period_start": d, "amount": a} for r, d, a in QUOTAS],
    )


def oracle_frames():
    """The same figures computed with pandas from the rows above."""
    opps = pd.DataFrame(
        OPPS,
        columns=["id", "account_id", "rep_id", "created", "closed", "stage", "outcome", "amount"],
    )
    closed = pd.to_datetime(opps["closed"])
    in_window = (
        (opps["outcome"] == "won")
        & (closed >= pd.Timestamp(BOOKINGS.start))
        & (closed <= pd.Timestamp(BOOKINGS.end))
    )
    won = opps[in_window]
    acc = pd.DataFrame(ACCOUNTS)
    acc["bookings_12m"] = acc["id"].map(won.groupby("account_id")["amount"].sum()).fillna(0.0)
    is_open = (opps["outcome"] == "open") & opps["closed"].isna()
    opens = opps[is_open].merge(acc[["id", "territory_id"]], left_on="account_id", right_on="id")
    terr_pipe = opens.groupby("territory_id")["amount"].sum()
    rep_pipe = opps[is_open].groupby("rep_id")["amount"].sum()
    q = pd.DataFrame(QUOTAS, columns=["rep_id", "period_start", "amount"])
    q = q[(q["period_start"] >= QUOTA_YEAR.start) & (q["period_start"] <= QUOTA_YEAR.end)]
    quota = q.groupby("rep_id")["amount"].sum()
    reps = pd.DataFrame(REPS)
    reps["quota"] = reps["id"].map(quota).fillna(reps["annual_quota"])
    reps["bookings"] = reps["id"].map(won.groupby("rep_id")["amount"].sum()).fillna(0.0)
    reps["pipe"] = reps["id"].map(rep_pipe).fillna(0.0)
    return acc, reps, terr_pipe


def test_territory_queries_match_pandas(repo, engine):
    load(engine)
    data = territory_data(repo, as_of=AS_OF)
    acc, reps, terr_pipe = oracle_frames()
    got = data.accounts.set_index("id")
    assert got["bookings_12m"].to_dict() == acc.set_index("id")["bookings_12m"].to_dict()
    assert got.loc[1, "bookings_12m"] == 130.0  # 100 + 30; the 70 closed a day early
    assert got.loc[3, "region"] == "East" and pd.isna(got.loc[6, "region"])
    assert pd.isna(got.loc[4, "annual_potential"])
    assert str(got["annual_potential"].dtype) == "float64"
    assert str(data.accounts["territory_id"].dtype) == "Int64"

    r = data.reps.set_index("id")
    expected = reps.set_index("id")
    assert r["annual_quota"].to_dict() == expected["quota"].to_dict()
    assert r.loc[1, "annual_quota"] == 30.0  # 10 + 20 inside the quota year only
    assert r.loc[3, "annual_quota"] == 300.0  # no quota rows in the year -> reps.annual_quota
    assert r["bookings_12m"].to_dict() == expected["bookings"].to_dict()
    assert r["open_pipeline"].to_dict() == expected["pipe"].to_dict()
    assert pd.isna(r.loc[3, "weekly_capacity_hours"])
    assert str(data.reps["hire_date"].dtype).startswith("datetime64")

    t = data.territories.set_index("id")
    assert t["open_pipeline"].to_dict() == {
        tid: float(terr_pipe.get(tid, 0.0)) for tid in (1, 2, 3)
    }
    assert t.loc[3, "name"] == "West =cmd"


def test_scope_filters_territories_and_segments(repo, engine):
    load(engine)
    data = territory_data(repo, Scope(territory_ids=(2,)), as_of=AS_OF)
    assert data.accounts["id"].tolist() == [3, 4]
    assert data.reps["id"].tolist() == [2, 3]
    assert data.territories["id"].tolist() == [2]
    smb = territory_data(repo, Scope(segments=("SMB",)), as_of=AS_OF)
    assert sorted(smb.territories["id"].tolist()) == [1, 3]
    assert 3 not in smb.accounts["id"].tolist()


def test_empty_database_gives_empty_frames_and_today(repo):
    data = territory_data(repo)
    assert data.is_empty
    assert data.accounts.empty and data.reps.empty and data.territories.empty
    assert data.as_of <= date.today()


def test_report_runs_on_loaded_rows(repo, engine):
    from salesops.territory_report import territory_report

    load(engine)
    report = territory_report(repo, as_of=AS_OF)
    t = report.territories.set_index("territory_id")
    # Ann: ramped, 40 h x 46 = 1840; Bob hired 2026-03-01, 121 days in -> 32 x 46 x 121/180.
    assert t.loc[1, "capacity_hours"] == pytest.approx(1840.0)
    assert t.loc[2, "capacity_hours"] == pytest.approx(32 * 46 * 121 / 180)
    assert t.loc[3, "flag"] == "uncovered"
    assert report.proposal.status in {"improved", "no_improvement", "infeasible", "trivial"}


def test_bookings_window_is_365_days():
    assert Period(date(2025, 7, 1), date(2026, 6, 30)) == BOOKINGS
    assert Period(date(2026, 6, 1), date(2027, 5, 31)) == QUOTA_YEAR
