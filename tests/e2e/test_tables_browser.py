"""Browser: no visible table header on any page contains an underscore (an internal name)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e

PAGES = [
    ("kpis", "Monthly trends"),
    ("territory", "Quotas and hires"),
    ("time_allocation", "New-rep ramp"),
    ("cash", "Booked → ordered → invoiced → paid"),
    ("pipeline_review", "Meeting pack"),
    ("forecast", "Every territory"),
    ("data", "Import history"),
]


def _visible_headers(page) -> list[str]:
    headers = []
    tables = page.locator('[data-testid="stDataFrame"]')
    for index in range(tables.count()):
        table = tables.nth(index)
        if not table.is_visible():  # in a closed tab or expander
            continue
        table.scroll_into_view_if_needed()
        # a grid draws its header row once it is on screen
        table.locator('[role="columnheader"]').first.wait_for(state="attached", timeout=30_000)
        headers += table.locator('[role="columnheader"]').all_inner_texts()
    # figure tables (Markdown) and summary tables drawn as HTML (show_summary_table)
    text_tables = '[data-testid="stMarkdownContainer"] table, [data-testid="stHtml"] table'
    for text_table in page.locator(text_tables).all():
        if text_table.is_visible():
            headers += text_table.locator("th").all_inner_texts()
    return [h.strip() for h in headers if h.strip()]


@pytest.mark.parametrize(("path", "landmark"), PAGES)
def test_no_visible_table_header_has_an_underscore(app_url, page, path, landmark):
    page.goto(f"{app_url}/{path}")
    wait_for_app(page, landmark)
    seen = set(_visible_headers(page))  # the page has settled: its tables are there
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for index in range(tabs.count()):  # tables inside tabs draw only when their tab is open
        tabs.nth(index).click()
        # a tab may rerun its fragment (Pipeline review's lists): read the tables it draws,
        # not the ones it is replacing
        wait_settled(page, landmark)
        seen |= set(_visible_headers(page))
    assert seen, f"{path}: no table header found"
    assert not [h for h in seen if "_" in h], f"{path}: {sorted(seen)}"
