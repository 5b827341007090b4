"""The order-to-cash rollup gives exactly what the orders give, on SQLite and PostgreSQL.

`cash_cycle_days` reads whole months from rollup_order_cycle_days and partial edge months
from the orders; `_cycle_from_orders` reads the whole period from the orders. Both must
return the same rows (counts and day counts exactly; amounts to float rounding), and so
the same mean, median and P90, for whole-month, partial and one-month periods and scopes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.cash.cycle import cycle_summary, cycle_trend
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.repository import Repository, Scope

PERIODS = [
    Period(date(2025, 10, 1), date(2026, 9, 30)),  # whole months: the rollup only
    Period(date(2025, 11, 17), date(2026, 8, 12)),  # both edges partial
    Period(date(2026, 3, 1), date(2026, 3, 20)),  # part of one month: the orders only
    Period(date(2020, 1, 1), date(2027, 12, 31)),  # everything
    # read as whole months less the days outside the period (calendar.month_reads):
    Period(date(2026, 10, 1), date(2026, 11, 20)),  # quarter to date, the data's last day
    Period(date(2025, 11, 5), date(2026, 8, 28)),  # both edges, data after the end
    Period(date(2026, 5, 3), date(2026, 5, 29)),  # inside one month, both sides taken off
]
SCOPES = [Scope(), Scope(territory_ids=(1, 3)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def repo(request: pytest.FixtureRequest) -> Repository:
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    return Repository(make_engine(url, read_only=True))


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, na_position="first").reset_index(drop=True)


def test_the_rollup_is_filled_on_demo_load(repo):
    with repo.engine.connect() as conn:
        rows = conn.execute(s.rollup_order_cycle_days.select().limit(1)).all()
    assert rows


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("period", PERIODS)
def test_cycle_days_from_the_rollup_equal_the_orders(repo, period, scope):
    read: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for by, keys in (("month", ["leg", "month", "days"]),
                     ("dimension", ["leg", "territory_id", "segment", "rep_id"])):  # fmt: skip
        read[by] = (
            repo.cash_cycle_days(period, scope, by=by),
            repo._cycle_from_orders(period, scope, by),
        )
        got, want = (_sorted(frame, keys) for frame in read[by])
        assert len(want) > 0
        assert list(got.columns) == list(want.columns)
        assert got.dtypes.to_dict() == want.dtypes.to_dict()
        exact = [c for c in got.columns if c != "amount"]
        pd.testing.assert_frame_equal(got[exact], want[exact])
        assert got["amount"].to_numpy() == pytest.approx(want["amount"].to_numpy(), rel=1e-12)
    rolled, base = read["month"]  # as read above, before sorting
    base_summary = cycle_summary(base)
    for leg, stats in cycle_summary(rolled).items():
        for stat, figure in stats.items():
            assert figure.value == pytest.approx(base_summary[leg][stat].value, rel=1e-12)
    pd.testing.assert_frame_equal(
        _sorted(cycle_trend(rolled), ["leg", "month"]), _sorted(cycle_trend(base), ["leg", "month"])
    )
