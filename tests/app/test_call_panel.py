"""The reconciled panel is one: the same tiles and numbers on the Overview, Forecast and
Pipeline review pages, and in the meeting pack."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from salesops.call.reconcile import ProphetView, panel_html, reconciled_panel
from salesops.call.report import call_report
from salesops.db.engine import make_engine
from salesops.repository import Repository
from tests.app.conftest import figures_shown

PAGES = Path(__file__).resolve().parents[2] / "pages"
TILES = ["Won to date", "Commit", "Best case", "The call", "Prophet run-rate", "Quota"]


def _panel(at) -> dict[str, str]:
    """Returns the panel's figures by label (two figure tables since issue 21)."""
    shown = figures_shown(at)
    return {label: v for label, v in shown.items() if label in TILES or label.startswith("Gap")}


@pytest.mark.slow
def test_the_panel_is_identical_on_every_page(run_page, demo_url):
    panels = []
    for page in ("overview.py", "forecast.py", "pipeline_review.py"):
        at = run_page(str(PAGES / page), demo_url)
        assert not at.exception, page
        panels.append(_panel(at))
    assert len(panels[0]) == 7
    assert panels[0] == panels[1] == panels[2]
    assert panels[0]["The call"] != "—"


def test_the_meeting_pack_section_holds_the_panel(demo_url):
    report = call_report(Repository(make_engine(demo_url, read_only=True)))
    panel = reconciled_panel(report, ProphetView(1.0e9, 0.9e9, 1.1e9), "USD")
    section = panel_html(panel, "USD")
    assert "The quarter call" in section and "Prophet run-rate view" in section
    assert panel.why is not None and "above the call's whole range" in panel.why
    assert html.escape(panel.why) in section
