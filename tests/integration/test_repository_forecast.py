from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.demo.catalog import STAGES
from salesops.repository import Scope
from tests.conftest import insert

OPPS = [
    # id, account, rep, created, expected, closed, stage, outcome, amount
    (1, 1, 1, "2026-01-05", "2026-02-01", "2026-01-20", "Closed Won", "won", 100.0),
    (2, 1, 1, "2026-01-06", "2026-02-01", "2026-01-25", "Closed Won", "won", 50.0),
    (3, 2, 2, "2026-01-10", "2026-03-01", "2026-03-04", "Closed Won", "won", 30.0),
    (4, 3, 3, "2026-02-01", "2026-03-01", "2026-03-10", "Closed Lost", "lost", 70.0),
    (5, 3, 3, "2026-02-02", "2026-04-15", None, "Proposal", "open", 400.0),
    (6, 1, 1, "2026-02-03", "2026-04-20", None, "Commit", "open", 600.0),
    (7, 2, 2, "2026-02-04", "2026-07-02", None, "Proposal", "open", 800.0),
    (8, 2, 2, "2026-02-05", None, None, "Prospecting", "open", 5.0),
]
HISTORY = [
    # opportunity, changed_at, stage, outcome
    (1, "2026-01-05", "Prospecting", "open"),
    (1, "2026-01-10", "Proposal", "open"),
    (1, "2026-01-20", "Closed Won", "won"),
    (2, "2026-01-06", "Proposal", "open"),
    (2, "2026-01-25", "Closed Won", "won"),
    (3, "2026-01-10", "Prospecting", "open"),
    (3, "2026-03-04", "Closed Won", "won"),
    (4, "2026-02-01", "Prospecting", "open"),
    (4, "2026-02-10", "Proposal", "open"),
    (4, "2026-02-11", "Proposal", "open"),  # an amount change: same stage twice
    (4, "2026-03-10", "Closed Lost", "lost"),
    (5, "2026-02-02", "Proposal", "open"),
]


def _fill(engine: sa.Engine) -> None:
    insert(
        engine,
        s.territories,
        [
            {"id": 1, "name": "North", "segment": "Enterprise"},  # same keys in every row
            {"id": 2, "name": "South", "segment": "SMB"},
        ],
    )
    insert(
        engine,
        s.stages,
        [
            {"name": n, "sort_order": o, "probability": p, "is_closed": c, "is_won": w}
            for n, o, p, c, w in STAGES
        ],
    )
    insert(
        engine,
        s.reps,
        [
            {
                "id": 1,
                "name": "Ann",
                "territory_id": 1,
                "hire_date": date(2020, 1, 1),
                "end_date": None,
            },
            {
                "id": 2,
                "name": "Bob",
                "territory_id": 2,
                "hire_date": date(2020, 1, 1),
                "end_date": None,
            },
            {
                "id": 3,
                "name": "Cy",
                "territory_id": 2,
                "hire_date": date(2020, 1, 1),
                "end_date": date(2026, 3, 31),
            },
        ],
    )
    insert(
        engine,
        s.accounts,
        [
            {"id": 1, "name": "A", "territory_id": 1, "segment": "Enterprise"},
            {"id": 2, "name": "B", "territory_id": 2, "segment": "SMB"},
            {"id": 3, "name": "C", "territory_id": 2, "segment": "Enterprise"},
        ],
    )
    insert(
        engine,
        s.opportunities,
        [
            {
                "id": i,
                "account_id": a,
                "rep_id": r,
                "created_at": date.fromisoformat(c),
                "expected_close_date": date.fromisoformat(e) if e else None,
                "closed_at": date.fromisoformat(cl) if cl else None,
                "stage": st,
                "outcome": out,
                "amount": amt,
            }
            for i, a, r, c, e, cl, st, out, amt in OPPS
        ],
    )
    insert(
        engine,
        s.opportunity_history,
        [
            {
                "opportunity_id": o,
                "changed_at": date.fromisoformat(d),
                "stage": st,
                "outcome": out,
            }
            for o, d, st, out in HISTORY
        ],
    )
    insert(
        engine,
        s.quotas,
        [
            {"rep_id": 1, "period_start": date(2026, 4, 1), "amount": 100.0},
            {"rep_id": 1, "period_start": date(2026, 5, 1), "amount": 110.0},
            {"rep_id": 2, "period_start": date(2026, 4, 1), "amount": 60.0},
            {"rep_id": 3, "period_start": date(2026, 4, 1), "amount": 40.0},
            {"rep_id": 2, "period_start": date(2026, 9, 1), "amount": 999.0},
        ],
    )
    refresh_rollups(engine)


@pytest.fixture
def filled(engine, filled_copy):
    """The `engine` holding the deals, history and quotas above, its rollups built."""
    return filled_copy(engine, _fill)


def opps_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        OPPS,
        columns=[
            "id",
            "account",
            "rep",
            "created",
            "expected",
            "closed",
            "stage",
            "outcome",
            "amt",
        ],
    )
    accounts = {1: (1, "Enterprise"), 2: (2, "SMB"), 3: (2, "Enterprise")}
    frame["territory_id"] = frame["account"].map(lambda a: accounts[a][0])
    frame["segment"] = frame["account"].map(lambda a: accounts[a][1])
    return frame


@pytest.mark.parametrize("freq", ["M", "W"])
@pytest.mark.parametrize("source", ["auto", "raw"])
def test_bookings_by_period_matches_pandas(filled, repo, freq, source):
    got = repo.bookings_by_period(freq, source=source)
    won = opps_frame().query("outcome == 'won'").copy()
    closed = pd.to_datetime(won["closed"])
    won["ds"] = (
        closed.dt.to_period("M").dt.start_time
        if freq == "M"
        else closed - pd.to_timedelta(closed.dt.day_of_week, unit="D")
    )
    expected = (
        won.groupby(["ds", "territory_id", "segment"])
        .agg(y=("amt", "sum"), deals=("id", "count"))
        .reset_index()
    )
    assert list(got.columns) == ["ds", "territory_id", "segment", "y", "deals"]
    assert str(got["ds"].dtype) == "datetime64[ns]" and str(got["y"].dtype) == "float64"
    pd.testing.assert_frame_equal(
        got[["ds", "y", "deals"]].astype({"deals": "int64"}).reset_index(drop=True),
        expected[["ds", "y", "deals"]].astype({"ds": "datetime64[ns]"}).reset_index(drop=True),
    )
    # by hand: January 100 + 50 in North, March 30 in South
    if freq == "M":
        assert list(got["y"]) == [150.0, 30.0]


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_bookings_and_pipeline_scope_filters(filled, repo, source):
    south = repo.bookings_by_period("M", Scope(territory_ids=(2,)), source=source)
    assert list(south["y"]) == [30.0]
    enterprise = repo.bookings_by_period("W", Scope(segments=("Enterprise",)), source=source)
    assert enterprise["y"].sum() == 150.0
    for scope in (Scope(territory_ids=(2,)), Scope(segments=("Enterprise",)), Scope(rep_ids=(1,))):
        pd.testing.assert_frame_equal(
            repo.open_pipeline(scope, source=source), repo.open_pipeline(scope, source="raw")
        )
        assert repo.open_pipeline(scope, source=source)["deals"].sum() > 0


@pytest.mark.parametrize("source", ["auto", "raw"])
def test_open_pipeline_matches_pandas(filled, repo, source):
    got = repo.open_pipeline(source=source)
    open_ = opps_frame().query("outcome == 'open'")
    assert got["open_amount"].sum() == open_["amt"].sum() == 1805.0
    april = got[got["expected_close"] == pd.Timestamp("2026-04-01")]
    assert set(april["stage"]) == {"Proposal", "Commit"}
    assert april["open_amount"].sum() == 1000.0  # 400 + 600
    no_date = got[got["expected_close"].isna()]
    assert list(no_date["open_amount"]) == [5.0]


def test_stage_outcomes_counts_distinct_closed_deals(filled, repo):
    got = repo.stage_outcomes().set_index("stage")
    # Prospecting: closed deals 1 (won), 3 (won), 4 (lost) -> reached 3, won 2
    assert (got.loc["Prospecting", "reached"], got.loc["Prospecting", "won"]) == (3, 2)
    # Proposal: deals 1, 2 (won), 4 (lost, twice in history, counted once); 5 is open
    assert (got.loc["Proposal", "reached"], got.loc["Proposal", "won"]) == (3, 2)
    since = repo.stage_outcomes(closed_since=date(2026, 3, 1)).set_index("stage")
    # only deals 3 (won 2026-03-04) and 4 (lost 2026-03-10) closed since March
    assert (since.loc["Prospecting", "reached"], since.loc["Prospecting", "won"]) == (2, 1)


def test_quotas_and_active_reps(filled, repo):
    q = repo.quotas_by_month(date(2026, 4, 1), date(2026, 6, 30))
    assert q["amount"].sum() == 310.0  # 100 + 110 + 60 + 40; September is outside
    north = repo.quotas_by_month(date(2026, 4, 1), date(2026, 6, 30), Scope(territory_ids=(1,)))
    assert north["amount"].sum() == 210.0
    reps = repo.active_reps(date(2026, 5, 1)).set_index("territory_id")
    assert reps.loc[1, "reps"] == 1 and reps.loc[2, "reps"] == 1  # Cy left in March
    assert repo.active_reps(date(2026, 3, 1))["reps"].sum() == 3
    stages = repo.stages()
    assert list(stages["name"])[:2] == ["Prospecting", "Qualification"]
    assert stages["is_closed"].dtype == bool


def test_empty_database_returns_typed_empty_frames(repo):
    assert repo.bookings_by_period("M").empty
    assert repo.bookings_by_period("W").empty
    assert repo.open_pipeline().empty
    assert repo.stage_outcomes().empty
    assert repo.active_reps(date(2026, 1, 1)).empty


def test_stage_outcomes_from_mid_month_match_the_base_tables(filled, repo):
    # 4 March 2026 is mid-month: March's first days must be left out, the rest from the rollup.
    got = repo.stage_outcomes(closed_since=date(2026, 3, 5)).set_index("stage")
    # only deal 4 (lost 2026-03-10) closed on or after 5 March
    assert (got.loc["Prospecting", "reached"], got.loc["Prospecting", "won"]) == (1, 0)


WON_AMOUNT_SCOPES = [Scope(), Scope(territory_ids=(1,)), Scope(territory_ids=(2,))]
WON_AMOUNT_SCOPES += [Scope(segments=("SMB",)), Scope(rep_ids=(2,)), Scope(rep_ids=(3,))]


@pytest.mark.parametrize("scope", WON_AMOUNT_SCOPES)
def test_won_amount_counts_from_rollups_equal_the_plain_query(filled, repo, scope):
    # deal 3 (won, South, rep 2) loses its amount; deal 4 (lost) too, which must not count
    with filled.begin() as conn:
        conn.execute(
            s.opportunities.update().where(s.opportunities.c.id.in_((3, 4))).values(amount=None)
        )
    refresh_rollups(filled)
    assert repo.won_amount_counts(scope) == repo.won_amount_counts(scope, source="raw")
    # until a day: whole months from the rollup, the rest of the last month from the deals
    for until in (date(2026, 1, 21), date(2026, 3, 1), date(2026, 3, 5), date(2026, 4, 1)):
        rolled = repo.won_amount_counts(scope, until)
        assert rolled == repo.won_amount_counts(scope, until, source="raw"), until


def test_won_amount_counts_say_which_scopes_have_undefined_bookings(filled, repo):
    from salesops.kpis.won_amounts import won_amounts

    assert repo.won_amount_counts() == {"won": 3, "without_amount": 0}
    assert repo.won_amount_counts(until=date(2026, 1, 25)) == {"won": 1, "without_amount": 0}
    with filled.begin() as conn:
        conn.execute(s.opportunities.update().where(s.opportunities.c.id == 3).values(amount=None))
    refresh_rollups(filled)
    whole = won_amounts(repo)
    assert (whole.won, whole.without_amount, whole.undefined) == (3, 1, False)
    assert whole.caption == "1 of 3 won deals have no amount: bookings count only the 2 that do."
    south = won_amounts(repo, Scope(territory_ids=(2,)))  # its one won deal has no amount
    assert south.undefined and south.reason is not None
    assert south.reason.startswith("Bookings undefined: the one won deal has no amount")
    assert won_amounts(repo, Scope(rep_ids=(3,))).reason is None  # no won deal: a true 0
