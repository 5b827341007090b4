"""The approval rollups give what the orders give, for any period and scope (issue 18).

`cash_approvals` reads whole months from the approval rollups (the histogram without the
scope for the whole company, the scoped one otherwise, the per-rep sums for by="rep") and
partial edge months from the orders; source="raw" reads the whole period from the orders.
Both must return the same rows on SQLite and PostgreSQL; a stale rollup must show.
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
    Period(date(2025, 10, 1), date(2026, 9, 30)),  # whole months: the rollups only
    Period(date(2025, 11, 17), date(2026, 8, 12)),  # both edges partial
    Period(date(2026, 3, 1), date(2026, 3, 20)),  # part of one month: the orders only
    Period(date(2020, 1, 1), date(2027, 12, 31)),  # everything
    # read as whole months less the days outside the period (calendar.month_reads):
    Period(date(2026, 10, 1), date(2026, 11, 20)),  # quarter to date, the data's last day
    Period(date(2025, 11, 5), date(2026, 8, 28)),  # both edges, data after the end
    Period(date(2026, 5, 3), date(2026, 5, 29)),  # inside one month, both sides taken off
]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11)),
          Scope(segments=("SMB",))]  # fmt: skip
KEYS = {"minutes": ["approver", "minutes"], "rep": ["territory_id", "segment", "rep_id"]}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    return demo_repository(request)


def _same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    assert_same_rows(got, want, keys, approx=["hours_sum"])


@pytest.mark.parametrize("by", ["minutes", "rep"])
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_approvals_from_the_rollups_equal_the_orders(repo, period, scope, by):
    want = repo.cash_approvals(period, scope, by=by, source="raw")
    assert want["orders"].sum() > 0
    _same(repo.cash_approvals(period, scope, by=by), want, KEYS[by])


def test_a_stale_approval_rollup_shows_and_a_rebuild_puts_it_right(tmp_path, demo_url):
    engine = writable_demo_copy(demo_url, tmp_path)
    repo, period = Repository(engine), PERIODS[0]
    od = s.orders.c
    with engine.begin() as conn:  # an approval of a whole month given to another approver
        first = conn.execute(
            sa.select(sa.func.min(od.id)).where(
                od.approved_at.between(date(2026, 1, 1), date(2026, 1, 31)),
                od.approver.is_not(None),
            )
        ).scalar_one()
        conn.execute(sa.update(s.orders).where(od.id == first).values(approver="Someone else"))
    for scope in (Scope(), Scope(territory_ids=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))):
        with pytest.raises(AssertionError):
            _same(repo.cash_approvals(period, scope),
                  repo.cash_approvals(period, scope, source="raw"), KEYS["minutes"])  # fmt: skip
    refresh_rollups(engine)
    _same(repo.cash_approvals(period), repo.cash_approvals(period, source="raw"), KEYS["minutes"])
    engine.dispose()
