"""The orders' status rollup gives what the orders give, as of any period end (issue 18).

`cash_order_totals` and `cash_completeness` read whole months from
rollup_order_status_months (with the orders invoiced or paid after a mid-month end put
right from the orders) and partial edge months from the orders; source="raw" reads every
order of the period. Both must return the same rows, on SQLite and PostgreSQL, for
whole-month, mid-month, one-day and past periods and for scopes; and a rollup left stale
by a write that bypasses it must show.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.calendar import Period, month_reads
from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.db.rollups_orders import CAPTURE_FIELDS
from salesops.repository import Repository, Scope
from salesops.repository.cash import order_status_parts
from tests.integration.rollup_frames import (
    assert_same_rows,
    demo_repository,
    writable_demo_copy,
)

PERIODS = [
    Period(date(2025, 10, 1), date(2026, 9, 30)),  # whole months: the rollup only
    Period(date(2025, 11, 17), date(2026, 8, 12)),  # both edges partial, a past mid-month end
    Period(date(2025, 7, 1), date(2025, 11, 10)),  # whole start, mid-month end
    Period(date(2026, 3, 1), date(2026, 3, 20)),  # part of one month: the orders only
    Period(date(2020, 1, 1), date(2027, 12, 31)),  # everything
    # read as whole months less the days outside the period (calendar.month_reads):
    Period(date(2026, 10, 1), date(2026, 11, 20)),  # quarter to date, the data's last day
    Period(date(2025, 11, 5), date(2026, 8, 28)),  # both edges, data after the end
    Period(date(2026, 5, 3), date(2026, 5, 29)),  # inside one month, both sides taken off
]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))]
FIELD_SETS = [("po_number", "billing_address", "shipping_address"), CAPTURE_FIELDS, ()]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    return demo_repository(request)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ("month", "territory_id", "segment", "rep_id", "complete")
    assert_same_rows(got, want, [c for c in want.columns if c in keys])


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_order_totals_from_the_rollup_equal_the_orders(repo, period, scope):
    want = repo.cash_order_totals(period, scope, source="raw")
    assert want["orders"].sum() > 0
    assert want["invoiced_orders"].sum() < want["orders"].sum() or period.end.year > 2026
    _same(repo.cash_order_totals(period, scope), want)


@pytest.mark.parametrize("fields", FIELD_SETS)
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_completeness_from_the_rollup_equals_the_orders(repo, period, scope, fields):
    want = repo.cash_completeness(period, fields, scope, source="raw")
    assert want["orders"].sum() > 0
    _same(repo.cash_completeness(period, fields, scope), want)


def test_a_stale_status_rollup_shows_and_a_rebuild_puts_it_right(tmp_path, demo_url):
    engine = writable_demo_copy(demo_url, tmp_path)
    repo, period = Repository(engine), PERIODS[1]
    _same(repo.cash_order_totals(period), repo.cash_order_totals(period, source="raw"))
    od = s.orders.c
    with engine.begin() as conn:  # an order of a whole month paid before the period ends
        first = conn.execute(
            sa.select(sa.func.min(od.id)).where(
                od.ordered_at.between(date(2026, 1, 1), date(2026, 1, 31)),
                od.paid_at < date(2026, 7, 1),
            )
        ).scalar_one()
        conn.execute(sa.update(s.orders).where(od.id == first).values(paid_at=None))
    with pytest.raises(AssertionError):
        _same(repo.cash_order_totals(period), repo.cash_order_totals(period, source="raw"))
    refresh_rollups(engine)
    _same(repo.cash_order_totals(period), repo.cash_order_totals(period, source="raw"))
    engine.dispose()


def test_the_last_periods_take_days_outside_them_off_whole_months(repo):
    last = repo.order_bounds()["last"]
    for period in PERIODS[-3:]:
        assert month_reads(period, last).take, period


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_one_status_read_gives_the_order_totals_and_completeness(repo, period, scope):
    fields = FIELD_SETS[0]
    totals, complete = order_status_parts(repo.cash_order_status(period, fields, scope), fields)
    _same(totals, repo.cash_order_totals(period, scope, source="raw"))
    _same(complete, repo.cash_completeness(period, fields, scope, source="raw"))
