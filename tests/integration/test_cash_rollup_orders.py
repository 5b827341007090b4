"""rollup_order_cycle_days holds what the orders give counted one at a time, on SQLite and
PostgreSQL: each order's legs found in Python from its own row, its account's and its
deal's (not with the rollup's expressions, which the repository's reads share), on the
tiny demo with the hard cases added (no deal, an open deal, a deal with no orders' rep,
an account without territory or segment, an invoice before its order, a payment before
its invoice, orders never invoiced or paid)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from salesops.db import rollup_steps
from salesops.db import schema as s
from salesops.db.engine import make_engine

Key = tuple[str, date, int, int | None, str | None, int | None]


def _expected(conn: sa.Connection) -> dict[Key, tuple[int, float]]:
    """Returns (orders, amount) per rollup key, each order's legs found in Python."""
    a, o, od = s.accounts.c, s.opportunities.c, s.orders.c
    accounts = conn.execute(sa.select(a.id, a.territory_id, a.segment))
    scopes = {row.id: (row.territory_id, row.segment) for row in accounts}
    deals = {
        row.id: (row.closed_at, row.rep_id)
        for row in conn.execute(sa.select(o.id, o.closed_at, o.rep_id))
    }
    found: dict[Key, tuple[int, float]] = {}
    orders = sa.select(od.account_id, od.opportunity_id, od.rep_id, od.ordered_at,
                       od.invoiced_at, od.paid_at, od.amount)  # fmt: skip
    for order in conn.execute(orders):
        if order.account_id not in scopes:
            continue
        closed, deal_rep = deals.get(order.opportunity_id, (None, None))
        rep = order.rep_id if order.rep_id is not None else deal_rep
        legs = [("close_to_order", closed, order.ordered_at),
                ("order_to_invoice", order.ordered_at, order.invoiced_at),
                ("invoice_to_paid", order.invoiced_at, order.paid_at)]  # fmt: skip
        for leg, first, second in legs:
            if first is None or second is None or (leg != "close_to_order" and second < first):
                continue
            key = (
                leg,
                second.replace(day=1),
                (second - first).days,
                *scopes[order.account_id],
                rep,
            )
            count, amount = found.get(key, (0, 0.0))
            found[key] = (count + 1, amount + float(order.amount))
    return found


def _in_rollup(conn: sa.Connection) -> dict[Key, tuple[int, float]]:
    r = s.rollup_order_cycle_days.c
    keys = (r.leg, r.month, r.days, r.territory_id, r.segment, r.rep_id)
    rows = conn.execute(sa.select(*keys, r.orders, r.amount))
    return {tuple(row[:6]): (row.orders, row.amount) for row in rows}  # type: ignore[misc]


def _hard_cases(conn: sa.Connection) -> None:
    """Adds an account without scope, an open deal and orders of every odd kind."""
    a, o, od = s.accounts.c, s.opportunities.c, s.orders.c
    account = conn.execute(sa.select(sa.func.max(a.id))).scalar_one() + 1
    deal = conn.execute(sa.select(sa.func.max(o.id))).scalar_one() + 1
    order = conn.execute(sa.select(sa.func.max(od.id))).scalar_one() + 1
    rep = conn.execute(sa.select(sa.func.min(s.reps.c.id))).scalar_one()
    conn.execute(sa.insert(s.accounts), [{"id": account, "name": "No scope"}])
    base = {"account_id": account, "created_at": date(2025, 1, 1)}
    conn.execute(sa.insert(s.opportunities), [  # one insert: the same keys in each row
        {"id": deal, "name": "Open", "stage": "Prospecting", "outcome": "open",
         "rep_id": None, "closed_at": None, **base},
        {"id": deal + 1, "name": "Won", "stage": "Closed Won", "outcome": "won", "rep_id": rep,
         "closed_at": date(2025, 3, 31), **base},
    ])  # fmt: skip
    rows = [  # deal, rep, ordered, invoiced, paid
        (None, None, date(2025, 4, 2), date(2025, 4, 1), date(2025, 5, 3)),  # invoice first
        (None, rep, date(2025, 4, 2), date(2025, 4, 9), date(2025, 4, 8)),  # paid first
        (deal, None, date(2025, 4, 2), None, None),  # an open deal, never invoiced
        (deal + 1, None, date(2025, 3, 30), date(2025, 4, 30), None),  # before the close
        (deal + 1, None, date(2025, 4, 30), date(2025, 5, 1), date(2025, 6, 30)),
        (deal + 1, rep + 1, date(2025, 4, 30), None, date(2025, 6, 30)),  # paid, no invoice
    ]
    conn.execute(sa.insert(s.orders), [
        {"id": order + i, "account_id": account, "opportunity_id": d, "rep_id": r,
         "ordered_at": ordered, "invoiced_at": invoiced, "paid_at": paid, "amount": 100.5 + i}
        for i, (d, r, ordered, invoiced, paid) in enumerate(rows)
    ])  # fmt: skip


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_cycle_days_rollup_counts_each_order_as_its_rows_say(
    kind: str, tiny_demo_copy: Callable[[str], str]
) -> None:
    engine = make_engine(tiny_demo_copy(kind))
    step = next(t for t in rollup_steps.plan() if t.table is s.rollup_order_cycle_days)
    with engine.begin() as conn:
        _hard_cases(conn)
        rollup_steps.run_step(conn, step)
    with engine.connect() as conn:
        want, got = _expected(conn), _in_rollup(conn)
    engine.dispose()
    assert len(want) > 100  # the tiny demo has orders: the comparison means something
    unscoped = [key for key in want if key[3] is None and key[4] is None]
    assert ("close_to_order", -1) in {(key[0], key[2]) for key in unscoped}  # before the close
    assert not [key for key in want if key[0] != "close_to_order" and key[2] < 0]
    assert got.keys() == want.keys()
    for key, (orders, amount) in want.items():
        assert got[key][0] == orders, key
        assert got[key][1] == pytest.approx(amount, rel=1e-12), key
