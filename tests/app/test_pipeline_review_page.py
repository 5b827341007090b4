"""AppTest: the Pipeline review page on the demo database and on an empty one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from streamlit.delta_generator import DeltaGenerator

from salesops.cash.pack import pack_cash_report
from salesops.cli.common import open_repository
from salesops.export import to_safe_csv
from salesops.pipeline_review.report import (
    export_frame,
    review_report,
    review_stale,
    review_summary,
)
from salesops.ui import cache
from salesops.ui.pipeline_review import WEEK_OPEN
from tests.app.conftest import (
    figures_shown,
    html_tiles,
    join_prefetches,
    open_filters,
    text_tables,
)

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "pipeline_review.py")
PACK_OPEN = "pipeline_review.pack"  # the lazy expander holding the meeting pack's buttons
OVERVIEW = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


def metric_values(at):
    """Returns the page's figures by label (figure tables since issue 21, and tiles)."""
    return figures_shown(at)


def test_demo_page_renders_waterfall_lists_and_coverage(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert at.title[0].value == "Pipeline review"
    headers = [h.value for h in at.subheader]
    assert "Waterfall" in headers and "Deals to walk through" in headers
    assert any(h.startswith("Coverage and forecast categories") for h in headers)
    metrics = metric_values(at)
    assert {"Opening pipeline", "Net change", "Slipped", "Closing pipeline"} <= set(metrics)
    assert {"Pipeline coverage", "The call"} <= set(metrics)
    assert not at.metric and not at.number_input  # tables; the thresholds drawn when opened
    assert not at.selectbox  # the week's picker too (issue 21); the caption says the week
    assert at.session_state["pipeline_review.week"].label.startswith("20")
    assert len(at.tabs) == 9  # the summary, then one tab per deal list
    # the waterfall: HTML bars, known by its step labels; no Vega at first paint (issue 21)
    assert any(">Pulled in<" in html.proto.body for html in at.get("html"))
    assert not at.get("vega_lite_chart")
    week = at.session_state["pipeline_review.week"]
    assert at.query_params["week"] == week.start.isoformat()
    assert f"Week of {week.start:%a %d %b}" in at.caption[0].value
    # each rep's coverage and forecast categories: drawn once their expander is opened
    assert len(at.dataframe) + len(text_tables(at)) == 1  # the lists' summary only
    at.session_state["pipeline_review.by_rep"] = True
    at.run()
    assert not at.exception
    shown = [t.columns.tolist() for t in text_tables(at)] + [
        d.value.columns.tolist() for d in at.dataframe
    ]
    assert any("Coverage" in c or "coverage" in c for c in shown)
    assert any("Commit" in c or "commit" in c for c in shown)


def test_changing_week_and_scope_changes_the_output(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    before = metric_values(at)
    at.session_state[WEEK_OPEN] = True  # "Review another week": the picker, once opened
    at.run()
    at = at.selectbox(key="pipeline_review.week_picker").select_index(5).run()
    assert not at.exception
    after_week = metric_values(at)
    assert after_week != before
    week = at.session_state["pipeline_review.week"]
    at.session_state[WEEK_OPEN] = False  # closed again: the week picked is kept
    at.run()
    assert not at.selectbox and at.session_state["pipeline_review.week"] == week
    assert metric_values(at) == after_week and at.query_params["week"] == week.start.isoformat()
    # the scope is the shared filters' (there is no scope control of its own)
    open_filters(at).multiselect(key="filters.rep").set_value([1]).run()
    assert not at.exception
    assert "Whole company" not in at.caption[0].value
    assert metric_values(at) != after_week
    assert at.query_params["rep"]


def test_meeting_pack_downloads_are_drawn_when_opened(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    # no download button at first paint (issue 21): the pack's and the waterfall's CSV are
    # drawn when their expanders are opened
    assert not at.get("download_button")
    at.session_state[PACK_OPEN] = True
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 3  # the pack only: the waterfall's CSV is in its own expander
    assert "Download HTML" in labels and "Download HTML + CSVs (zip)" in labels
    if Path("/usr/bin/chromium").exists():
        assert "Download PDF" in labels
    at.session_state["pipeline_review.attribution"] = True
    at.run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")][0] == "Download CSV"
    assert any("**Opening**" in m.value for m in at.markdown)  # the definitions


def test_tampered_query_params_fall_back_with_a_warning(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"week": "notadate", "rep": "99999"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "week 'notadate'" in warnings and "rep '99999'" in warnings
    assert open_filters(at).multiselect(key="filters.rep").value == []
    assert "Whole company" in at.caption[0].value


def test_query_params_choose_the_week_and_scope(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"week": "2026-10-05", "territory": "2"})
    assert not at.exception
    assert not at.warning
    assert at.session_state["pipeline_review.week"].label == "2026-W41"
    assert "Week of Mon 05 Oct" in at.caption[0].value
    at.session_state[WEEK_OPEN] = True  # the picker, once opened, shows the link's week
    at.run()
    assert at.selectbox(key="pipeline_review.week_picker").value.label == "2026-W41"
    assert open_filters(at).multiselect(key="filters.territory").value == [2]
    assert "North America East Mid-Market" in at.caption[0].value


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert "No opportunities yet" in at.info[0].value


def test_overview_shows_the_week_headline(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    labels = list(figures_shown(at))
    assert "Net pipeline change this week" in labels
    assert "Slipped out of the quarter" in labels
    # the demo's history ends on Friday 20 Nov 2026: "this week" is that week, so far
    sentences = " ".join(m.value for m in at.markdown)
    assert "This week so far (16 Nov – 20 Nov) the Q4 2026 pipeline" in sentences


def test_overview_shows_bookings_against_quota(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    tiles = html_tiles(at)  # HTML tiles, no st.metric (issue 21)
    assert "Bookings, Q4 2026 to date" in tiles and "Bookings, 2026 to date" in tiles
    value, share, pace, definition = tiles["Bookings, Q4 2026 to date"]
    assert value.startswith("$") and share.endswith("% of quota")
    assert "of the time gone" in pace and definition.startswith("Won amount closed")


def test_overview_headline_on_an_empty_database(run_page, empty_url):
    at = run_page(OVERVIEW, empty_url)
    assert not at.exception


def test_unreachable_database_is_one_clear_message(run_page, tmp_path):
    at = run_page(PAGE, f"sqlite:///{tmp_path / 'gone.db'}")
    assert not at.exception
    assert at.error[0].value.startswith("Can't reach the database")
    assert at.button(key="states.retry")


def test_older_schema_asks_for_an_upgrade_everywhere_until_upgraded(
    run_page, tiny_demo_url, tmp_path
):
    from typer.testing import CliRunner

    from salesops.cli import app
    from tests.app.conftest import older_schema_copy

    # what a database from schema 2 looks like
    url = older_schema_copy(tiny_demo_url, tmp_path, "rollup_history_spans", 2)
    cli = CliRunner()
    # `db init` adds the missing table but cannot fill it: the version stays 2
    assert cli.invoke(app, ["db", "init", "--url", url]).exit_code == 0
    for page in (PAGE, OVERVIEW):
        at = run_page(page, url)
        assert not at.exception and not at.metric and not figures_shown(at)
        assert "Database needs migration (schema 2" in at.warning[0].value
    review = cli.invoke(app, ["review", "--week", "2026-11-09", "--url", url])
    assert review.exit_code == 1
    assert "run `salesops db upgrade`" in review.stderr

    assert cli.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    at = run_page(PAGE, url)
    assert not at.exception and "Opening pipeline" in figures_shown(at)
    upgraded = cli.invoke(app, ["review", "--week", "2026-11-09", "--format", "json", "--url", url])
    fresh = cli.invoke(
        app, ["review", "--week", "2026-11-09", "--format", "json", "--url", tiny_demo_url]
    )
    assert upgraded.exit_code == 0 and upgraded.stdout == fresh.stdout


def test_only_the_open_tab_is_drawn_and_the_stale_list_is_read_when_opened(
    run_page, demo_url, monkeypatch
):
    """Without results stored on load (a view other than the default): the stale list is not
    counted until its tab is read (test_pipeline_review_stored has the stored count)."""
    monkeypatch.setattr(cache, "STORED_NAMES", frozenset())
    at = run_page(PAGE, demo_url)
    assert not at.exception
    labels = [t.label for t in at.tabs]
    assert labels[0] == "Summary" and labels[1].startswith("New (")
    assert labels[7] == "Stale"  # no count until read
    summary = text_tables(at)[0].set_index("List")  # the first tab: text, no grid
    assert not at.dataframe
    assert summary.loc["New deals", "Deals"] == labels[1].removeprefix("New (").rstrip(")")
    assert summary.loc["Stale deals", "Deals"] == "—"  # and the row says why
    assert summary.loc["Stale deals", "Note"].startswith("Not counted yet: open its tab")
    assert summary.loc["New deals", "Note"] == "—"
    assert not any(c.value.startswith("Stale deals.") for c in at.caption)
    at.session_state["pipeline_review.tabs"] = "Stale"
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Stale deals.") for c in captions)
    assert not any(c.startswith("New deals.") for c in captions)  # only the open tab
    week = at.session_state["pipeline_review.week"]
    stale, _ = review_stale(open_repository(demo_url), week)
    assert len(stale) > 0 and f"{len(stale)} deal(s)." in captions
    at.session_state["pipeline_review.tabs"] = "Summary"  # once read, the summary counts it
    at.run()
    summary = text_tables(at)[0].set_index("List")
    assert summary.loc["Stale deals", "Deals"] == f"{len(stale):,}"
    assert summary.loc["Stale deals", "Note"] == "—"


def test_deals_stale_list_and_packs_cash_are_read_only_when_asked(run_page, demo_url, monkeypatch):
    """The page reads the week's review once, for its summary; nothing in the background.

    A list's tab and the pack's download use that same read; the stale list is read when its
    tab is opened, the pack's cash section when a pack is downloaded. Results stored on load
    are not looked up here (test_pipeline_review_stored has them).
    """
    monkeypatch.setattr(cache, "STORED_NAMES", frozenset())
    counts: dict[str, int] = {}

    def counted(name, fn):
        def call(*args, **kwargs):
            counts[name] = counts.get(name, 0) + 1
            return fn(*args, **kwargs)

        return call

    for fn in (review_report, review_summary, review_stale, pack_cash_report):
        name = f"{fn.__module__}.{fn.__qualname__}"
        monkeypatch.setitem(cache.CACHED_FUNCTIONS, name, counted(name, fn))
    downloads: dict[str, object] = {}
    drawn = DeltaGenerator.download_button

    def download_button(self, label, data, *args, **kwargs):
        downloads[label] = data
        return drawn(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", download_button)
    at = run_page(PAGE, demo_url)
    assert not at.exception
    join_prefetches()
    assert not downloads  # the pack's buttons: drawn when opened
    at.session_state[PACK_OPEN] = True
    at.run()
    assert not at.exception
    report = "salesops.pipeline_review.report.review_report"
    summary = "salesops.pipeline_review.report.review_summary"
    assert counts == {report: 1, summary: 1}
    at.session_state["pipeline_review.tabs"] = "Stale"
    at.run()
    assert not at.exception
    assert any(c.value.startswith("Stale deals.") for c in at.caption)
    at.session_state["pipeline_review.tabs"] = at.tabs[1].label  # New
    at.run()
    assert not at.exception
    assert counts == {report: 1, summary: 1, "salesops.pipeline_review.report.review_stale": 1}
    pack = downloads["Download HTML + CSVs (zip)"]()  # as a click builds it
    assert counts["salesops.cash.pack.pack_cash_report"] == 1
    assert counts[report] == 1 and counts["salesops.pipeline_review.report.review_stale"] == 1
    week = at.session_state["pipeline_review.week"]
    whole = review_report(open_repository(demo_url), week)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        movements = archive.read(f"pipeline_review_{week.label}_movements.csv")
        stale = archive.read(f"pipeline_review_{week.label}_stale.csv")
    assert movements == to_safe_csv(export_frame(whole.review.movements))
    assert stale == to_safe_csv(export_frame(whole.review.lists["stale"]))


def test_thresholds_are_drawn_when_opened_and_kept_when_closed(run_page, demo_url):
    from salesops.ui.pipeline_review import THRESHOLDS_OPEN

    at = run_page(PAGE, demo_url)
    assert not at.number_input  # closed: its two inputs are not drawn
    at.session_state[THRESHOLDS_OPEN] = True
    at.run()
    at.number_input(key="pipeline_review.stale_days").set_value(5).run()
    assert not at.exception
    tabs = [t.label for t in at.tabs]
    at.session_state[THRESHOLDS_OPEN] = False
    for _ in range(2):  # closed, run after run: the lists still use 5 days
        at.run()
        assert not at.exception and not at.number_input
        assert [t.label for t in at.tabs] == tabs
    at.session_state[THRESHOLDS_OPEN] = True
    at.run()
    assert at.number_input(key="pipeline_review.stale_days").value == 5
