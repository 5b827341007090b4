"""Browser test: the Order-to-cash page in chromium, screenshot for review."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_metrics

pytestmark = pytest.mark.e2e


def test_cash_page_renders_funnel_days_aging_and_what_if(app_url, page, screenshot):
    page.set_viewport_size({"width": 1400, "height": 6400})  # the whole page in one shot
    page.goto(app_url)
    wait_for_app(page, "Order to cash")
    page.goto(f"{app_url}/cash?period=custom&from=2025-10-01&to=2026-09-30")
    wait_for_app(page, "What-if: invoice and get paid sooner")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_metrics(
        page,
        "Receivable",
        "DSO",
        "Invoiced → paid",
        "Cash pulled forward",
        "Orders missing a required field",
        "Hours to approve (median)",
    )
    assert page.locator(".vega-embed").count() >= 3  # funnel, days trend, aging
    assert "Order to cash" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert page.get_by_text("Accounts with the most overdue").count() == 1
    screenshot(page, "cash")
