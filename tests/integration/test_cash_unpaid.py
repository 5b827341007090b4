"""Receivables and the slow lists read unpaid orders by payment date, as the OR would.

`cash_receivables`, `cash_slow_accounts` and `cash_slow_orders` read the orders placed by
the as-of date and unpaid then as two disjoint index ranges (never paid; paid after it);
source="raw" reads them with the one OR they replace. Both must return the same rows, on
SQLite and PostgreSQL, for as-of dates at the data's end, inside it and before most
payments, and for scopes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.db.engine import make_engine
from salesops.repository import Repository, Scope

AS_OF = [date(2026, 11, 30), date(2026, 10, 31), date(2026, 3, 17), date(2024, 6, 1)]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))]
SETTINGS = Settings()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    return Repository(make_engine(url, read_only=True))


def _same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    if keys:
        got = got.sort_values(keys, na_position="first").reset_index(drop=True)
        want = want.sort_values(keys, na_position="first").reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    money = [c for c in want.columns if "amount" in c]
    exact = [c for c in want.columns if c not in money]
    pd.testing.assert_frame_equal(got[exact], want[exact])
    for column in money:
        assert got[column].to_numpy() == pytest.approx(want[column].to_numpy(), rel=1e-9)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("as_of", AS_OF)
def test_receivables_by_payment_date_equal_the_or(repo, as_of, scope):
    terms, edges = SETTINGS.payment_terms_days, SETTINGS.aging_buckets
    want = repo.cash_receivables(as_of, terms, edges, scope, source="raw")
    assert want["orders"].sum() > 0
    assert (want["bucket"] != "not invoiced").any()
    got = repo.cash_receivables(as_of, terms, edges, scope)
    _same(got, want, ["territory_id", "segment", "rep_id", "bucket"])


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("as_of", AS_OF)
def test_slow_lists_by_payment_date_equal_the_or(repo, as_of, scope):
    terms = SETTINGS.payment_terms_days
    for limit in (5, 1000):
        want = repo.cash_slow_accounts(as_of, terms, limit, scope, source="raw")
        assert len(want) > 0
        _same(repo.cash_slow_accounts(as_of, terms, limit, scope), want, [])
        want = repo.cash_slow_orders(as_of, limit, scope, source="raw")
        assert len(want) > 0
        _same(repo.cash_slow_orders(as_of, limit, scope), want, [])
