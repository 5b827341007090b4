"""Browser test: the Rep time allocation page in chromium, screenshot for review."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_metrics

pytestmark = pytest.mark.e2e


def test_time_page_renders_charts_and_what_if(app_url, page, screenshot):
    page.set_viewport_size({"width": 1400, "height": 6000})  # the whole page in one shot
    # Enter through the app (a fresh deep link runs the page file without app.py's navigation).
    page.goto(app_url)
    wait_for_app(page, "Reps below one-third")
    wait_for_metrics(page, "Team selling share")
    page.goto(f"{app_url}/time_allocation")
    wait_for_app(page, "New-rep ramp")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_metrics(page, "Team selling share", "Rep hours freed", "Extra revenue", "Revenue lift")
    # every chart drew (each rep's hours by activity waits for its expander)
    assert page.locator(".vega-embed").count() >= 6
    assert "Rep time allocation" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    screenshot(page, "time_allocation")
