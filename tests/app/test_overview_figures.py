"""The Overview's page headlines: one figure table each, the same figures as their pages."""

from __future__ import annotations

from pathlib import Path

from salesops.ui.figure_table import DEFINITIONS
from tests.app.conftest import figure_tables, figures_shown, html_tiles

PAGES = Path(__file__).resolve().parents[2] / "pages"
# HTML tiles (no st.metric, issue 21): bookings and the KPIs; the call's panel is two tables
TILES = ["Bookings, Q4 2026 to date", "Bookings, 2026 to date", "Win rate", "Avg sales cycle",
         "Lead → opportunity", "LTV : CAC"]  # fmt: skip


def test_each_page_headline_draws_its_figures_as_one_table(run_page, demo_url):
    at = run_page(str(PAGES / "overview.py"), demo_url)
    assert not at.exception
    assert not at.metric and list(html_tiles(at)) == TILES
    tables = figure_tables(at)
    for label in (
        "Q4 2026 forecast",
        "Q1 2027 forecast",
        "Balance index",
        "Over-loaded territories",
        "Team selling share",
        "Net pipeline change this week",
        "Slipped out of the quarter",
        "Overdue receivables",
        "The call",
        "Gap (quota − call)",
    ):
        assert label in tables, label
    # the forecast's gap to quota and attainment, as its tiles said them
    assert tables["Q4 2026 forecast"][1].endswith(" quota")
    assert "of quota; quota $" in tables["Q4 2026 forecast"][2]
    # definitions stay one hover away, on a closing line (no help icon follows a table)
    defined = [m for m in at.markdown if m.help and "| :--" in m.value]
    assert any("Balance index" in m.help for m in defined)
    assert defined and all(m.value.endswith(DEFINITIONS) for m in defined)


def test_the_overview_headlines_show_the_pages_own_figures(run_page, demo_url):
    overview = figures_shown(run_page(str(PAGES / "overview.py"), demo_url))
    forecast = figures_shown(run_page(str(PAGES / "forecast.py"), demo_url))
    time = figures_shown(run_page(str(PAGES / "time_allocation.py"), demo_url))
    assert overview["Q4 2026 forecast"] == forecast["Q4 2026 forecast"]
    assert overview["Q1 2027 forecast"] == forecast["Q1 2027 forecast"]
    assert overview["Team selling share"] == time["Team selling share"]
    assert overview["Prophet run-rate"] == overview["Q4 2026 forecast"]


def test_what_each_page_answers_is_drawn_once_opened(run_page, demo_url):
    from salesops.ui.nav import linked_pages

    at = run_page(str(PAGES / "overview.py"), demo_url)
    promises = [page.promise for page in linked_pages()]

    def shown() -> list[str]:
        return [p for p in promises if any(p in m.value for m in at.markdown)]

    assert "Go deeper" in [h.value for h in at.subheader]
    assert shown() == []  # only the headlines' own links are drawn at first
    at.session_state["overview.go_deeper"] = True
    at.run()
    assert not at.exception
    assert shown() == promises
