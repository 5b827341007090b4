"""Browser test: the reconciled panel shows the same call on the Overview and Forecast pages."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import figure_values, wait_for_app, wait_for_figures

pytestmark = pytest.mark.e2e

TILES = ("Won to date", "Commit", "Best case", "The call", "Prophet run-rate", "Quota")


def _tile_values(page) -> dict[str, str]:
    """Returns the call panel's figures (two figure tables) by label."""
    return {k: v for k, v in figure_values(page).items() if k in TILES}


def test_the_call_panel_is_the_same_on_overview_and_forecast(app_url, page, screenshot):
    page.goto(app_url)
    wait_for_app(page, "The quarter call", timeout_ms=180_000)
    wait_for_figures(page, *TILES)
    overview = _tile_values(page)
    screenshot(page, "call_overview")
    page.goto(f"{app_url}/forecast")
    wait_for_app(page, "The quarter call", timeout_ms=300_000)  # Prophet fit and evolution
    wait_for_figures(page, *TILES)
    forecast = _tile_values(page)
    screenshot(page, "call_forecast")
    assert set(overview) == set(TILES)
    assert overview == forecast
    assert overview["The call"].startswith("$")
    assert page.locator('[data-testid="stException"]').count() == 0
