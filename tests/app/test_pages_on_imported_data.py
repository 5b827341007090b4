"""The rest of the app on a real imported dataset: pages run and say what the data lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops.db.engine import init_schema, make_engine
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.kpis.metrics import KPIS
from salesops.kpis.won_amounts import SAID_ABOVE
from tests.app.conftest import figures_shown, html_tiles, open_filters

ROOT = Path(__file__).resolve().parents[2]
MAVEN = Path("/work/shared/datasets/maven-crm-sales-opportunities")
PAGES = ["overview.py", "kpis.py", "data.py"]

pytestmark = pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")


@pytest.fixture(scope="module")
def maven_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('maven') / 'maven.db'}"
    engine = make_engine(url)
    init_schema(engine)
    names = ("sales_pipeline.csv", "accounts.csv", "sales_teams.csv")
    outcome = import_files(engine, [CsvInput.from_path(MAVEN / n) for n in names], "maven")
    assert outcome.written, outcome.message
    return url


def captions(at) -> str:
    """Returns the captions and the KPI tiles' texts (why a figure is undefined)."""
    tiles = [text for texts in html_tiles(at).values() for text in texts]
    return "\n".join([str(c.value) for c in at.caption] + tiles)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_imported_maven_data(run_page, maven_url, page):
    # the data ends in 2017: ask for that year explicitly
    at = run_page(str(ROOT / "pages" / page), maven_url, {"from": "2017-01-01", "to": "2017-12-31"})
    assert not at.exception
    if page == "kpis.py":
        text = captions(at)
        # no spend in this dataset: CAC is undefined and the page says why, never $0
        assert "no acquisition spend recorded" in text
        assert "no leads created in period" in text
        # no orders either: LTV says what to import, not "no active customers"
        assert "no orders recorded (import orders to compute LTV)" in text
        values = figures_shown(at)
        assert values["CAC"] == "—"
        assert values["Win rate"] == "63.2%"  # 4238 / (4238 + 2473)


def test_kpi_trends_without_data_say_why_instead_of_empty_axes(run_page, maven_url):
    at = run_page(str(ROOT / "pages" / "kpis.py"), maven_url, {"from": "2017-01-01"})
    assert not at.exception
    # no leads and no spend: five trends have no month to chart, and the page names them
    assert any(
        c.value.startswith("No month in the period to chart for")
        and c.value.count(",") == 4
        and "CAC" in c.value
        for c in at.caption
    )
    charted = infos = 0
    for name in KPIS:
        at.segmented_control(key="kpis.trend").set_value(name).run()
        assert not at.exception
        # one trend at a time: a chart, or the sentence saying why (never empty axes)
        # the trend: an SVG image in st.html (never inline SVG in the Markdown)
        assert not [m for m in at.markdown if "<svg" in m.value], name
        charts = len([h for h in at.get("html") if "data:image/svg+xml" in h.proto.body])
        said = [i.value for i in at.info]
        assert charts + len(said) == 1, name
        charted += charts
        infos += len(said)
        if name == "cac":
            assert said[0].startswith(
                "No month in the period has a CAC to chart: no acquisition spend recorded"
            )
    assert (charted, infos) == (2, 5)  # win rate and sales cycle


OLIST = MAVEN.parent / "olist-marketing-funnel"


@pytest.fixture(scope="module")
def olist_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('olist') / 'olist.db'}"
    engine = make_engine(url)
    init_schema(engine)
    names = ("olist_marketing_qualified_leads_dataset.csv", "olist_closed_deals_dataset.csv")
    outcome = import_files(
        engine, [CsvInput.from_path(OLIST / n) for n in names], "olist", valid_rows_only=True
    )
    assert outcome.written, outcome.message
    return url


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_imported_olist_data(run_page, olist_url, page):
    at = run_page(str(ROOT / "pages" / page), olist_url, {"from": "2017-06-01", "to": "2018-05-31"})
    assert not at.exception
    if page == "kpis.py":
        values = figures_shown(at)
        assert values["CAC"] == "—"  # no spend
        assert values["Lead → opportunity"] != "—"  # leads exist: the ratio is defined
        # Olist records won deals only: the 100% win rate says so beside it
        assert values["Win rate"] == "100.0%"
        assert "no lost deals in period: are lost deals recorded?" in captions(at)


def test_a_link_reaching_before_the_data_is_narrowed_not_a_crash(run_page, olist_url):
    # olist data starts on 2017-06-14: a link from 2010 used to hit the date widget's minimum
    at = run_page(
        str(ROOT / "pages" / "kpis.py"), olist_url, {"from": "2010-01-01", "to": "2018-05-31"}
    )
    assert not at.exception
    at = open_filters(at)  # the date widget is drawn once "Change filters" is opened
    assert not at.exception
    assert at.date_input(key="filters.dates").value[0].isoformat() == "2017-06-01"


def test_pipeline_review_without_close_dates_says_why_the_waterfall_is_empty(run_page, maven_url):
    # Maven's open deals (1,589 Engaging + 500 Prospecting) carry no expected close date
    at = run_page(str(ROOT / "pages" / "pipeline_review.py"), maven_url)
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "the waterfall is empty. 2,089 open deal(s) have no expected close date" in infos
    # no waterfall chart (known by its step labels) of $0 bars
    assert not any("Pulled in" in chart.proto.spec for chart in at.get("vega_lite_chart"))
    assert not any(">Pulled in<" in html.proto.body for html in at.get("html"))


OLIST_UNDEFINED = "Bookings undefined: none of the 841 won deals has an amount"
CALL_TILES = ("Won to date", "Commit", "Best case", "The call", "Prophet run-rate")


def _money_tiles(at) -> dict[str, str]:
    """Returns the tiles' (st.metric or HTML) and the call panel's figures by label."""
    shown = figures_shown(at)
    panel = {k: v for k, v in shown.items() if k in CALL_TILES or k.startswith("Gap")}
    tiles = {label: texts[0] for label, texts in html_tiles(at).items()}
    return {**{m.label: m.value for m in at.metric}, **tiles, **panel}


def _bookings_bars(at) -> list[str]:
    """Returns the Overview's bookings charts drawn: HTML bars, or a Vega chart of bookings."""
    bars = [h.proto.body for h in at.get("html") if "Bookings by month" in h.proto.body]
    vega = [c.proto.spec for c in at.get("vega_lite_chart") if '"Bookings"' in c.proto.spec]
    return bars + vega


def test_overview_on_olist_says_bookings_are_undefined_not_zero(run_page, olist_url):
    # 841 won deals, none with an amount: every bookings figure is "—" with the reason
    at = run_page(str(ROOT / "pages" / "overview.py"), olist_url)
    assert not at.exception
    tiles = _money_tiles(at)
    bookings = {k: v for k, v in tiles.items() if k.startswith("Bookings, ")}
    assert len(bookings) == 2 and set(bookings.values()) == {"—"}, bookings
    for label in CALL_TILES:
        assert tiles[label] == "—", (label, tiles[label])
    forecasts = {k: v for k, v in figures_shown(at).items() if k.endswith(" forecast")}
    assert forecasts and set(forecasts.values()) == {"—"}, forecasts
    assert not [k for k, v in tiles.items() if v == "$0"], tiles
    infos = [i.value for i in at.info]
    # said in full once, under the bookings tiles; the call panel and the bookings chart refer
    # to it, and forecast vs quota's tiles say it in a few words
    assert sum(OLIST_UNDEFINED in text for text in infos) == 1, infos
    assert sum(c.value == SAID_ABOVE for c in at.caption) == 2
    assert "held steady at $0" not in " ".join(m.value for m in at.markdown)
    assert "$0 booked" not in " ".join(m.value for m in at.markdown)
    # no flat $0 bookings chart
    assert not _bookings_bars(at)


def test_forecast_on_olist_fits_nothing_and_says_why(run_page, olist_url):
    at = run_page(str(ROOT / "pages" / "forecast.py"), olist_url)
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert OLIST_UNDEFINED in infos
    assert not [w.value for w in at.warning if "Not a Prophet forecast" in w.value]
    tiles = _money_tiles(at)
    for label in CALL_TILES:
        assert tiles[label] == "—", (label, tiles[label])
    assert not [k for k, v in tiles.items() if v == "$0"], tiles
    # no forecast band, no pipeline-weighted quarter bars: no chart of $0 lines
    assert not at.get("vega_lite_chart")
    assert not [m for m in at.markdown if "<svg" in m.value]  # the band (once inline SVG)
    assert not [h for h in at.get("html") if 'role="img"' in h.proto.body]  # the band
    assert not [h for h in at.get("html") if "Forecast and quota per quarter" in h.proto.body]


def test_pipeline_review_on_olist_shows_the_same_undefined_call_panel(run_page, olist_url):
    # the panel is shared: the same "—" tiles and the same sentence as Overview and Forecast
    at = run_page(str(ROOT / "pages" / "pipeline_review.py"), olist_url)
    assert not at.exception
    tiles = _money_tiles(at)
    assert [tiles[label] for label in CALL_TILES] == ["—"] * len(CALL_TILES)
    assert tiles["Gap (quota − call)"] == "—"
    assert any(OLIST_UNDEFINED in i.value for i in at.info)


def test_overview_without_a_won_deal_in_the_period_draws_no_flat_zero_chart(run_page, tmp_path):
    url = f"sqlite:///{tmp_path / 'late.db'}"
    engine = make_engine(url)
    init_schema(engine)
    deals = CsvInput(
        "opportunities.csv",
        b"Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,"
        b"Close Date,Stage,Amount\n"
        b"o1,Deal 1,Acme,Ana Lee,2024-01-10,2024-06-01,Closed Won,1000\n"
        b"o2,Deal 2,Beta,Ana Lee,2024-01-12,2024-06-20,Closed Won,2000\n",
    )
    assert import_files(engine, [deals], "salesforce").written
    engine.dispose()
    # every deal was won after the period asked for (the chart shows its trailing 12 months)
    at = run_page(
        str(ROOT / "pages" / "overview.py"), url, {"from": "2024-01-01", "to": "2024-03-31"}
    )
    assert not at.exception
    assert any(i.value.startswith("No deal was won from Apr 2023 to Mar 2024") for i in at.info)
    assert not _bookings_bars(at)
