"""Browser test: the Territory balance page draws its tiles, charts and proposal in chromium."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_metrics

pytestmark = pytest.mark.e2e


def test_territory_page_screenshot(app_url, page, screenshot):
    # Open the app first: a deep link on a fresh server runs the page without app.py.
    page.goto(app_url)
    wait_for_app(page, "Headline KPIs")
    page.goto(f"{app_url}/territory")
    wait_for_app(page, "Quota suggestions")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_metrics(page, *("Balance index (CV)", "Over-loaded", "Under-loaded", "CV after"))
    assert page.locator(".vega-embed").count() >= 2  # scatter + workload bars drawn
    path = screenshot(page, "territory")
    assert path.stat().st_size > 50_000
