"""Order to cash on a company built only from imported files equals pandas on those files.

Salesforce exports (users, accounts, deals with their history) and a salesops orders file
with uneven lags, missing invoices and payments, zero amounts, repeat orders without a
deal and orders still open are imported into an empty database, on SQLite and PostgreSQL.
The oracle never reads the database: it works from the rows written into the files
(np.percentile on whole days, boolean masks for buckets), so an import that shifts a date,
drops a row or mislinks an order shows up as well as a wrong query.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.calendar import Period
from salesops.cash.report import cash_report
from salesops.config import Settings
from salesops.db import schema as s
from salesops.importing.report import import_files
from salesops.repository import Repository, Scope
from tests.app.test_imported_company import REPS, _csv, _deals, _salesforce_files
from tests.conftest import own_database

SETTINGS = Settings()
ORDER_HEADER = ["external_id", "account_id", "opportunity_external_id", "ordered_at",
                "invoiced_at", "paid_at", "amount", "po_number"]  # fmt: skip
PERIODS = [
    Period(date(2023, 7, 1), date(2024, 6, 30)),
    Period(date(2023, 11, 15), date(2024, 2, 20)),
]


def _orders(deals: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    """Returns the orders file's rows: first orders of won deals, then repeat orders."""
    rows = []
    won = [d for d in deals if d["outcome"] == "won"]
    for n, d in enumerate(won):
        for k in range(int(rng.integers(1, 4))):
            first = k == 0
            ordered = d["close"] + timedelta(days=int(rng.integers(0, 45)) + 40 * k)
            rows.append(
                {
                    "external_id": f"SO-{d['id']}-{k}",
                    "account": d["account"],
                    "deal": d["id"] if first else None,  # later orders are repeat orders
                    "ordered_at": ordered,
                    "amount": 0.0 if n % 11 == 5 and first else float(rng.integers(50, 9000)),
                    "po_number": None if rng.random() < 0.2 else f"PO-{n}-{k}",
                }
            )
    frame = pd.DataFrame(rows)
    lag = rng.integers(0, 12, len(frame))
    invoiced = rng.random(len(frame)) >= 0.1
    frame["invoiced_at"] = [
        o + timedelta(days=int(x)) if i else None
        for o, x, i in zip(frame["ordered_at"], lag, invoiced, strict=True)
    ]
    pay = rng.integers(3, 120, len(frame))
    paid = invoiced & (rng.random(len(frame)) >= 0.25)
    frame["paid_at"] = [
        inv + timedelta(days=int(x)) if p else None
        for inv, x, p in zip(frame["invoiced_at"], pay, paid, strict=True)
    ]
    return frame


def _text(value: object) -> object:
    """Returns a cell as the file writes it: "" for nothing, ISO dates, the rest as is."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value.isoformat() if isinstance(value, date) else value


def build_company(engine):
    """Returns (repository, deals frame, orders frame) of a company imported from files only."""
    rng = np.random.default_rng(18)
    deals = _deals(rng)
    orders = _orders(deals, rng)
    file = _csv(
        "orders.csv",
        ORDER_HEADER,
        [[r.external_id, r.account, _text(r.deal), r.ordered_at.isoformat(), _text(r.invoiced_at),
          _text(r.paid_at), r.amount, _text(r.po_number)] for r in orders.itertuples()],
    )  # fmt: skip
    for source, files in (("salesforce", _salesforce_files(deals)), ("salesops", [file])):
        outcome = import_files(engine, files, source)
        assert outcome.written, outcome.message
    repo = Repository(engine)
    reps = repo.reps()
    rep_ids = {name: int(i) for i, name in zip(reps["id"], reps["name"], strict=True)}
    deal_frame = pd.DataFrame(deals).assign(
        rep_id=lambda f: f["owner"].map({e: rep_ids[n] for e, n in REPS}),
        segment=lambda f: f["account"].map(lambda a: ["SMB", "Mid-Market"][int(a[3:]) % 2]),
        closed_at=lambda f: pd.to_datetime(f["close"]),
    )
    for column in ("ordered_at", "invoiced_at", "paid_at"):
        orders[column] = pd.to_datetime(orders[column])
    rows = orders.merge(
        deal_frame[["id", "rep_id", "closed_at"]], left_on="deal", right_on="id", how="left"
    ).assign(segment=lambda f: f["account"].map(lambda a: ["SMB", "Mid-Market"][int(a[3:]) % 2]))
    # A repeat order (no deal) counts for the account's owner: the rep of its first won deal.
    won = deal_frame[deal_frame["outcome"] == "won"].sort_values("closed_at", kind="stable")
    rows["rep_id"] = rows["rep_id"].fillna(
        rows["account"].map(won.groupby("account")["rep_id"].first())
    )
    return repo, deal_frame, rows


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def company(request: pytest.FixtureRequest) -> Iterator[tuple]:
    """Returns build_company on a new empty database (SQLite, then PostgreSQL), once a module.

    The tests only read it: one import for the file's five tests on each kind, not one per
    test (ten imports took ~120 s of the suite at load ~6).
    """
    with own_database(request, "sqlite://") as engine:
        yield build_company(engine)


def _in(column: pd.Series, period: Period) -> pd.Series:
    return column.between(pd.Timestamp(period.start), pd.Timestamp(period.end))


def _scoped(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if scope.segments:
        keep &= frame["segment"].isin(scope.segments)
    if scope.rep_ids:
        keep &= frame["rep_id"].isin(scope.rep_ids)
    return frame[keep]


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("scoped", [False, True])
def test_cash_figures_on_imported_files_equal_pandas(company, period, scoped):
    repo, all_deals, all_rows = company
    scope = (
        Scope(segments=("SMB",), rep_ids=(int(all_deals["rep_id"].min()),)) if scoped else Scope()
    )
    report = cash_report(repo, period, scope, SETTINGS)
    rows, deals = _scoped(all_rows, scope), _scoped(all_deals, scope)
    end = pd.Timestamp(period.end)

    won = deals[(deals["outcome"] == "won") & _in(deals["closed_at"], period)]
    placed = rows[_in(rows["ordered_at"], period)]
    f = report.funnel
    assert (f.count("booked"), f.amount("booked")) == (len(won), pytest.approx(won["amount"].sum()))
    assert f.count("ordered") == len(placed) > 0
    assert f.amount("ordered") == pytest.approx(placed["amount"].sum())
    for stage, column in (("invoiced", "invoiced_at"), ("paid", "paid_at")):
        done = placed[placed[column] <= end]
        assert f.count(stage) == len(done), stage
        assert f.amount(stage) == pytest.approx(done["amount"].sum()), stage
    assert f.first_orders == int(placed["deal"].notna().sum())
    assert f.repeat_orders == int(placed["deal"].isna().sum())
    assert f.nonpositive_orders == int((placed["amount"] <= 0).sum())
    ordered_deals = set(rows.loc[rows["ordered_at"] <= end, "deal"].dropna())
    assert f.booked_not_ordered == int((~won["id"].isin(ordered_deals)).sum())

    legs = {"close_to_order": ("closed_at", "ordered_at"),
            "order_to_invoice": ("ordered_at", "invoiced_at"),
            "invoice_to_paid": ("invoiced_at", "paid_at")}  # fmt: skip
    for leg, (first, second) in legs.items():
        ended = rows[_in(rows[second], period) & (rows[second] >= rows[first])]
        days = (ended[second] - ended[first]).dt.days.to_numpy()
        got = report.cycle[leg]
        assert len(days) > 0 or scoped, leg
        if len(days) == 0:
            assert got["median"].value is None and "no order finished" in got["median"].reason
            continue
        assert got["mean"].value == pytest.approx(days.mean()), leg
        assert got["median"].value == np.percentile(days, 50, method="inverted_cdf"), leg
        assert got["p90"].value == np.percentile(days, 90, method="inverted_cdf"), leg

    as_of = pd.Timestamp(report.as_of)
    assert report.as_of == period.end  # the files run past both periods
    unpaid = rows[(rows["ordered_at"] <= as_of) & ~(rows["paid_at"] <= as_of)]
    billed = unpaid[unpaid["invoiced_at"] <= as_of]
    late = (as_of - billed["invoiced_at"]).dt.days - SETTINGS.payment_terms_days
    assert report.totals["not_invoiced"] == pytest.approx(
        unpaid["amount"].sum() - billed["amount"].sum()
    )
    assert report.totals["receivable"] == pytest.approx(billed["amount"].sum())
    assert report.totals["overdue"] == pytest.approx(billed.loc[late > 0, "amount"].sum())
    buckets = {"current": late <= 0, "1-30": (late >= 1) & (late <= 30),
               "31-60": (late >= 31) & (late <= 60), "61-90": (late >= 61) & (late <= 90),
               "90+": late > 90}  # fmt: skip
    aging = report.aging.set_index("bucket")
    assert list(aging.index) == list(buckets)
    for bucket, mask in buckets.items():
        assert aging.loc[bucket, "amount"] == pytest.approx(billed.loc[mask, "amount"].sum())
        assert aging.loc[bucket, "orders"] == int(mask.sum()), bucket

    invoiced_in = rows.loc[_in(rows["invoiced_at"], period), "amount"].sum()
    days_in = (as_of - pd.Timestamp(period.start)).days + 1
    assert report.invoiced_in_period == pytest.approx(invoiced_in)
    assert report.dso.value == pytest.approx(billed["amount"].sum() / invoiced_in * days_in)


def test_imported_repeat_orders_count_for_the_account_owner(company):
    repo, _, rows = company
    od = s.orders.c
    with repo.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(od.external_id, od.rep_id)).all())
    repeat = rows[rows["deal"].isna()]
    assert len(repeat) > 0 and repeat["rep_id"].notna().all()
    assert {e: stored[e] for e in repeat["external_id"]} == dict(
        zip(repeat["external_id"], repeat["rep_id"].astype(int), strict=True)
    )
    first = rows[rows["deal"].notna()]
    assert {e: stored[e] for e in first["external_id"]} == dict(
        zip(first["external_id"], first["rep_id"].astype(int), strict=True)
    )
