"""Browser test: the Order-to-cash page in chromium, screenshot for review."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_figures, wait_for_metrics
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e


TABS = {  # lower tab -> a text it draws (only the open tab is drawn, issue 21)
    "Receivables": "Receivables by days past due",
    "What delays cash": "Accounts with the most overdue",
    "Captured up front": "Orders missing a required field",
    "Approvals": "Hours to approve (median)",
    "What-if": "Cash pulled forward",
}


def test_cash_page_renders_funnel_days_aging_and_what_if(app_url, page, screenshot):
    page.set_viewport_size({"width": 1400, "height": 3000})  # the whole page in one shot
    page.goto(app_url)
    wait_for_app(page, "Order to cash")
    page.goto(f"{app_url}/cash?period=custom&from=2025-10-01&to=2026-09-30")
    wait_for_app(page, "Days from deal to cash")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_figures(page, "Receivable", "DSO", "Invoiced → paid")
    assert page.locator('[data-testid="stMetric"]').count() == 0  # figure tables
    funnel = page.get_by_role("figure", name="Booked, ordered, invoiced, paid")
    assert funnel.locator("[title*=' · count ']").count() == 4  # HTML bars (issue 21)
    assert page.locator(".vega-embed").count() == 0  # the days trend: drawn when opened
    page.get_by_text("Each step's days, month by month").first.click()
    page.locator(".vega-embed").first.wait_for(timeout=60_000)
    wait_settled(page, "Trend of")
    assert page.get_by_text("Accounts with the most overdue").count() == 0  # not drawn yet
    assert "Order to cash" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    screenshot(page, "cash")
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for label, text in TABS.items():
        tabs.filter(has_text=label).first.click()
        page.get_by_text(text).first.wait_for(timeout=60_000)
        wait_settled(page, text)
        assert page.locator('[data-testid="stException"]').count() == 0, label
    wait_for_metrics(page, "Cash pulled forward")
    screenshot(page, "cash_what_if")
