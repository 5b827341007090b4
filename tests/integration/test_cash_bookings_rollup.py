"""The bookings rollup gives what the deals give, as of any period end (issue 18).

`cash_bookings` reads whole months from rollup_won_first_orders (the deals first ordered
after a mid-month end, inside its month, taken off from the orders) and partial edge
months from the deals; source="raw" reads every deal of the period. Both must return the
same rows on SQLite and PostgreSQL for whole-month, mid-month, one-month and past periods
and for scopes; a stale rollup must show, and a rebuild put it right.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.calendar import Period
from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.repository import Repository, Scope
from tests.integration.rollup_frames import (
    assert_same_rows,
    demo_repository,
    writable_demo_copy,
)

PERIODS = [
    Period(date(2025, 10, 1), date(2026, 9, 30)),  # whole months: the rollup only
    Period(date(2025, 11, 17), date(2026, 8, 12)),  # both edges partial, a past mid-month end
    Period(date(2025, 7, 1), date(2025, 11, 10)),  # whole start, mid-month end
    Period(date(2026, 3, 1), date(2026, 3, 20)),  # part of one month: the deals only
    Period(date(2020, 1, 1), date(2027, 12, 31)),  # everything
    # read as whole months less the days outside the period (calendar.month_reads):
    Period(date(2026, 10, 1), date(2026, 11, 20)),  # quarter to date, the data's last day
    Period(date(2025, 11, 5), date(2026, 8, 28)),  # both edges, data after the end
    Period(date(2026, 5, 3), date(2026, 5, 29)),  # inside one month, both sides taken off
]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))]
KEYS = ["territory_id", "segment", "rep_id"]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    return demo_repository(request)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert_same_rows(got, want, KEYS)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_bookings_from_the_rollup_equal_the_deals(repo, period, scope):
    want = repo.cash_bookings(period, scope, source="raw")
    assert want["deals"].sum() > 0
    assert 0 < want["ordered_deals"].sum() <= want["deals"].sum()
    _same(repo.cash_bookings(period, scope), want)


def test_a_deal_first_ordered_after_a_mid_month_end_is_not_ordered_by_then(repo):
    """The month-level rollup counts it as ordered; the correction must take it off."""
    od, o = s.orders.c, s.opportunities.c
    first = sa.func.min(od.ordered_at)
    stmt = (
        sa.select(od.opportunity_id, first, o.closed_at)
        .join(s.opportunities, o.id == od.opportunity_id)
        .where(o.outcome == "won")
        .group_by(od.opportunity_id, o.closed_at)
        .having(
            sa.func.extract("day", first) > 1
            if repo.engine.dialect.name != "sqlite"
            else sa.func.strftime("%d", first) > "01"
        )
        .order_by(od.opportunity_id)
        .limit(200)
    )
    with repo.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    deal, ordered, closed = next(
        (d, pd.Timestamp(f).date(), pd.Timestamp(c).date())
        for d, f, c in rows
        if pd.Timestamp(c).date() < pd.Timestamp(f).date().replace(day=1)
    )
    period = Period(closed.replace(day=1), ordered.replace(day=ordered.day - 1))
    want = repo.cash_bookings(period, source="raw")
    _same(repo.cash_bookings(period), want)
    assert deal and want["ordered_deals"].sum() < want["deals"].sum()


def test_a_stale_bookings_rollup_shows_and_a_rebuild_puts_it_right(tmp_path, demo_url):
    engine = writable_demo_copy(demo_url, tmp_path)
    repo, period = Repository(engine), PERIODS[0]
    _same(repo.cash_bookings(period), repo.cash_bookings(period, source="raw"))
    o = s.opportunities.c
    with engine.begin() as conn:  # a deal won in a whole month of the period, lost after all
        first = conn.execute(
            sa.select(sa.func.min(o.id)).where(
                o.outcome == "won", o.closed_at.between(date(2026, 1, 1), date(2026, 1, 31))
            )
        ).scalar_one()
        conn.execute(sa.update(s.opportunities).where(o.id == first).values(outcome="lost"))
    with pytest.raises(AssertionError):
        _same(repo.cash_bookings(period), repo.cash_bookings(period, source="raw"))
    refresh_rollups(engine)
    _same(repo.cash_bookings(period), repo.cash_bookings(period, source="raw"))
    engine.dispose()
