"""Order to cash on the demo company equals a straightforward pandas calculation on raw rows.

The oracle reads orders, accounts and deals whole and computes each figure the plain way
(row by row, np.percentile), so a wrong GROUP BY, bucket edge, date rule or scope in the
SQL shows up here, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from salesops.calendar import Period
from salesops.cash.report import cash_report, cash_to_json
from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.repository import Repository, Scope

SETTINGS = Settings()
CAPTURE = ["po_number", "billing_address", "shipping_address"]
CASES = [
    (Period(date(2025, 10, 1), date(2026, 9, 30)), Scope()),
    (Period(date(2026, 1, 15), date(2026, 6, 20)), Scope(territory_ids=(1, 3))),
    (Period(date(2025, 4, 1), date(2026, 3, 31)), Scope(segments=("SMB",), rep_ids=(4, 9, 11))),
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(request: pytest.FixtureRequest):
    """Returns (repository, raw order rows joined to accounts and deals) on one dialect."""
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    engine = make_engine(url, read_only=True)
    od, a, o = s.orders.c, s.accounts.c, s.opportunities.c
    with engine.connect() as conn:
        names = [
            "id",
            "account_id",
            "opportunity_id",
            "rep_id",
            "ordered_at",
            "amount",
            "invoiced_at",
            "paid_at",
            *CAPTURE,
            "approval_requested_at",
            "approved_at",
            "approver",
        ]
        orders = pd.DataFrame(conn.execute(select(*(od[n] for n in names))).all(),
                              columns=names)  # fmt: skip
        accounts = pd.DataFrame(conn.execute(select(a.id, a.territory_id, a.segment)).all(),
                                columns=["account_id", "territory_id", "segment"])  # fmt: skip
        deals = pd.DataFrame(
            conn.execute(select(o.id, o.rep_id, o.closed_at, o.outcome, o.amount, o.account_id)),
            columns=["opportunity_id", "rep_id", "closed_at", "outcome", "deal_amount",
                     "deal_account"],
        )  # fmt: skip
    dates = ["ordered_at", "invoiced_at", "paid_at", "approval_requested_at", "approved_at"]
    for frame, columns in ((orders, dates),
                           (deals, ["closed_at"])):  # fmt: skip
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    orders["amount"] = orders["amount"].astype(float)
    deals["deal_amount"] = deals["deal_amount"].astype(float)
    rows = orders.rename(columns={"rep_id": "order_rep"}).merge(accounts, on="account_id")
    rows = rows.merge(deals, on="opportunity_id", how="left")
    rows["rep_id"] = rows["order_rep"].fillna(rows["rep_id"])  # the order's rep, else its deal's
    return (
        Repository(engine),
        rows,
        deals.merge(accounts.rename(columns={"account_id": "deal_account"}), on="deal_account"),
    )


def _in_scope(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if scope.territory_ids:
        keep &= frame["territory_id"].isin(scope.territory_ids)
    if scope.segments:
        keep &= frame["segment"].isin(scope.segments)
    if scope.rep_ids:
        keep &= frame["rep_id"].isin(scope.rep_ids)
    return frame[keep]


def _between(column: pd.Series, period: Period) -> pd.Series:
    return column.between(pd.Timestamp(period.start), pd.Timestamp(period.end))


def _expected_leg(rows: pd.DataFrame, first: str, second: str, period: Period) -> np.ndarray:
    ended = rows[_between(rows[second], period) & (rows[second] >= rows[first])]
    return (ended[second] - ended[first]).dt.days.to_numpy()


@pytest.mark.parametrize(("period", "scope"), CASES)
def test_cash_report_equals_pandas_on_raw_rows(demo, period, scope):
    repo, all_rows, all_deals = demo
    report = cash_report(repo, period, scope, SETTINGS)
    rows, deals = _in_scope(all_rows, scope), _in_scope(all_deals, scope)
    end = pd.Timestamp(period.end)
    placed = rows[_between(rows["ordered_at"], period)]
    won = deals[(deals["outcome"] == "won") & _between(deals["closed_at"], period)]
    funnel = report.funnel
    assert funnel.count("booked") == len(won)
    assert funnel.amount("booked") == pytest.approx(won["deal_amount"].sum())
    assert funnel.count("ordered") == len(placed)
    assert funnel.amount("ordered") == pytest.approx(placed["amount"].sum())
    invoiced = placed[placed["invoiced_at"] <= end]
    paid = placed[placed["paid_at"] <= end]
    assert funnel.count("invoiced") == len(invoiced)
    assert funnel.amount("paid") == pytest.approx(paid["amount"].sum())
    ordered_ids = set(rows.loc[rows["ordered_at"] <= end, "opportunity_id"].dropna())
    assert funnel.booked_not_ordered == int((~won["opportunity_id"].isin(ordered_ids)).sum())

    legs = {
        "close_to_order": ("closed_at", "ordered_at"),
        "order_to_invoice": ("ordered_at", "invoiced_at"),
        "invoice_to_paid": ("invoiced_at", "paid_at"),
    }
    for leg, (first, second) in legs.items():
        days = _expected_leg(rows, first, second, period)
        assert len(days) > 0, leg
        got = report.cycle[leg]
        assert got["mean"].value == pytest.approx(days.mean()), leg
        assert got["median"].value == np.percentile(days, 50, method="inverted_cdf"), leg
        assert got["p90"].value == np.percentile(days, 90, method="inverted_cdf"), leg

    as_of = pd.Timestamp(report.as_of)
    unpaid = rows[(rows["ordered_at"] <= as_of) & ~(rows["paid_at"] <= as_of)]
    billed = unpaid[unpaid["invoiced_at"] <= as_of]
    past_due = (as_of - billed["invoiced_at"]).dt.days - SETTINGS.payment_terms_days
    assert report.totals["not_invoiced"] == pytest.approx(unpaid["amount"].sum() -
                                                          billed["amount"].sum())  # fmt: skip
    assert report.totals["receivable"] == pytest.approx(billed["amount"].sum())
    assert report.totals["overdue"] == pytest.approx(billed.loc[past_due > 0, "amount"].sum())
    cuts = pd.cut(past_due, [-10**6, 0, 30, 60, 90, 10**6],
                  labels=["current", "1-30", "31-60", "61-90", "90+"])  # fmt: skip
    expected_aging = billed.groupby(cuts, observed=False)["amount"].sum()
    got_aging = report.aging.set_index("bucket")["amount"]
    assert list(got_aging.index) == ["current", "1-30", "31-60", "61-90", "90+"]
    for bucket, amount in expected_aging.items():
        assert got_aging[bucket] == pytest.approx(amount), bucket

    invoiced_in_period = rows.loc[
        _between(rows["invoiced_at"], period) & (rows["invoiced_at"] >= rows["ordered_at"]),
        "amount",
    ].sum()
    days_in = (as_of - pd.Timestamp(period.start)).days + 1
    assert report.dso.value == pytest.approx(billed["amount"].sum() / invoiced_in_period * days_in)

    by_territory = report.breakdowns["territory"].set_index("territory")
    names = dict(zip(repo.territories()["id"], repo.territories()["name"], strict=True))
    expected_ordered = placed.groupby("territory_id")["amount"].sum()
    for territory_id, amount in expected_ordered.items():
        assert by_territory.loc[names[territory_id], "ordered"] == pytest.approx(amount)
    pay = billed.assign(late=past_due > 0)
    late = pay[pay["late"]].groupby("account_id")["amount"].sum().sort_values(ascending=False)
    top = report.slow_accounts.set_index("account_id")["overdue_amount"]
    assert len(top) == min(len(late), SETTINGS.cash_rows_listed)
    for account_id, amount in top.items():
        assert amount == pytest.approx(late[account_id])
    assert len(top) > 0 and top.iloc[0] == pytest.approx(late.iloc[0])


@pytest.mark.parametrize(("period", "scope"), CASES[:2])
def test_completeness_and_approvals_equal_pandas_on_raw_rows(demo, period, scope):
    repo, all_rows, _ = demo
    report = cash_report(repo, period, scope, SETTINGS)
    rows = _in_scope(all_rows, scope)
    placed = rows[_between(rows["ordered_at"], period)]
    lacking = placed[CAPTURE].isna() | placed[CAPTURE].apply(lambda c: c.str.strip() == "")
    incomplete = lacking.any(axis=1)
    c = report.completeness
    assert c.orders == len(placed) and c.incomplete == int(incomplete.sum()) > 0
    assert c.missing_by_field == {f: int(lacking[f].sum()) for f in CAPTURE}
    end = pd.Timestamp(period.end)
    paid = (placed["paid_at"] <= end) & (placed["paid_at"] >= placed["invoiced_at"])
    days = (placed["paid_at"] - placed["invoiced_at"]).dt.days
    assert c.days_to_pay_incomplete.value == pytest.approx(days[paid & incomplete].mean())
    assert c.days_to_pay_complete.value == pytest.approx(days[paid & ~incomplete].mean())
    assert c.extra_days_to_pay.value > 0  # the demo's incomplete orders wait longer

    start, stop = pd.Timestamp(period.start), end + pd.Timedelta(days=1)
    approved = rows[(rows["approved_at"] >= start) & (rows["approved_at"] < stop)
                    & (rows["approved_at"] >= rows["approval_requested_at"])]  # fmt: skip
    minutes = ((approved["approved_at"] - approved["approval_requested_at"]).dt.total_seconds()
               / 60).round().astype(int)  # fmt: skip
    a = report.approvals
    assert a.orders == len(approved) > 0
    assert a.mean_hours.value == pytest.approx(minutes.mean() / 60)
    assert a.median_hours.value == np.percentile(minutes, 50, method="inverted_cdf") / 60
    assert a.p90_hours.value == np.percentile(minutes, 90, method="inverted_cdf") / 60
    slowest = approved.assign(m=minutes).groupby("approver")["m"].mean().idxmax()
    assert a.by_approver["approver"].iloc[0] == slowest == "Deal desk: S. Ito"


def test_overview_headline_equals_pandas(demo):
    from salesops.cash.headline import cash_headline

    repo, rows, deals = demo
    as_of = date(2026, 8, 20)
    headline = cash_headline(repo, as_of, Scope(), SETTINGS)
    start, end = pd.Timestamp(2026, 7, 1), pd.Timestamp(as_of)
    assert headline.quarter_label.startswith("Q3 2026")
    paid = rows[rows["paid_at"].between(start, end)]
    assert headline.collected == pytest.approx(paid["amount"].sum()) and headline.collected > 0
    won = deals[(deals["outcome"] == "won") & deals["closed_at"].between(start, end)]
    assert headline.booked == pytest.approx(won["deal_amount"].sum())
    billed = rows[(rows["invoiced_at"] <= end) & ~(rows["paid_at"] <= end)]
    late = (end - billed["invoiced_at"]).dt.days > SETTINGS.payment_terms_days
    assert headline.overdue == pytest.approx(billed.loc[late, "amount"].sum())
    assert headline.tone == ("bad" if headline.overdue_share >= 0.25 else "neutral")
    assert "collected so far in Q3 2026 against" in headline.sentence("USD")


def test_meeting_pack_section_holds_the_report_figures(demo):
    from salesops.cash.pack import cash_pack_html
    from salesops.formatting import format_value

    repo = demo[0]
    report = cash_report(repo, CASES[0][0], Scope(), SETTINGS)
    section = cash_pack_html(report, SETTINGS, rows=5)
    assert section.startswith("<h2>Order to cash (01 Oct 2025 – 30 Sep 2026)</h2>")
    assert format_value(report.totals["overdue"], "money", "USD") in section
    assert "Receivables by days past due" in section and "90+" in section
    assert section.count("<tr>") == 1 + 3 + 1 + 5 + 1 + 5 + 1 + 5  # steps, aging, lists


def test_meeting_pack_holds_the_quarter_to_date_cash_section(demo):
    from salesops.calendar import Week
    from salesops.cash.pack import pack_cash_report, review_cash_period
    from salesops.formatting import format_value
    from salesops.pipeline_review.meeting_pack import meeting_pack_html, meeting_pack_zip
    from salesops.pipeline_review.report import review_report

    repo = demo[0]
    week = Week(date(2026, 9, 28))  # Thursday 1 Oct: reviewed against Q4, Sunday 4 Oct
    assert review_cash_period(week) == Period(date(2026, 10, 1), date(2026, 10, 4))
    week = Week(date(2026, 8, 17))
    review = review_report(repo, week, settings=SETTINGS)
    cash = pack_cash_report(repo, week, Scope(), SETTINGS)
    same = cash_report(repo, Period(date(2026, 7, 1), date(2026, 8, 23)), Scope(), SETTINGS)
    assert cash_to_json(cash) == cash_to_json(same)
    document = meeting_pack_html(review, SETTINGS, cash=cash)
    assert "<h2>Order to cash (01 Jul 2026 – 23 Aug 2026)</h2>" in document
    assert cash.totals["overdue"] > 0
    assert format_value(cash.totals["overdue"], "money", "USD") in document
    assert document.index("Appendix C") < document.index("Order to cash (")
    assert "Order to cash" not in meeting_pack_html(review, SETTINGS)
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(meeting_pack_zip(review, SETTINGS, cash=cash))).namelist()
    assert "pipeline_review_2026-W34_cash_slow_accounts.csv" in names


def test_meeting_pack_cash_section_without_orders_says_what_to_import(demo, empty_url):
    from salesops.cash.pack import cash_pack_html
    from salesops.cash.report import NO_ORDERS

    empty = cash_report(Repository(make_engine(empty_url, read_only=True)), CASES[0][0])
    assert not empty.has_orders
    section = cash_pack_html(empty, SETTINGS)
    assert html.escape(NO_ORDERS) in section
    assert "<table>" not in section
    quiet = cash_report(demo[0], Period(date(2010, 1, 1), date(2010, 3, 31)), Scope(), SETTINGS)
    assert quiet.has_orders and quiet.funnel.count("ordered") == 0
    section = cash_pack_html(quiet, SETTINGS)
    assert "No order placed, invoiced or paid in this period" in section
    assert "nothing receivable on 31 Mar 2010" in section and "<table>" not in section


def test_every_demo_order_has_a_rep_repeat_orders_the_rep_of_a_deal_behind_them(demo):
    repo, rows, deals = demo
    assert rows["order_rep"].notna().all()
    first = rows[rows["opportunity_id"].notna()]
    deal_rep = first["opportunity_id"].map(deals.set_index("opportunity_id")["rep_id"])
    assert (first["order_rep"] == deal_rep).all()
    repeat = rows[rows["opportunity_id"].isna()]
    assert len(repeat) > 0
    won = deals[deals["outcome"] == "won"]
    behind = repeat.merge(won, left_on="account_id", right_on="deal_account", suffixes=("", "_d"))
    behind = behind[behind["closed_at_d"] <= behind["ordered_at"]]
    matched = behind[behind["order_rep"] == behind["rep_id_d"]]["id"].unique()
    assert set(matched) == set(repeat["id"])  # each one's rep won a deal of that account before
    period = CASES[0][0]
    by_rep = cash_report(repo, period, Scope(), SETTINGS).breakdowns["rep"]
    from salesops.cash.breakdown import NO_DEAL

    assert NO_DEAL not in set(by_rep["rep"])  # by-rep views are complete
    one = int(repeat["order_rep"].iloc[0])
    scoped = cash_report(repo, period, Scope(rep_ids=(one,)), SETTINGS)
    placed = rows[rows["ordered_at"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))]
    mine = placed[placed["order_rep"] == one]
    assert scoped.funnel.repeat_orders == int(mine["opportunity_id"].isna().sum()) > 0
