"""KPI repository queries on SQLite and PostgreSQL, against pandas on the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.db.engine import make_engine
from salesops.demo import build_demo_frames
from salesops.repository import Repository, Scope
from tests.conftest import TINY_SEED

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
ODD = Period(date(2025, 2, 14), date(2025, 7, 9))


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return build_demo_frames("tiny", seed=TINY_SEED)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def loaded(request: pytest.FixtureRequest) -> Iterator[Repository]:
    """Returns a read-only Repository over the session's tiny demo (built from `frames`' seed)."""
    url = request.getfixturevalue(
        "tiny_demo_url" if request.param == "sqlite" else "pg_tiny_demo_url"
    )
    engine = make_engine(url, read_only=True)
    yield Repository(engine)
    engine.dispose()


def closed_in(frames: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    opp = frames["opportunities"]
    inside = opp["closed_at"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))
    return opp[inside & opp["outcome"].isin(["won", "lost"])]


@pytest.mark.parametrize("period", [YEAR, ODD], ids=["whole-months", "odd-days"])
def test_closed_facts_match_pandas(loaded, frames, period):
    facts = loaded.closed_opportunity_facts(period)
    expected = closed_in(frames, period)
    won = expected[expected["outcome"] == "won"]
    assert facts["won"].sum() == len(won)
    assert facts["lost"].sum() == (expected["outcome"] == "lost").sum()
    assert facts["won_amount"].sum() == pytest.approx(won["amount"].sum())
    cycle = (won["closed_at"] - won["created_at"]).dt.days.sum()
    assert facts["won_cycle_days"].sum() == pytest.approx(cycle)


@pytest.mark.parametrize("source", ["rollup", "raw"])
def test_rollup_and_raw_paths_agree_per_group(loaded, source):
    keys = ["month", "rep_id", "territory_id", "segment", "channel"]
    got = loaded.closed_opportunity_facts(YEAR, source=source).sort_values(keys)
    other = "raw" if source == "rollup" else "rollup"
    ref = loaded.closed_opportunity_facts(YEAR, source=other).sort_values(keys)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.reset_index(drop=True))


def test_lead_facts_are_a_created_cohort(loaded, frames):
    leads = frames["leads"]
    inside = leads["created_at"].between(pd.Timestamp(YEAR.start), pd.Timestamp(YEAR.end))
    facts = loaded.lead_facts(YEAR)
    assert facts["leads"].sum() == inside.sum()
    assert facts["converted"].sum() == leads.loc[inside, "converted_at"].notna().sum()
    by_channel = loaded.lead_facts(YEAR, by=("channel",)).set_index("channel")["leads"]
    assert by_channel.to_dict() == leads[inside]["channel"].value_counts().to_dict()


def test_scope_filters_and_sql_grouping(loaded, frames):
    territory = 2
    facts = loaded.closed_opportunity_facts(YEAR, Scope(territory_ids=(territory,)), by=("month",))
    assert list(facts.columns) == [
        "month", "won", "lost", "won_amount", "won_cycle_days", "lost_cycle_days",
        "won_lead_cycle_days", "won_with_lead",
    ]  # fmt: skip
    accounts = frames["accounts"].set_index("id")["territory_id"]
    closed = closed_in(frames, YEAR)
    mine = closed[closed["account_id"].map(accounts) == territory]
    assert facts["won"].sum() == (mine["outcome"] == "won").sum()
    assert len(facts) == mine["closed_at"].dt.to_period("M").nunique()


def test_frames_have_one_dtype_per_column_kind(loaded):
    facts = loaded.closed_opportunity_facts(YEAR)
    assert str(facts["month"].dtype) == "datetime64[ns]"
    assert str(facts["rep_id"].dtype) == "Int64"
    assert str(facts["won_amount"].dtype) == "float64"
    assert facts["segment"].map(type).isin([str, type(None)]).all()


def test_bounds_counts_and_closed_deals(loaded, frames):
    bounds = loaded.data_bounds()
    assert bounds["last"] == date(2026, 11, 20)
    assert loaded.row_counts()["opportunities"] == len(frames["opportunities"])
    deals = loaded.closed_deals(YEAR, limit=5)
    assert len(deals) == 5
    assert deals["closed_at"].is_monotonic_decreasing
    assert set(deals["outcome"]) <= {"won", "lost"}


def test_an_empty_database_returns_empty_frames(repo):
    assert repo.closed_opportunity_facts(YEAR).empty
    assert repo.lead_facts(YEAR, by=("month",)).empty
    assert repo.data_bounds() == {"first": None, "last": None, "first_closed": None}
    assert repo.row_counts()["opportunities"] == 0


@pytest.mark.parametrize(
    ("day", "monday", "first"),
    [
        (date(2025, 3, 9), date(2025, 3, 3), date(2025, 3, 1)),  # a Sunday
        (date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 1)),  # ISO week 1 starts in 2025
        (date(2020, 12, 31), date(2020, 12, 28), date(2020, 12, 1)),  # week 53
    ],
)
def test_portable_date_functions(engine, day, monday, first):
    import sqlalchemy as sa

    from salesops.db.sqlfuncs import days_between, month_start, week_start

    value = sa.literal(day, sa.Date)
    stmt = sa.select(
        week_start(value), month_start(value), days_between(sa.literal(first, sa.Date), value)
    )
    with engine.connect() as conn:
        got_week, got_month, days = conn.execute(stmt).one()
    assert pd.Timestamp(got_week).date() == monday
    assert pd.Timestamp(got_month).date() == first
    assert float(days) == (day - first).days
