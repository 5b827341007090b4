"""AppTest: one filter state shared by every page, kept in the session and in each URL."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from salesops.ui.cache import clear_cache
from tests.app.conftest import open_filters

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
    open_filters(at)  # and they stay open from page to page
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
    open_filters(at).selectbox(key="filters.preset").set_value("ytd").run()
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
    at = open_filters(run_page(str(ROOT / "pages" / "forecast.py"), demo_url))
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
    open_filters(at)
    assert at.sidebar.warning  # opening the filters is not a change
    assert at.multiselect(key="filters.rep").value == []
    assert at.query_params["period"] == "qtd" and "from" not in at.query_params
    # the user's next change means the link is behind them: the warning goes
    at.multiselect(key="filters.segment").set_value(["Enterprise"]).run()
    assert not at.sidebar.warning


def test_reset_puts_every_filter_back(run_page, demo_url):
    at = run_page(str(ROOT / "pages" / "kpis.py"), demo_url, {"period": "ytd", "territory": "2"})
    open_filters(at).button(key="filters.reset").click().run()
    assert not at.exception
    assert at.selectbox(key="filters.preset").value == "trailing"
    assert at.multiselect(key="filters.territory").value == []
    assert "territory" not in at.query_params and at.query_params["period"] == "trailing"


def test_a_new_tab_shows_the_filters_in_words_and_draws_their_widgets_once_opened(
    monkeypatch, demo_url
):
    """Issue 21: the six filter widgets cost a warm new tab ~0.2-0.4 s of drawing, so a page
    opens with the chosen filters in words and draws the widgets once "Change filters" is
    opened; they then stay open on the next page."""
    at = app(monkeypatch, demo_url, {"period": "last-quarter", "territory": "1"})
    at.switch_page("pages/kpis.py").run()
    assert not at.exception
    assert not at.sidebar.selectbox and not at.sidebar.multiselect
    words = "Last quarter: Q3 2026 · North America East Enterprise · vs "
    assert any(c.value.startswith(words) for c in at.sidebar.caption)
    assert [e.label for e in at.sidebar.expander] == ["Change filters"]
    assert at.query_params["territory"] == "1" and at.query_params["period"] == "last-quarter"
    open_filters(at)
    assert [w.key for w in at.sidebar.selectbox] == ["filters.preset", "filters.compare"]
    keys = ["filters.territory", "filters.segment", "filters.team", "filters.rep"]
    assert [w.key for w in at.sidebar.multiselect] == keys
    at.multiselect(key="filters.segment").set_value(["SMB"]).run()
    assert any("SMB" in c.value for c in at.sidebar.caption)  # the words follow the change
    at.query_params.clear()
    at.switch_page("pages/cash.py").run()
    assert not at.exception
    assert at.multiselect(key="filters.segment").value == ["SMB"]
