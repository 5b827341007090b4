"""AppTest: one filter state shared by every page, kept in the session and in each URL."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from salesops.ui.cache import clear_cache

ROOT = Path(__file__).resolve().parents[2]


def app(monkeypatch, url: str, query: dict) -> AppTest:
    monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
    clear_cache()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def test_filters_follow_the_user_from_page_to_page(monkeypatch, demo_url):
    at = app(monkeypatch, demo_url, {"period": "last-quarter", "territory": "1"})
    at.switch_page("pages/kpis.py").run()
    assert not at.exception
    assert at.multiselect(key="filters.territory").value == [1]
    assert at.selectbox(key="filters.preset").value == "last-quarter"
    assert "Last quarter: Q3 2026 · North America East Enterprise" in at.caption[0].value
    for page in ("pages/territory.py", "pages/forecast.py", "pages/pipeline_review.py"):
        at.query_params.clear()  # moving to another page clears the URL, as the browser does
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.multiselect(key="filters.territory").value == [1], page
        assert at.selectbox(key="filters.preset").value == "last-quarter", page
        assert at.query_params["territory"] == "1", page
        assert at.query_params["period"] == "last-quarter", page
    at.query_params.clear()
    at.switch_page("pages/kpis.py").run()
    assert at.caption[0].value.startswith("Last quarter: Q3 2026 · North America East Enterprise")


def test_a_change_on_one_page_is_what_the_next_page_shows(monkeypatch, demo_url):
    at = app(monkeypatch, demo_url, {})
    at.switch_page("pages/kpis.py").run()
    at.selectbox(key="filters.preset").set_value("ytd").run()
    at.selectbox(key="filters.compare").set_value("year").run()
    at.multiselect(key="filters.team").set_value(["Manager B"]).run()
    assert at.query_params["period"] == "ytd" and at.query_params["compare"] == "year"
    at.query_params.clear()
    at.switch_page("pages/time_allocation.py").run()
    assert not at.exception
    assert at.multiselect(key="filters.team").value == ["Manager B"]
    assert at.caption[0].value.startswith("Year to date: 1 Jan – ")
    assert at.query_params["team"] == "Manager B"


def test_pages_grey_out_the_filters_they_do_not_use(run_page, demo_url):
    at = run_page(str(ROOT / "pages" / "forecast.py"), demo_url)
    assert at.selectbox(key="filters.preset").disabled
    assert not at.multiselect(key="filters.territory").disabled
    assert "Not used on this page: period, comparison." in [c.value for c in at.sidebar.caption]


def test_a_contradictory_link_warns_once_in_the_sidebar(run_page, demo_url):
    at = run_page(
        str(ROOT / "pages" / "kpis.py"),
        demo_url,
        {"period": "qtd", "from": "2025-01-01", "to": "2025-03-31", "territory": "1", "rep": "9"},
    )
    assert not at.exception
    warning = at.sidebar.warning[0].value
    assert "the dates 2025-01-01 – 2025-03-31" in warning
    assert "rep 'Avery Cohen' (not in the chosen territory)" in warning
    assert at.multiselect(key="filters.rep").value == []
    assert at.query_params["period"] == "qtd" and "from" not in at.query_params
    # the user's next change means the link is behind them: the warning goes
    at.multiselect(key="filters.segment").set_value(["Enterprise"]).run()
    assert not at.sidebar.warning


def test_reset_puts_every_filter_back(run_page, demo_url):
    at = run_page(str(ROOT / "pages" / "kpis.py"), demo_url, {"period": "ytd", "territory": "2"})
    at.button(key="filters.reset").click().run()
    assert not at.exception
    assert at.selectbox(key="filters.preset").value == "trailing"
    assert at.multiselect(key="filters.territory").value == []
    assert "territory" not in at.query_params and at.query_params["period"] == "trailing"
