"""Browser test: the Forecast page draws its charts, verdict and what-if panel in chromium."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_forecast_page_screenshot(app_url, page, screenshot):
    page.goto(f"{app_url}/forecast?freq=M&horizon=6&scope=all")
    wait_for_app(page, "What if…", timeout_ms=180_000)
    # The quarter tiles can redraw after the last section appears: wait for them too.
    tiles = page.locator('[data-testid="stMetric"]')
    tiles.filter(has_text="2027Q1 forecast").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Can you trust it? Backtest against seasonal naive").is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 4
    labels = " ".join(page.locator('[data-testid="stMetric"]').all_inner_texts())
    assert "2026Q4 forecast" in labels and "2027Q1 forecast" in labels
    screenshot(page, "forecast")
