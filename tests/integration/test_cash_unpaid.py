"""Receivables and the slow lists give what the unpaid orders give, on any as-of date.

`cash_receivables` reads rollup_receivable_days (as of the month's last day, put right
from the orders placed or paid after a mid-month as-of date); `cash_slow_accounts` and
`cash_slow_orders` read the orders placed by the as-of date and unpaid then as two disjoint
index ranges (never paid; paid after it). source="raw" reads the orders with the one OR
they replace. Both must return the same rows, on SQLite and PostgreSQL, for as-of dates
at and before the data's end, month ends and mid-month, and for scopes; a stale rollup
must show, and a rebuild put it right.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.repository import Repository, Scope
from tests.integration.rollup_frames import (
    assert_same_rows,
    demo_repository,
    writable_demo_copy,
)

AS_OF = [date(2026, 11, 30), date(2026, 10, 31), date(2026, 3, 17), date(2024, 6, 1)]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))]
SETTINGS = Settings()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    return demo_repository(request)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("as_of", AS_OF)
def test_receivables_by_payment_date_equal_the_or(repo, as_of, scope):
    terms, edges = SETTINGS.payment_terms_days, SETTINGS.aging_buckets
    want = repo.cash_receivables(as_of, terms, edges, scope, source="raw")
    assert want["orders"].sum() > 0
    assert (want["bucket"] != "not invoiced").any()
    got = repo.cash_receivables(as_of, terms, edges, scope)
    assert_same_rows(got, want, ["territory_id", "segment", "rep_id", "bucket"])


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("as_of", AS_OF)
def test_slow_lists_by_payment_date_equal_the_or(repo, as_of, scope):
    terms = SETTINGS.payment_terms_days
    for limit in (5, 1000):
        want = repo.cash_slow_accounts(as_of, terms, limit, scope, source="raw")
        assert len(want) > 0
        assert_same_rows(repo.cash_slow_accounts(as_of, terms, limit, scope), want, [])
        want = repo.cash_slow_orders(as_of, limit, scope, source="raw")
        assert len(want) > 0
        assert_same_rows(repo.cash_slow_orders(as_of, limit, scope), want, [])


def test_a_stale_receivables_rollup_shows_and_a_rebuild_puts_it_right(tmp_path, demo_url):
    engine = writable_demo_copy(demo_url, tmp_path)
    repo, as_of = Repository(engine), AS_OF[1]
    terms, edges = SETTINGS.payment_terms_days, SETTINGS.aging_buckets
    keys = ["territory_id", "segment", "rep_id", "bucket"]

    def check() -> None:
        assert_same_rows(repo.cash_receivables(as_of, terms, edges),
              repo.cash_receivables(as_of, terms, edges, source="raw"), keys)  # fmt: skip

    check()
    od = s.orders.c
    with engine.begin() as conn:  # an order unpaid on the as-of date, marked paid before it
        first = conn.execute(
            sa.select(sa.func.min(od.id)).where(od.ordered_at < as_of, od.paid_at.is_(None))
        ).scalar_one()
        conn.execute(sa.update(s.orders).where(od.id == first).values(paid_at=od.ordered_at))
    with pytest.raises(AssertionError):
        check()
    refresh_rollups(engine)
    check()
    engine.dispose()
