from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.db import schema
from salesops.db.rollups import refresh_rollups
from salesops.repository import Scope
from salesops.territory.report import periods_for, territory_data
from tests.conftest import insert

AS_OF = date(2026, 6, 30)
BOOKINGS, QUOTA_YEAR = periods_for(AS_OF)  # 2025-07-01..2026-06-30, 2026-07-01..2027-06-30

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
    (1, date(2026, 6, 1), 999.0),  # before the quota year
    (1, date(2026, 7, 1), 10.0),
    (1, date(2027, 6, 1), 20.0),  # last month of the quota year
    (1, date(2027, 7, 1), 999.0),  # after it
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
    refresh_rollups(engine)


def oracle():
    """The same figures computed with pandas from the rows above."""
    opps = pd.DataFrame(
        OPPS,
        columns=["id", "account_id", "rep_id", "created", "closed", "stage", "outcome", "amount"],
    )
    acc = pd.DataFrame(ACCOUNTS)
    opps = opps.merge(
        acc[["id", "territory_id", "segment"]].rename(columns={"id": "account_id"}),
        on="account_id",
        how="left",
    )
    closed = pd.to_datetime(opps["closed"])
    in_window = (
        (opps["outcome"] == "won")
        & (closed >= pd.Timestamp(BOOKINGS.start))
        & (closed <= pd.Timestamp(BOOKINGS.end))
    )
    won = opps[in_window]
    is_open = opps["outcome"] == "open"  # as the open-pipeline rollup (and the forecast) count
    q = pd.DataFrame(QUOTAS, columns=["rep_id", "period_start", "amount"])
    q = q[(q["period_start"] >= QUOTA_YEAR.start) & (q["period_start"] <= QUOTA_YEAR.end)]
    reps = pd.DataFrame(REPS).set_index("id")
    reps["quota"] = q.groupby("rep_id")["amount"].sum().reindex(reps.index)
    reps["quota"] = reps["quota"].fillna(reps["annual_quota"])
    reps["bookings"] = won.groupby("rep_id")["amount"].sum().reindex(reps.index).fillna(0.0)
    reps["pipe"] = opps[is_open].groupby("rep_id")["amount"].sum().reindex(reps.index)
    reps["pipe"] = reps["pipe"].fillna(0.0)
    facts = acc.assign(p=acc["annual_potential"].fillna(0.0)).groupby(
        ["territory_id", "segment"], dropna=False
    )
    return {
        "won": won,
        "reps": reps,
        "terr_pipe": reps.groupby("territory_id")["pipe"].sum(),
        "acc_bookings": won.groupby("account_id")["amount"].sum(),
        "counts": facts.size(),
        "potential": facts["p"].sum(),
        "terr_seg_bookings": won.groupby(["territory_id", "segment"])["amount"].sum(),
    }


def keyed(frame: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {
        tuple(None if pd.isna(v) else v for v in k): float(x)
        for k, x in frame.set_index(keys)[value].items()
    }


def test_territory_queries_match_pandas(repo, engine):
    load(engine)
    data = territory_data(repo, as_of=AS_OF)
    want = oracle()
    facts = keyed(data.accounts, ["territory_id", "segment"], "accounts")
    assert facts == {
        tuple(None if pd.isna(v) else v for v in k): float(n) for k, n in want["counts"].items()
    }
    potential = keyed(data.accounts, ["territory_id", "segment"], "annual_potential")
    assert potential[(2, "Enterprise")] == 9000.0  # the missing potential counts as 0
    assert potential[(None, "SMB")] == 50.0
    bookings = keyed(data.accounts, ["territory_id", "segment"], "bookings_12m")
    assert bookings[(1, "SMB")] == want["terr_seg_bookings"][(1, "SMB")] == 170.0  # 100+30+40
    assert bookings[(2, "Enterprise")] == 900.0

    r = data.reps.set_index("id")
    assert r["annual_quota"].to_dict() == want["reps"]["quota"].to_dict()
    assert r.loc[1, "annual_quota"] == 30.0  # 10 + 20 inside the quota year only
    assert r.loc[3, "annual_quota"] == 300.0  # no quota rows in the year -> reps.annual_quota
    assert r["bookings_12m"].to_dict() == want["reps"]["bookings"].to_dict()
    assert r["open_pipeline"].to_dict() == want["reps"]["pipe"].to_dict()
    assert pd.isna(r.loc[3, "weekly_capacity_hours"])
    assert str(data.reps["hire_date"].dtype).startswith("datetime64")

    assert data.territories.set_index("id").loc[3, "name"] == "West =cmd"
    # A territory's pipeline is its active reps' (Cy has left): from the report's table
    from salesops.territory.report import build_report

    t = build_report(data).territories.set_index("territory_id")
    active = want["reps"][want["reps"].index != 3]
    assert t["open_pipeline"].to_dict() == {
        tid: float(active.groupby("territory_id")["pipe"].sum().get(tid, 0.0)) for tid in (1, 2, 3)
    }


def test_rollup_and_raw_bookings_agree(repo, engine):
    load(engine)
    rollup = repo.territory_bookings(BOOKINGS, source="rollup")
    raw = repo.territory_bookings(BOOKINGS, source="raw")
    keys = ["rep_id", "territory_id", "segment"]
    nonzero = lambda f: {k: v for k, v in keyed(f, keys, "bookings").items() if v}  # noqa: E731
    assert nonzero(rollup) == nonzero(raw)  # the rollup also has lost-only groups at 0
    assert sum(keyed(raw, keys, "bookings").values()) == oracle()["won"]["amount"].sum()
    # A window that is not whole months reads the opportunities: the 70 closed on 2025-06-30.
    partial = repo.territory_bookings(Period(date(2025, 6, 30), date(2025, 7, 15)))
    assert partial["bookings"].sum() == 70.0


def test_account_rows_and_details(repo, engine):
    load(engine)
    rows = repo.territory_accounts().set_index("id")
    assert len(rows) == len(ACCOUNTS)
    assert rows.loc[3, "region"] == "East" and pd.isna(rows.loc[6, "region"])
    assert pd.isna(rows.loc[4, "annual_potential"])
    assert str(repo.territory_accounts()["territory_id"].dtype) == "Int64"
    details = repo.account_details((1, 2, 3, 5), BOOKINGS).set_index("id")
    # Current owner: the rep holding most of the account's open pipeline, else the rep of its
    # latest deal; open pipeline summed over open deals.
    assert details.loc[3, "owner"] == "Bob" and details.loc[3, "open_pipeline"] == 400.0
    assert details.loc[2, "owner"] == "Ann" and details.loc[2, "open_pipeline"] == 67.0
    assert details.loc[1, "owner"] == "Ann" and details.loc[1, "open_pipeline"] == 0.0
    assert pd.isna(details.loc[5, "owner"]) and details.loc[5, "open_pipeline"] == 0.0
    want = oracle()["acc_bookings"]
    assert details["bookings_12m"].to_dict() == {i: float(want.get(i, 0.0)) for i in (1, 2, 3, 5)}
    assert details.loc[1, "bookings_12m"] == 130.0  # 100 + 30; the 70 closed a day early
    assert repo.account_details((), BOOKINGS).empty


def test_scope_filters_territories_and_segments(repo, engine):
    load(engine)
    data = territory_data(repo, Scope(territory_ids=(2,)), as_of=AS_OF)
    assert data.accounts["territory_id"].unique().tolist() == [2]
    assert int(data.accounts["accounts"].sum()) == 2
    assert data.reps["id"].tolist() == [2, 3]
    assert data.territories["id"].tolist() == [2]
    smb = territory_data(repo, Scope(segments=("SMB",)), as_of=AS_OF)
    assert sorted(smb.territories["id"].tolist()) == [1, 3]
    assert set(smb.accounts["segment"]) == {"SMB"}
    assert repo.territory_accounts(Scope(territory_ids=(2,)))["id"].tolist() == [3, 4]


def test_empty_database_gives_empty_frames_and_today(repo):
    data = territory_data(repo)
    assert data.is_empty
    assert data.accounts.empty and data.reps.empty and data.territories.empty
    assert data.as_of <= date.today()


def test_report_runs_on_loaded_rows(repo, engine):
    from salesops.territory.report import territory_report

    load(engine)
    report = territory_report(repo, as_of=AS_OF)
    t = report.territories.set_index("territory_id")
    # No time logs: the stated selling share 1/3 (labelled); too few hires to measure a ramp:
    # the stated 6-month linear one. Ann: 40 h x 46 / 3; Bob, hired in March, is in tenure
    # month 4 in June: (4 - 0.5) / 6 of 32 h x 46 / 3. Cy has left.
    assert report.capacity.shares.team_source == "assumed (no time logs)"
    assert report.capacity.ramp.source == "default"
    assert t.loc[1, "capacity_hours"] == pytest.approx(40 * 46 / 3)
    assert t.loc[2, "capacity_hours"] == pytest.approx(32 * 46 / 3 * 3.5 / 6)
    assert t.loc[1, "bookings_12m"] == 170.0
    assert t.loc[3, "flag"] == "uncovered"
    assert report.proposal.status in {"improved", "no_improvement", "infeasible", "trivial"}


def test_pipeline_rollup_and_raw_agree(repo, engine):
    load(engine)
    keys = ["rep_id", "territory_id", "segment"]
    rollup = repo.territory_pipeline(QUOTA_YEAR)
    raw = repo.territory_pipeline(QUOTA_YEAR, source="raw")
    for col in ("deals", "open_pipeline", "pipeline_in_year"):
        assert keyed(rollup, keys, col) == keyed(raw, keys, col)
    by_rep = rollup.groupby("rep_id")["open_pipeline"].sum()
    assert by_rep.to_dict() == {1: 72.0, 2: 400.0}  # 60 + 5 + 7 (outcome open); Bob 400
    assert rollup["pipeline_in_year"].sum() == 0.0  # no expected close dates in these rows


def test_bookings_window_is_365_days():
    assert Period(date(2025, 7, 1), date(2026, 6, 30)) == BOOKINGS
    assert Period(date(2026, 7, 1), date(2027, 6, 30)) == QUOTA_YEAR
