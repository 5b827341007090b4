"""The order rollups stay equal to the orders: filled on load, kept inside each import.

`order_months` reads whole months from rollup_order_months and partial edge months from
rollup_order_days; source="raw" groups the orders themselves. Imports rebuild the rollups
in their own transaction, so both paths agree after every import, and a rollup left
behind by a write that bypasses them is caught by the same comparison.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from salesops.calendar import Period
from salesops.db import schema as s
from salesops.repository import Repository
from salesops.repository.kpis import ADDITIVE_COLUMNS
from tests.integration.test_import_entities import ORDER_HEADER, ORDERS, csv_file, run

PERIODS = [
    Period(date(2024, 1, 10), date(2024, 3, 5)),  # both edges partial
    Period(date(2024, 2, 1), date(2024, 2, 1)),  # one day
    Period(date(2024, 1, 1), date(2024, 3, 31)),  # whole months
]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if c not in ADDITIVE_COLUMNS]
    return frame.sort_values(keys).reset_index(drop=True)


def _agree(repo: Repository) -> bool:
    """Returns True when every period's order facts from the rollups equal the orders'."""
    for period in PERIODS:
        got, want = repo.order_months(period), repo.order_months(period, source="raw")
        if len(got) != len(want) or not _sorted(got).equals(_sorted(want)):
            return False
    return True


def test_an_orders_import_keeps_the_order_rollups_equal_to_the_orders(engine):
    assert run(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, ORDERS)).written
    repo = Repository(engine)
    edge = repo.order_months(PERIODS[0])
    assert edge["revenue"].sum() == 1200.0 + 800.0 + 50.0  # 10 Jan, 1 Feb, 5 Mar
    assert _agree(repo)

    # A write that bypasses the rollups leaves them stale, and the comparison sees it.
    with engine.begin() as conn:
        conn.execute(sa.update(s.orders).where(s.orders.c.external_id == "SO-2").values(amount=9))
    assert not _agree(repo)

    # Importing the file again puts the amount back and the rollups with it, in one go.
    changed = [[*ORDERS[0]], [*ORDERS[1][:5], "700", ""], [*ORDERS[2]]]
    assert run(engine, "salesops", csv_file("orders2.csv", ORDER_HEADER, changed)).written
    assert _agree(repo)
    assert repo.order_months(Period(date(2024, 2, 1), date(2024, 2, 1)))["revenue"].sum() == 700
