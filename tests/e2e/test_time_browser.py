"""Browser test: the Rep time allocation page in chromium, screenshot for review.

The page's lower sections are tabs drawn only when opened (issue 21): the first paint has the
rep summary and the first tab; each other tab draws its section when clicked.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app, wait_for_figures, wait_for_metrics
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e

TABS = {  # tab -> a metric tile it draws (None: a chart only)
    "Trend": None,
    "What-if": "Rep hours freed",
    "Moving the middle": "Middle vs top",
    "New-rep ramp": "Bookings gained per new hire",
}


def test_time_page_renders_charts_and_what_if(app_url, page, screenshot):
    page.set_viewport_size({"width": 1400, "height": 6000})  # the whole page in one shot
    # Enter through the app (a fresh deep link runs the page file without app.py's navigation).
    page.goto(app_url)
    wait_for_app(page, "Reps below one-third")
    # the Overview's rep time headline: its figures as one table (salesops.ui.figure_table)
    figures = page.locator('[data-testid="stMarkdownContainer"] table')
    figures.filter(has_text="Team selling share").first.wait_for(timeout=60_000)
    page.goto(f"{app_url}/time_allocation")
    wait_for_app(page, "Furthest below")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_figures(page, "Team selling share", "Revenue per selling hour")
    assert page.locator('[data-testid="stMetric"]').count() == 0  # one figure table
    # the selling-share bands and the first tab's team hours: HTML bars, no Vega (issue 21)
    assert page.locator(".vega-embed").count() == 0
    bands = page.get_by_role("figure", name="Reps per selling-share band")
    assert bands.locator("[title$=' the benchmark']").count() >= 1
    hours = page.get_by_role("figure", name="Team hours by activity")
    assert hours.locator("[title*=' of hours']").count() >= 1
    assert page.get_by_text("Rep hours freed").count() == 0  # the what-if is not drawn yet
    assert "Rep time allocation" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    screenshot(page, "time_allocation")
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for label, metric in TABS.items():
        tabs.filter(has_text=label).first.click()
        if metric is not None:
            wait_for_metrics(page, metric)
        wait_settled(page, label)
        assert page.locator('[data-testid="stException"]').count() == 0, label
        panel = page.locator('[role="tabpanel"]:visible')
        assert panel.locator(".vega-embed").count() >= 1, label  # its chart drew
        if label == "What-if":
            wait_for_metrics(page, "Extra revenue", "Revenue lift")
            screenshot(page, "time_allocation_what_if")
