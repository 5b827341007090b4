"""AppTest: the KPIs and Overview pages and the app's navigation, on good and bad databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops.db.engine import make_engine
from tests.app.conftest import html_tiles, open_filters

ROOT = Path(__file__).resolve().parents[2]
KPIS = str(ROOT / "pages" / "kpis.py")
OVERVIEW = str(ROOT / "pages" / "overview.py")
APP = str(ROOT / "app.py")


def tile_values(at) -> dict[str, str]:
    """Returns the KPI tiles' values by label: HTML tiles (KPIs, Overview), any st.metric."""
    tiles = {label: texts[0] for label, texts in html_tiles(at).items()}
    return {**{m.label: m.value for m in at.metric}, **tiles}


def test_kpis_page_renders_seven_tiles_with_definitions(run_page, demo_url):
    at = run_page(KPIS, demo_url)
    assert not at.exception
    tiles = tile_values(at)
    assert len(tiles) == 7
    assert tiles["Win rate"].endswith("%")
    assert tiles["Avg sales cycle"].endswith("days")
    assert not at.metric  # one HTML grid: no st.metric at first paint (issue 21)
    # each definition written under its figure
    assert html_tiles(at)["Win rate"][-1].startswith("Won ÷ (won + lost)")


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    for page in (KPIS, OVERVIEW):
        at = run_page(page, empty_url)
        assert not at.exception
        assert not tile_values(at)
        assert any("No opportunities yet" in i.value for i in at.info)


def test_territory_filter_changes_the_numbers(run_page, demo_url):
    everyone = tile_values(run_page(KPIS, demo_url))
    at = run_page(KPIS, demo_url, query={"territory": "1"})
    assert not at.exception and not at.warning
    one_territory = tile_values(at)
    assert one_territory["Win rate"] != everyone["Win rate"]
    assert open_filters(at).multiselect(key="filters.territory").value == [1]


def test_changing_a_filter_widget_reruns_with_new_numbers(run_page, demo_url):
    at = run_page(KPIS, demo_url)
    before = tile_values(at)
    open_filters(at).multiselect(key="filters.segment").set_value(["SMB"]).run()
    assert not at.exception
    assert tile_values(at)["Avg sales cycle"] != before["Avg sales cycle"]
    assert at.query_params["segment"] == "SMB"  # AppTest shows the last value of a list


@pytest.mark.parametrize(
    "query",
    [
        {"from": "notadate", "to": "2025-12-31"},
        {"territory": "' OR 1=1--"},
        {"rep": "99999"},
        {"segment": "<script>"},
    ],
)
def test_tampered_query_params_fall_back_to_defaults_with_a_warning(run_page, demo_url, query):
    at = run_page(KPIS, demo_url, query=query)
    assert not at.exception
    assert at.warning and "Ignored" in at.warning[0].value
    assert len(tile_values(at)) == 7


def _breakdowns(at):
    """Opens the Breakdowns tab (only the open tab is drawn) and reruns."""
    at.session_state["kpis.tabs"] = "Breakdowns"
    return at.run()


def test_first_paint_draws_the_tiles_and_one_trend(run_page, demo_url):
    at = run_page(KPIS, demo_url)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Monthly trends", "Breakdowns"]
    # the trend is an SVG image in st.html (tests/app/test_svg_charts.py): no Vega chart,
    # no grid
    assert not at.get("vega_lite_chart") and not at.dataframe
    [trend] = [h.proto.body for h in at.get("html") if "data:image/svg+xml" in h.proto.body]
    assert 'aria-label="Win rate by month, ' in trend
    at.segmented_control(key="kpis.trend").set_value("cac").run()
    assert not at.exception
    [trend] = [h.proto.body for h in at.get("html") if "data:image/svg+xml" in h.proto.body]
    assert 'aria-label="CAC by month, ' in trend


def test_breakdown_control_switches_the_table(run_page, demo_url):
    at = _breakdowns(run_page(KPIS, demo_url))
    assert at.dataframe[0].value["name"].str.contains("Enterprise|SMB|Mid-Market").all()
    at.segmented_control(key="kpis.by").set_value("channel").run()
    assert not at.exception
    assert "Paid Search" in at.dataframe[0].value["name"].tolist()


def test_unreachable_database_shows_one_sentence_and_retry(run_page):
    at = run_page(KPIS, "postgresql+psycopg://app:s3cret@127.0.0.1:1/sales")
    assert not at.exception
    assert at.error and at.error[0].value.startswith("Can't reach the database")
    assert "s3cret" not in at.error[0].value
    assert at.button(key="states.retry")


def test_database_without_schema_says_how_to_set_it_up(run_page, tmp_path):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    make_engine(url).dispose()  # creates an empty file, no tables
    at = run_page(KPIS, url)
    assert not at.exception
    assert at.warning and "salesops db init" in at.warning[0].value


def test_overview_shows_headline_tiles_and_bookings(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    assert {"Win rate", "LTV : CAC"} <= set(tile_values(at))
    assert any(h.value == "Bookings by month" for h in at.subheader)


def test_app_navigation_renders_the_overview(run_page, demo_url):
    at = run_page(APP, demo_url)
    assert not at.exception
    assert at.title[0].value == "Sales operations overview"


def test_older_schema_asks_for_an_upgrade_and_upgrade_fixes_it(run_page, tiny_demo_url, tmp_path):
    from typer.testing import CliRunner

    from salesops.cli import app
    from tests.app.conftest import older_schema_copy

    # what a database from schema 1 looks like
    url = older_schema_copy(tiny_demo_url, tmp_path, "rollup_stage_outcomes", 1)
    at = run_page(KPIS, url)
    assert not at.exception and not tile_values(at)
    assert "Database needs migration" in at.warning[0].value
    assert "salesops db upgrade" in at.warning[0].value

    assert CliRunner().invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    at = run_page(KPIS, url)
    assert not at.exception and len(tile_values(at)) == 7


def test_breakdown_ranking_names_each_sample_size(run_page, demo_url):
    at = _breakdowns(run_page(KPIS, demo_url))
    at.segmented_control(key="kpis.by").set_value("rep").run()
    assert not at.exception
    assert any(
        "closed deals behind each rate" in c.value and "not ranked" in c.value for c in at.caption
    )
