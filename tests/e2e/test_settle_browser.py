"""The settle wait passes only on a page that has really finished, and fails otherwise."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e

TICKING = """<div id="x">Landmark</div>
<script>let n = 0;
setInterval(() => { document.getElementById('x').dataset.n = n++; }, 200);</script>
"""
LATE = """<div id="x">Loading</div>
<script>setTimeout(() => { document.getElementById('x').textContent = 'Landmark'; }, 600);
setTimeout(() => { document.body.append(Object.assign(document.createElement('p'),
  {textContent: 'more'})); }, 1200);</script>
"""


def _timeout_error() -> type[Exception]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    return PlaywrightTimeout


def test_a_page_that_keeps_changing_never_settles(page):
    page.set_content(TICKING)
    with pytest.raises(_timeout_error()):
        wait_settled(page, "Landmark", timeout_ms=3_000)


@pytest.mark.parametrize(
    "busy",
    [
        '<div data-testid="stStatusWidgetRunningIcon"></div>',
        '<div data-testid="stSkeleton"></div>',
        '<div data-stale="true">old</div>',
        '<div class="vega-embed"></div>',
        '<div data-testid="stApp" data-test-script-state="running"></div>',
        '<div data-testid="stApp" data-test-script-state="initial"></div>',
    ],
)
def test_a_running_or_stale_or_undrawn_page_never_settles(page, busy):
    page.set_content(f"<div>Landmark</div>{busy}")
    with pytest.raises(_timeout_error()):
        wait_settled(page, "Landmark", timeout_ms=2_000)


def test_an_app_whose_script_has_finished_settles(page):
    page.set_content('<div data-testid="stApp" data-test-script-state="notRunning">Landmark</div>')
    wait_settled(page, "Landmark", timeout_ms=5_000)


def test_a_missing_landmark_fails(page):
    page.set_content("<div>Something else</div>")
    with pytest.raises(_timeout_error()):
        wait_settled(page, "Landmark", timeout_ms=2_000)


def test_waits_for_the_last_change_after_the_landmark(page):
    page.set_content(LATE)
    wait_settled(page, "Landmark", timeout_ms=10_000)
    assert page.get_by_text("more").is_visible()


def test_the_app_settles_after_its_last_section(app_url, page):
    page.goto(f"{app_url}/kpis")
    wait_for_app(page, "Monthly trends")
    assert page.locator('[data-stale="true"]').count() == 0
    # the first paint's trend is an SVG image (no Vega, issue 21): loaded once settled
    trend = page.locator('[role="img"][aria-label^="Win rate by month"] img')
    assert trend.evaluate("i => i.complete && i.naturalWidth > 0")
    # the Breakdowns tab draws a Vega chart: settled means it has drawn too
    page.locator('[data-testid="stMain"] [role="tab"]').filter(has_text="Breakdowns").click()
    wait_for_app(page, "Break down by")
    assert page.locator('[data-stale="true"]').count() == 0
    assert page.locator('[data-testid="stVegaLiteChart"]').count() > 0
    for chart in page.locator(".vega-embed").all():
        assert chart.locator("canvas, svg").count() > 0
