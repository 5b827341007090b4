"""Browser: the Pipeline review page in chromium, and the exported meeting pack opened offline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.formatting import format_money
from tests.e2e.conftest import wait_for_app, wait_for_figures

pytestmark = pytest.mark.e2e


def test_pipeline_review_page_screenshot(app_url, page, screenshot):
    page.goto(f"{app_url}/pipeline_review?week=2026-11-09")
    wait_for_app(page, "Deals to walk through")
    assert page.locator('[data-testid="stException"]').count() == 0
    wait_for_figures(page, *("Opening pipeline", "Net change", "Slipped", "Closing pipeline"))
    wait_for_figures(page, "Pipeline coverage", "The call")
    assert page.locator('[data-testid="stMetric"]').count() == 0  # figure tables only
    # the waterfall: HTML bars, a hover per step (no Vega at first paint, issue 21)
    waterfall = page.get_by_role("figure", name="Pipeline waterfall")
    assert waterfall.locator("[title^='Opening pipeline: $']").count() == 1
    assert page.locator(".vega-embed").count() == 0
    # the week is said in the caption; its picker is drawn once its expander is opened
    assert page.get_by_text("Week of Mon 09 Nov – Sun 15 Nov 2026").first.is_visible()
    assert page.locator('[data-testid="stSelectbox"]').count() == 0
    # no download button at first paint (issue 21); the pack's three are drawn when opened
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    screenshot(page, "pipeline_review")
    page.get_by_text("Download the meeting pack").click()
    page.get_by_role("button", name="Download HTML + CSVs (zip)").wait_for()
    assert page.locator('[data-testid="stDownloadButton"]').count() == 3
    page.get_by_text("Review another week").click()
    # the picker shows the week the link asked for
    picker = page.locator('[data-testid="stSelectbox"] input')
    picker.first.wait_for()
    assert picker.first.input_value() == "Week of 9 Nov 2026 (2026-W46)"


def test_exported_meeting_pack_opens_offline_with_the_totals(demo_url, tmp_path, page, screenshot):
    target = tmp_path / "pack.html"
    result = CliRunner().invoke(
        app,
        [
            "review",
            "--week",
            "2026-W46",
            "--html",
            str(target),
            "--format",
            "json",
            "--url",
            demo_url,
        ],
    )
    assert result.exit_code == 0, result.output
    waterfall = json.loads(result.stdout)["waterfall"]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(target.as_uri())
    body = page.locator("body").inner_text()
    assert "Pipeline review — week of 9 Nov 2026" in body
    for step in ("opening", "closing", "won", "lost"):
        assert format_money(waterfall[step], "USD", full=True) in body
    assert page.locator("svg").count() >= 1
    assert [url for url in requests if not url.startswith("file:")] == []  # nothing fetched
    screenshot(page, "pipeline_review_meeting_pack")
