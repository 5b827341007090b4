"""Time-allocation queries on SQLite and PostgreSQL: rollup path == raw path == pandas oracle."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.calendar import Period
from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.repository import Scope

ACTIVITY_TYPES = [
    ("call", "selling", False),
    ("quote", "non_selling", True),
    ("admin", "non_selling", False),
]
# Weeks from Monday 2024-12-30 (belongs to December) to 2025-03-03: 10 weeks.
WEEKS = [date(2024, 12, 30) + timedelta(weeks=i) for i in range(10)]


def _activity_rows() -> list[dict]:
    rows = []
    for rep_id in (1, 2, 3):
        for i, week in enumerate(WEEKS):
            if rep_id == 3 and i % 3 == 0:
                continue  # rep 3 skips some weeks
            rows.append(
                {
                    "rep_id": rep_id,
                    "week_start": week,
                    "activity": "call",
                    "hours": 10.0 + rep_id + i,
                    "count": None,
                }
            )
            rows.append(
                {
                    "rep_id": rep_id,
                    "week_start": week,
                    "activity": "quote",
                    "hours": 2.5 * rep_id,
                    "count": rep_id + i % 2,
                }
            )
            if i % 2 == 0:
                rows.append(
                    {
                        "rep_id": rep_id,
                        "week_start": week,
                        "activity": "admin",
                        "hours": 4.0,
                        "count": None,
                    }
                )
    return rows


OPPORTUNITIES = [
    # id, rep, closed_at, outcome, amount
    (1, 1, date(2025, 1, 10), "won", 1000.0),
    (2, 1, date(2025, 2, 3), "won", 500.0),
    (3, 2, date(2025, 1, 20), "won", 2000.0),
    (4, 2, date(2025, 1, 21), "lost", 9999.0),
    (5, 3, date(2024, 12, 5), "won", 300.0),
    (6, 3, date(2025, 2, 28), "won", 700.0),
]


def _load(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            s.territories.insert(),
            [
                {"id": 1, "name": "North", "segment": "SMB"},
                {"id": 2, "name": "South", "segment": "Enterprise"},
            ],
        )
        conn.execute(
            s.reps.insert(),
            [
                {
                    "id": i,
                    "name": f"Rep {i}",
                    "territory_id": t,
                    "manager": m,
                    "hire_date": date(2024, 6, 1),
                    "annual_cost": 100000.0 + i,
                    "weekly_capacity_hours": 40.0,
                }
                for i, t, m in [(1, 1, "M1"), (2, 1, "M2"), (3, 2, "M2"), (4, 2, "M2")]
            ],
        )
        conn.execute(
            s.activity_types.insert(),
            [{"activity": a, "category": c, "is_back_office": b} for a, c, b in ACTIVITY_TYPES],
        )
        conn.execute(s.activities.insert(), _activity_rows())
        conn.execute(
            s.stages.insert(),
            [
                {
                    "name": "Won",
                    "sort_order": 1,
                    "probability": 1,
                    "is_closed": True,
                    "is_won": True,
                },
                {
                    "name": "Lost",
                    "sort_order": 2,
                    "probability": 0,
                    "is_closed": True,
                    "is_won": False,
                },
            ],
        )
        conn.execute(s.accounts.insert(), [{"id": 1, "name": "Acme", "territory_id": 1}])
        conn.execute(
            s.opportunities.insert(),
            [
                {
                    "id": i,
                    "account_id": 1,
                    "rep_id": r,
                    "created_at": d - timedelta(days=30),
                    "closed_at": d,
                    "stage": "Won" if o == "won" else "Lost",
                    "outcome": o,
                    "amount": a,
                }
                for i, r, d, o, a in OPPORTUNITIES
            ],
        )
    refresh_rollups(engine)


@pytest.fixture
def loaded(engine: sa.Engine, filled_copy) -> sa.Engine:
    """The `engine` holding three reps' activities and six deals, its rollups built."""
    return filled_copy(engine, _load)


def _oracle_rep_activity(
    period: Period, reps: set[int] | None = None, extra: list[dict] | None = None
) -> pd.DataFrame:
    rows = pd.DataFrame(_activity_rows() + (extra or []))
    rows = rows[rows["week_start"].between(period.start, period.end)]
    if reps is not None:
        rows = rows[rows["rep_id"].isin(reps)]
    out = rows.groupby(["rep_id", "activity"], as_index=False).agg(
        hours=("hours", "sum"), count=("count", lambda c: c.sum(min_count=1))
    )
    return out.astype({"rep_id": "Int64", "count": "Int64"}).reset_index(drop=True)


def _same(result: pd.DataFrame, oracle: pd.DataFrame, keys: list[str]) -> None:
    left = result.sort_values(keys).reset_index(drop=True)
    right = oracle.sort_values(keys).reset_index(drop=True)[list(result.columns)]
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=False)


WHOLE_MONTHS = Period(date(2025, 1, 1), date(2025, 2, 28))
PARTIAL = Period(date(2025, 1, 8), date(2025, 2, 20))


@pytest.mark.parametrize("source", ["rollup", "raw", "auto"])
def test_hours_by_rep_whole_months_all_paths_agree(loaded, repo, source):
    result = repo.activity_hours_by_rep(WHOLE_MONTHS, source=source)
    assert list(result.columns) == ["rep_id", "activity", "hours", "count"]
    assert str(result["rep_id"].dtype) == "Int64" and result["hours"].dtype == "float64"
    _same(result, _oracle_rep_activity(WHOLE_MONTHS), ["rep_id", "activity"])
    # the week of Monday 2024-12-30 belongs to December: not in January's totals
    call_1 = result[(result["rep_id"] == 1) & (result["activity"] == "call")]["hours"].iloc[0]
    assert call_1 == sum(10.0 + 1 + i for i in range(1, 9))  # weeks 1..8 (Jan 6 .. Feb 24)


def test_hours_by_rep_partial_period_and_scope(loaded, repo):
    result = repo.activity_hours_by_rep(PARTIAL)
    _same(result, _oracle_rep_activity(PARTIAL), ["rep_id", "activity"])
    south = repo.activity_hours_by_rep(WHOLE_MONTHS, Scope(territory_ids=(2,)))
    assert set(south["rep_id"]) == {3}
    _same(south, _oracle_rep_activity(WHOLE_MONTHS, {3}), ["rep_id", "activity"])
    smb = repo.activity_hours_by_rep(WHOLE_MONTHS, Scope(segments=("SMB",)))
    assert set(smb["rep_id"]) == {1, 2}  # the reps' territory segment
    one = repo.activity_hours_by_rep(PARTIAL, Scope(rep_ids=(2,)), source="raw")
    _same(one, _oracle_rep_activity(PARTIAL, {2}), ["rep_id", "activity"])


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2024, 12, 20), date(2025, 3, 5)),  # Jan-Feb whole, two partial edges
        Period(date(2025, 2, 1), date(2025, 3, 15)),  # one whole month, one edge
        Period(date(2024, 1, 1), date(2026, 12, 31)),  # beyond the data on both sides
        Period(date(2025, 3, 1), date(2025, 3, 31)),  # the last month with time logged
        Period(date(2025, 4, 1), date(2025, 6, 30)),  # after everything: nothing
        Period(date(2024, 10, 1), date(2024, 11, 30)),  # before everything: nothing
    ],
)
def test_running_totals_equal_the_base_table(loaded, repo, period):
    scopes = [Scope(), Scope(territory_ids=(2,)), Scope(rep_ids=(1, 3))]
    for scope in scopes:
        reps = {1: {1}, 2: {3}}.get(scope.territory_ids[0]) if scope.territory_ids else None
        reps = set(scope.rep_ids) if scope.rep_ids else reps
        oracle = _oracle_rep_activity(period, reps)
        auto = repo.activity_hours_by_rep(period, scope)
        _same(auto, oracle, ["rep_id", "activity"])
        assert str(auto["count"].dtype) == "Int64"  # NULL where no row counted units


def test_running_totals_skip_reps_idle_in_the_period_and_months_nobody_logged(loaded, repo):
    # rep 4 logs only in November; nobody logs in April; rep 1 logs again in May
    extra = [
        {"rep_id": 4, "week_start": date(2024, 11, 4), "activity": "call", "hours": 7.0},
        {"rep_id": 1, "week_start": date(2025, 5, 5), "activity": "call", "hours": 3.0},
        {"rep_id": 1, "week_start": date(2025, 5, 12), "activity": "quote", "hours": 1.0},
    ]
    extra = [{"count": None, **row} for row in extra]
    extra[-1]["count"] = 2
    with loaded.begin() as conn:
        conn.execute(s.activities.insert(), extra)
    refresh_rollups(loaded)
    for period in (
        WHOLE_MONTHS,
        Period(date(2025, 4, 1), date(2025, 5, 31)),
        Period(date(2025, 4, 1), date(2025, 4, 30)),
        Period(date(2025, 2, 1), date(2025, 12, 31)),
    ):
        result = repo.activity_hours_by_rep(period, source="rollup")
        _same(result, _oracle_rep_activity(period, extra=extra), ["rep_id", "activity"])
        assert 4 not in set(result["rep_id"])  # idle in the period: no zero-hour rows


@pytest.mark.parametrize("source", ["rollup", "raw"])
def test_weekly_trend_paths_agree(loaded, repo, source):
    result = repo.activity_hours_by_period(PARTIAL, freq="W", source=source)
    rows = pd.DataFrame(_activity_rows())
    rows = rows[rows["week_start"].between(PARTIAL.start, PARTIAL.end)]
    oracle = rows.groupby(["week_start", "activity"], as_index=False)["hours"].sum()
    oracle = oracle.rename(columns={"week_start": "period"})
    oracle["period"] = pd.to_datetime(oracle["period"])
    _same(result, oracle, ["period", "activity"])
    north = repo.activity_hours_by_period(PARTIAL, Scope(territory_ids=(1,)), "W", source)
    oracle_n = (
        rows[rows["rep_id"].isin([1, 2])]
        .groupby(["week_start", "activity"], as_index=False)["hours"]
        .sum()
        .rename(columns={"week_start": "period"})
    )
    oracle_n["period"] = pd.to_datetime(oracle_n["period"])
    _same(north, oracle_n, ["period", "activity"])


@pytest.mark.parametrize("source", ["rollup", "raw"])
def test_monthly_trend_paths_agree(loaded, repo, source):
    period = Period(date(2024, 12, 1), date(2025, 3, 31))
    result = repo.activity_hours_by_period(period, Scope(rep_ids=(1, 3)), "M", source)
    rows = pd.DataFrame(_activity_rows())
    rows = rows[rows["rep_id"].isin([1, 3])]
    rows["period"] = pd.to_datetime(rows["week_start"]).dt.to_period("M").dt.to_timestamp()
    oracle = rows.groupby(["period", "activity"], as_index=False)["hours"].sum()
    _same(result, oracle, ["period", "activity"])
    assert result["period"].dt.day.eq(1).all()


@pytest.mark.parametrize(
    "period",
    [Period(date(2024, 12, 1), date(2025, 3, 31)), Period(date(2025, 1, 8), date(2025, 3, 2))],
)
@pytest.mark.parametrize(
    "scope", [Scope(), Scope(territory_ids=(2,)), Scope(segments=("SMB",)), Scope(rep_ids=(2,))]
)
def test_monthly_trend_every_scope_matches_the_base_table(loaded, repo, period, scope):
    reps = {(): None, (2,): {3}}.get(scope.territory_ids)
    reps = {1, 2} if scope.segments else reps
    reps = set(scope.rep_ids) if scope.rep_ids else reps
    rows = pd.DataFrame(_activity_rows())
    rows = rows[rows["week_start"].between(period.start, period.end)]
    if reps is not None:
        rows = rows[rows["rep_id"].isin(reps)]
    rows["period"] = pd.to_datetime(rows["week_start"]).dt.to_period("M").dt.to_timestamp()
    oracle = rows.groupby(["period", "activity"], as_index=False)["hours"].sum()
    for source in ("auto", "raw"):
        result = repo.activity_hours_by_period(period, scope, "M", source)
        _same(result, oracle, ["period", "activity"])


def test_rep_scope_weekly_reads_base_table(loaded, repo):
    auto = repo.activity_hours_by_period(PARTIAL, Scope(rep_ids=(3,)), "W")
    raw = repo.activity_hours_by_period(PARTIAL, Scope(rep_ids=(3,)), "W", "raw")
    _same(auto, raw, ["period", "activity"])


def test_unbuilt_rollup_falls_back_to_base_table(loaded, repo):
    with loaded.begin() as conn:
        conn.execute(s.rollup_activity_months.delete())
        conn.execute(s.rollup_activity_weeks.delete())
        conn.execute(s.rollup_activity_running.delete())
        conn.execute(s.rollup_activity_territory_months.delete())
        conn.execute(s.rollup_closed_opportunities.delete())
    bookings = repo.bookings_by_rep(WHOLE_MONTHS)
    assert dict(zip(bookings["rep_id"], bookings["bookings"], strict=True)) == {
        1: 1500.0,
        2: 2000.0,
        3: 700.0,
    }
    assert len(repo.bookings_by_rep_month()) == 5
    result = repo.activity_hours_by_rep(WHOLE_MONTHS)  # auto: rollup empty -> raw
    _same(result, _oracle_rep_activity(WHOLE_MONTHS), ["rep_id", "activity"])
    weekly = repo.activity_hours_by_period(PARTIAL, freq="W")
    assert weekly["hours"].sum() == pytest.approx(
        pd.DataFrame(_activity_rows())
        .query("@PARTIAL.start <= week_start <= @PARTIAL.end")["hours"]
        .sum()
    )


@pytest.mark.parametrize("source", ["rollup", "raw"])
def test_bookings_by_rep(loaded, repo, source):
    result = repo.bookings_by_rep(WHOLE_MONTHS, source=source)
    # rep 1: 1000 + 500; rep 2: 2000 (the lost 9999 not counted); rep 3: 700 (Dec excluded)
    assert dict(zip(result["rep_id"], result["bookings"], strict=True)) == {
        1: 1500.0,
        2: 2000.0,
        3: 700.0,
    }
    scoped = repo.bookings_by_rep(WHOLE_MONTHS, Scope(territory_ids=(2,)), source=source)
    assert list(scoped["rep_id"]) == [3]


def test_bookings_partial_period_and_by_month(loaded, repo):
    partial = repo.bookings_by_rep(Period(date(2025, 1, 15), date(2025, 2, 27)))
    assert dict(zip(partial["rep_id"], partial["bookings"], strict=True)) == {1: 500.0, 2: 2000.0}
    for source in ("rollup", "raw"):
        monthly = repo.bookings_by_rep_month(source=source)
        assert list(monthly.columns) == ["rep_id", "month", "bookings"]
        got = {(r, m.strftime("%Y-%m")): b for r, m, b in monthly.itertuples(index=False)}
        assert got == {
            (1, "2025-01"): 1000.0,
            (1, "2025-02"): 500.0,
            (2, "2025-01"): 2000.0,
            (3, "2024-12"): 300.0,
            (3, "2025-02"): 700.0,
        }


def test_bookings_whole_months_from_rollup_plus_partial_edges(loaded, repo):
    # December 3 .. February 27: January from the rollup, the two edges from the deals
    period = Period(date(2024, 12, 3), date(2025, 2, 27))
    for source in ("auto", "raw"):
        result = repo.bookings_by_rep(period, source=source)
        assert dict(zip(result["rep_id"], result["bookings"], strict=True)) == {
            1: 1500.0,
            2: 2000.0,
            3: 300.0,
        }
    with loaded.begin() as conn:  # rep 4 only loses a deal in January
        conn.execute(
            s.opportunities.insert().values(
                id=7,
                account_id=1,
                rep_id=4,
                created_at=date(2024, 12, 1),
                closed_at=date(2025, 1, 9),
                stage="Lost",
                outcome="lost",
                amount=50.0,
            )
        )
    refresh_rollups(loaded)
    assert 4 not in set(repo.bookings_by_rep(WHOLE_MONTHS, source="rollup")["rep_id"])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 12, 1), date(2025, 2, 28)),
        (date(2024, 12, 4), date(2025, 2, 2)),  # edges with and without whole weeks
        (date(2025, 1, 6), date(2025, 3, 30)),
        (date(2025, 2, 3), date(2025, 2, 28)),  # one partial month: weeks and days
        (date(2024, 11, 1), date(2025, 1, 31)),
    ],
)
def test_bookings_every_path_equals_the_deals(loaded, repo, start, end):
    period = Period(start, end)
    oracle: dict[int, float] = {}
    for _, rep, closed, outcome, amount in OPPORTUNITIES:
        if outcome == "won" and start <= closed <= end:
            oracle[rep] = oracle.get(rep, 0.0) + amount
    for source in ("auto", "raw"):
        result = repo.bookings_by_rep(period, source=source)
        assert dict(zip(result["rep_id"], result["bookings"], strict=True)) == oracle


def test_bookings_by_month_for_recent_hires_only(loaded, repo):
    with loaded.begin() as conn:
        conn.execute(s.reps.update().where(s.reps.c.id == 2).values(hire_date=date(2020, 1, 1)))
    recent = repo.bookings_by_rep_month(hired_since=date(2022, 1, 1))
    assert set(recent["rep_id"]) == {1, 3}  # rep 2 was hired in 2020
    assert len(repo.bookings_by_rep_month(hired_since=date(2030, 1, 1))) == 0


def test_reps_types_and_bounds(loaded, repo):
    reps = repo.time_reps()
    assert list(reps["id"]) == [1, 2, 3, 4]
    assert reps["annual_cost"].dtype == "float64"
    assert reps["hire_date"].dtype == "datetime64[ns]"
    assert list(repo.time_reps(Scope(territory_ids=(2,)))["id"]) == [3, 4]
    types = repo.activity_types()
    assert types.set_index("activity").loc["quote", "is_back_office"]
    assert repo.activity_bounds() == {"first": WEEKS[0], "last": WEEKS[-1]}
    assert repo.closed_bounds() == {"first": date(2024, 12, 5), "last": date(2025, 2, 28)}


def test_empty_database(repo):
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    assert repo.activity_hours_by_rep(period).empty
    assert repo.activity_hours_by_period(period, freq="W").empty
    assert repo.bookings_by_rep(period).empty
    assert repo.bookings_by_rep_month().empty
    assert repo.time_reps().empty
    assert repo.activity_bounds() == {"first": None, "last": None}
    assert repo.closed_bounds() == {"first": None, "last": None}


def test_older_database_without_time_rollups_still_answers():
    from salesops.db.engine import init_schema, make_engine
    from salesops.repository import Repository

    engine = make_engine("sqlite://")
    init_schema(engine)
    with engine.begin() as conn:
        conn.execute(s.reps.insert(), [{"id": 1, "name": "Solo", "weekly_capacity_hours": 40.0}])
        conn.execute(s.activities.insert(), [r for r in _activity_rows() if r["rep_id"] == 1])
    s.rollup_activity_months.drop(engine)
    s.rollup_activity_weeks.drop(engine)
    s.rollup_activity_running.drop(engine)
    s.rollup_activity_territory_months.drop(engine)
    repo = Repository(engine)
    result = repo.activity_hours_by_rep(WHOLE_MONTHS)
    _same(result, _oracle_rep_activity(WHOLE_MONTHS, {1}), ["rep_id", "activity"])
    assert not repo.activity_hours_by_period(PARTIAL, freq="W").empty
    assert not repo.activity_hours_by_period(WHOLE_MONTHS, freq="M").empty
