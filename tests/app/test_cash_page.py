"""The Order-to-cash page in AppTest: figures as the report says, controls, empty states."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.calendar import Period
from salesops.cash.report import cash_report
from salesops.db.engine import make_engine
from salesops.db.rollups import rebuild_rollups
from salesops.formatting import format_value
from salesops.repository import Repository
from tests.app.conftest import figures_shown

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "cash.py")
QUERY = {"period": "custom", "from": "2025-10-01", "to": "2026-09-30"}


def _copy(url: str, folder: Path, *statements: str) -> str:
    """Returns the URL of a copy of the demo database with `statements` applied.

    The rollups are rebuilt in the same transaction, as an import does after its writes.
    """
    path = folder / "copy.db"
    shutil.copy(make_url(url).database, path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
        rebuild_rollups(conn)
    engine.dispose()
    return f"sqlite:///{path}"


TABS = {  # lower tab -> the subheader drawn in it (only the open tab is drawn)
    "Days to cash": "Days from deal to cash",
    "Receivables": "Receivables by days past due",
    "By rep, territory, segment": "By rep, territory and segment",
    "What delays cash": "What most delays cash",
    "Captured up front": "Orders captured up front",
    "Approvals": "Approvals",
    "What-if": "What-if: invoice and get paid sooner",
}


def _open(at, tab: str):
    """Opens one of the page's lower tabs and reruns."""
    at.session_state["cash.tabs"] = tab
    return at.run()


def test_demo_shows_the_funnel_days_receivables_and_what_delays_cash(run_page, demo_url):
    at = run_page(PAGE, demo_url, QUERY)
    assert not at.exception
    assert [t.label for t in at.tabs] == list(TABS)
    # first paint: the funnel and the first tab only
    assert [s.value for s in at.subheader] == [
        "Booked → ordered → invoiced → paid",
        "Days from deal to cash",
    ]
    assert not at.dataframe
    report = cash_report(
        Repository(make_engine(demo_url)), Period(date(2025, 10, 1), date(2026, 9, 30))
    )
    assert not at.metric  # the headline and the steps' figures: figure tables (issue 21)
    tiles = figures_shown(at)
    assert tiles["Receivable"] == format_value(report.totals["receivable"], "money", "USD")
    assert tiles["DSO"] == format_value(report.dso.value, "days")
    median = report.cycle["invoice_to_paid"]["median"].value
    assert tiles["Invoiced → paid"] == f"{median:,.0f} days"
    for tab, title in TABS.items():
        _open(at, tab)
        assert not at.exception, tab
        shown = [s.value for s in at.subheader]
        assert shown[0] == "Booked → ordered → invoiced → paid" and shown[1:] == [title], tab
    _open(at, "Receivables")
    assert at.dataframe[0].value["amount"].sum() == pytest.approx(report.totals["receivable"])
    _open(at, "By rep, territory, segment")
    assert at.dataframe[0].value.columns[0] == "rep"
    _open(at, "What delays cash")
    assert len(at.dataframe[1].value) == 25
    _open(at, "Captured up front")
    completeness = at.dataframe[0].value
    assert completeness["incomplete"].sum() == report.completeness.incomplete
    _open(at, "Approvals")
    assert at.dataframe[0].value["approver"].iloc[0] == "Deal desk: S. Ito"


def test_breakdown_and_what_if_answer(run_page, demo_url):
    at = _open(run_page(PAGE, demo_url, QUERY), "By rep, territory, segment")
    at.segmented_control(key="cash.by").set_value("territory").run()
    assert not at.exception
    assert at.dataframe[0].value.columns[0] == "territory"
    _open(at, "What-if")
    before = next(m for m in at.metric if m.label == "Cash pulled forward").value
    at.slider(key="cash.pay_days").set_value(20).run()
    assert not at.exception
    after = next(m for m in at.metric if m.label == "Cash pulled forward").value
    assert after != before
    at.slider(key="cash.pay_days").set_value(0).run()
    at.slider(key="cash.invoice_days").set_value(0).run()
    assert next(m for m in at.metric if m.label == "Cash pulled forward").value == "$0"


def test_no_orders_says_what_to_import(run_page, demo_url, tmp_path):
    url = _copy(demo_url, tmp_path, "DELETE FROM orders")
    at = run_page(PAGE, url)
    assert not at.exception
    assert any("No orders yet: import orders" in i.value for i in at.info)
    assert not at.dataframe


def test_orders_without_invoices_and_odd_orders_are_said_not_hidden(run_page, demo_url, tmp_path):
    url = _copy(
        demo_url,
        tmp_path,
        "UPDATE orders SET invoiced_at = NULL, paid_at = NULL WHERE ordered_at >= '2025-10-01'",
        "UPDATE orders SET amount = -500 WHERE id IN (SELECT id FROM orders "
        "WHERE ordered_at >= '2025-10-01' ORDER BY id LIMIT 3)",
    )
    at = run_page(PAGE, url, QUERY)
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "None of the period's orders has an invoice date yet" in warnings
    assert "3 orders have a zero or negative amount" in warnings
    assert figures_shown(at)["Paid of ordered"] == "$0"


OVERVIEW = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


def test_overview_shows_the_cash_headline(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    assert "Order to cash" in [h.value for h in at.subheader]
    labels = list(figures_shown(at))
    assert "Overdue receivables" in labels
    assert any(label.startswith("Collected, Q") for label in labels)
    assert any("collected so far in Q" in m.value for m in at.markdown)


def test_overview_booked_is_the_bookings_headline_figure(run_page, demo_url):
    """One figure: the cash headline's "Booked, <quarter> to date" is the bookings tile's.

    Both count the quarter to the latest day of data; the period filter (whose default ends
    with the last complete month) must not cut the cash headline's quarter short.
    """
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    metrics = figures_shown(at)  # the bookings tiles and the cash headline's figures
    booked = next(label for label in metrics if label.startswith("Booked, Q"))
    quarter = booked.removeprefix("Booked, ")
    assert metrics[f"Bookings, {quarter}"] == metrics[booked]


def test_days_trend_is_drawn_when_opened(run_page, demo_url):
    """Issue 21: the page draws no Vega chart at first paint; the trend when asked for."""
    at = run_page(PAGE, demo_url, QUERY)
    assert not at.exception
    assert not at.get("vega_lite_chart") and not at.get("button_group")
    at.session_state["cash.days_trend"] = True
    at.run()
    assert not at.exception
    [chart] = at.get("vega_lite_chart")
    assert "Days (median)" in chart.proto.spec
    at.segmented_control(key="cash.stat").set_value("p90").run()
    assert not at.exception
    assert "Days (P90)" in at.get("vega_lite_chart")[0].proto.spec
