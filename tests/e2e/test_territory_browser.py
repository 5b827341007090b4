"""Browser test: the Territory balance and Plan pages draw their tiles, charts and tables."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_figures, wait_for_metrics
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e


def test_territory_page_screenshot(app_url, page, screenshot):
    # Open the app first: a deep link on a fresh server runs the page without app.py.
    page.goto(app_url)
    wait_for_app(page, "Headline KPIs")
    page.goto(f"{app_url}/territory")
    wait_for_app(page, "Quotas and hires")
    assert page.locator('[data-testid="stException"]').count() == 0
    figures = wait_for_figures(page, *("Load balance", "Over-loaded", "Under-loaded", "Ramp"))
    assert page.locator('[data-testid="stMetric"]').count() == 0  # figures as one table
    assert "mo" in figures
    # utilisation: HTML bars, a hover per territory (no Vega at first paint, issue 21)
    assert page.locator(".vega-embed").count() == 0
    bars = page.get_by_role("figure", name="Utilisation per territory")
    assert bars.locator("[title*=': utilisation ']").count() >= 1
    assert bars.get_by_text("over-loaded above 110%").count() == 1
    path = screenshot(page, "territory")
    assert path.stat().st_size > 50_000
    # The assumptions' widgets are drawn once their expander is opened.
    assert page.get_by_text("Balanced utilisation band").count() == 0
    page.get_by_text("Assumptions").first.click()
    page.get_by_text("Balanced utilisation band").first.wait_for(timeout=60_000)
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    tabs.filter(has_text="Potential per selling hour").first.click()
    wait_settled(page, "The opportunity each selling hour has to work")
    assert page.locator(".vega-embed").count() == 1  # potential per hour
    tabs.filter(has_text="Rebalancing proposal").first.click()
    wait_for_metrics(page, "Swaps")
    wait_settled(page, "A what-if preview")
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "territory_proposal")


def test_plan_page_screenshot(app_url, page, screenshot):
    page.goto(app_url)
    wait_for_app(page, "Headline KPIs")
    page.goto(f"{app_url}/plan")
    wait_for_app(page, "Quotas")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_figures(page, *("Expected at quota", "Hires", "Hires' cost this year"))
    assert page.locator(".vega-embed").count() == 0  # the attainment distribution: HTML bars
    bars = page.get_by_role("figure", name="Expected reps per attainment band")
    assert bars.locator("[title^='Suggested quotas, ']").count() == 5
    path = screenshot(page, "plan")
    assert path.stat().st_size > 50_000
    # The what-if's widgets are drawn once "Change the plan" is opened.
    assert page.locator('[data-testid="stSlider"]').count() == 0
    page.get_by_text("Change the plan").first.click()
    page.locator('[data-testid="stSlider"]').nth(3).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "plan_controls")
