"""Browser: the shared filters follow the user from page to page, in the URL and on screen."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

TERRITORY = "North America East Enterprise"


def _sidebar_shows_the_filters(page) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    chips = sidebar.locator("[data-tag]").all_inner_texts()
    assert [c.strip() for c in chips] == [TERRITORY]
    period = sidebar.locator('[data-testid="stSelectbox"]').first.locator("input")
    assert period.input_value() == "Last quarter"
    assert sidebar.get_by_text("Q3 2026", exact=True).first.is_visible()


def _open_the_filters(page) -> None:
    """A new tab shows the filters in words; their widgets are drawn once opened (issue 21)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator('[data-testid="stMultiSelect"]').count() == 0
    words = sidebar.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert any(w.startswith(f"Last quarter: Q3 2026 · {TERRITORY}") for w in words), words
    sidebar.get_by_text("Change filters").click()
    sidebar.locator("[data-tag]").first.wait_for(timeout=60_000)


def _main_caption(page) -> str:
    return page.locator(
        '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
    ).first.inner_text()


def _url_holds_the_filters(page) -> None:
    assert "territory=1" in page.url and "period=last-quarter" in page.url, page.url


def test_territory_and_period_follow_the_user_across_pages(app_url, page, screenshot):
    page.goto(f"{app_url}/kpis?territory=1&period=last-quarter")
    wait_for_app(page, "Monthly trends")
    caption = _main_caption(page)
    assert caption.startswith(f"Last quarter: Q3 2026 · {TERRITORY}")
    _open_the_filters(page)
    _sidebar_shows_the_filters(page)

    journey = [
        ("Territory balance", "Quotas and hires"),
        ("Forecast", "Can you trust it?"),
        ("Pipeline review", "Deals to walk through"),
    ]
    for link, landmark in journey:
        page.get_by_role("link", name=link).first.click()
        wait_for_app(page, landmark)
        _url_holds_the_filters(page)
        _sidebar_shows_the_filters(page)
    # the page itself applies the territory
    review = _main_caption(page)
    assert TERRITORY in review
    screenshot(page, "journey_pipeline_review")

    page.get_by_role("link", name="KPIs").first.click()
    wait_for_app(page, "Monthly trends")
    _url_holds_the_filters(page)
    _sidebar_shows_the_filters(page)
    caption = _main_caption(page)
    assert caption.startswith(f"Last quarter: Q3 2026 · {TERRITORY}")
