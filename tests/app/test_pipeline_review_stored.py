"""A cold Pipeline review reads its default results stored on load, and only what it draws."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.delta_generator import DeltaGenerator

from salesops import typed_json
from salesops.cli.common import open_repository
from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from salesops.pipeline_review.report import default_week, review_report, review_stale
from salesops.pipeline_review.scope import COMPANY
from salesops.repository import Repository
from tests.app.conftest import (
    count_stored_calls,
    each_tab,
    join_prefetches,
    shown_on_page,
    text_tables,
)

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "pipeline_review.py")
SUMMARY = "salesops.pipeline_review.report.review_summary"
STALE_FIGURES = "salesops.pipeline_review.report.stale_figures"
_TYPE = "salesops.pipeline_review.report:{}"  # a stored dataclass's type, as typed_json names it


def _tabs(at) -> list:
    """Returns what each tab shows once opened: captions, infos and every grid's cells."""
    shown = []
    for opened in list(each_tab(at, PAGE))[1:]:
        shown.append([c.value for c in opened.caption] + [i.value for i in opened.info])
        shown.append([df.value.to_csv() for df in opened.dataframe])
    return shown


def _pack_csvs(downloads: dict) -> dict[str, bytes]:
    """Returns the CSVs of the meeting pack's zip, built as a click builds it."""
    with zipfile.ZipFile(io.BytesIO(downloads["Download HTML + CSVs (zip)"]())) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".csv")}


def _open_pack(at, downloads: dict) -> dict:
    """Opens "Download the meeting pack" (its buttons are drawn then); returns `downloads`."""
    downloads.clear()
    at.session_state["pipeline_review.pack"] = True
    at.run()
    assert not at.exception and "Download HTML + CSVs (zip)" in downloads
    return downloads


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_cold_pipeline_review_computes_none_of_its_stored_calls(
    kind, run_page, tiny_demo_copy, monkeypatch
):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    counts = count_stored_calls(monkeypatch)
    downloads: dict = {}
    drawn = DeltaGenerator.download_button

    def download_button(self, label, data, *args, **kwargs):
        downloads[label] = data
        return drawn(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", download_button)
    at = run_page(PAGE, url)
    assert not at.exception
    join_prefetches()
    assert counts == {}  # the summary was read from the stored results
    stored = shown_on_page(at, warnings=False)
    stored_summary = text_tables(at)[0].set_index("List")
    stored_tabs, stored_pack = _tabs(at), _pack_csvs(_open_pack(at, downloads))
    assert counts == {}  # so were the whole review, the stale list and the pack's cash
    assert any(stored_tabs[1]) and len(stored_pack) > 8  # the New tab's grid, every table
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(PAGE, url)
    assert not computed.exception
    join_prefetches()
    assert SUMMARY in counts
    # The same page but the stale list's count: stored, it is shown; else not read for it
    stale = len(
        review_stale(open_repository(url), computed.session_state["pipeline_review.week"])[0]
    )
    summary = text_tables(computed)[0].set_index("List")
    assert summary.loc["Stale deals", "Note"].startswith("Not counted yet")
    assert stored_summary.loc["Stale deals", "Deals"] == f"{stale:,}"
    assert stored_summary.loc["Stale deals", "Note"] == "—"
    assert stored_summary.drop("Stale deals").equals(summary.drop("Stale deals"))
    shown = shown_on_page(computed, warnings=False)
    differ = [(a, b) for a, b in zip(shown, stored, strict=True) if a != b]
    assert [b for _, b in differ][-1] == f"Stale ({stale})" and len(differ) == 2
    assert _tabs(computed) == stored_tabs
    assert _pack_csvs(_open_pack(computed, downloads)) == stored_pack
    assert STALE_FIGURES not in counts  # shown only when stored: never computed for it
    assert stored_names("pipeline_review") - {STALE_FIGURES} <= set(counts)
    engine.dispose()


def _stored_reads(monkeypatch) -> list[str]:
    """Returns the stored results' JSON texts the page reads, filled in as it runs."""
    reads: list[str] = []
    read = Repository.stored_forecast

    def stored_forecast(self, key):
        text = read(self, key)
        if text is not None and key.startswith("overview:"):
            reads.append(text)
        return text

    monkeypatch.setattr(Repository, "stored_forecast", stored_forecast)
    return reads


def _whole_review_json(url: str) -> str:
    """Returns the JSON of the default view's whole review (as the page computes it)."""
    repo = open_repository(url)
    week = default_week(datetime.now(UTC).date(), repo.history_bounds()["last"])
    settings = load_settings(url)
    return typed_json.dumps(review_report(repo, week, COMPANY, settings, False))


def test_opening_a_list_reads_that_list_alone(run_page, tiny_demo_copy, monkeypatch):
    """A list's tab on the default view reads its stored list: not the whole review."""
    url = tiny_demo_copy("sqlite")
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    engine.dispose()
    counts = count_stored_calls(monkeypatch)
    reads = _stored_reads(monkeypatch)
    at = run_page(PAGE, url)
    assert not at.exception
    join_prefetches()
    review_reads = [text for text in reads if _TYPE.format("") in text]
    assert len(review_reads) == 1 and _TYPE.format("ReviewSummary") in review_reads[0]
    whole = _whole_review_json(url)
    for label in [t.label for t in at.tabs][1:]:
        if label.startswith("Stale"):  # read apart: its stored review_stale
            continue
        reads.clear()
        at.session_state["pipeline_review.tabs"] = label
        at.run()
        assert not at.exception
        assert at.dataframe or at.info, label  # the list was drawn
        assert len(reads) == 1, label  # its own stored part, nothing else
        assert _TYPE.format("DealList") in reads[0]
        assert len(reads[0]) * 3 < len(whole), label
    assert counts == {}  # nothing computed: no whole review read or built


def test_the_stored_parts_are_small(tiny_demo_copy):
    """The page's first read is its summary, a tab's is its list: small parts of the review."""
    url = tiny_demo_copy("sqlite")
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    with engine.connect() as conn:
        sizes = {
            kind: conn.execute(
                sa.text("SELECT length(result) FROM stored_forecasts WHERE result LIKE :kind"),
                {"kind": f'%"{_TYPE.format(kind)}"%'},
            )
            .scalars()
            .all()
            for kind in ("ReviewSummary", "DealList", "ReviewReport")
        }
    engine.dispose()
    whole = len(_whole_review_json(url))
    assert len(sizes["ReviewSummary"]) == 1 and sizes["ReviewSummary"][0] * 5 < whole
    assert len(sizes["DealList"]) == 7 and max(sizes["DealList"]) * 3 < whole
    assert sizes["ReviewReport"] == [max(sizes["ReviewReport"])]  # only the pack's: one
    assert sizes["ReviewReport"][0] < whole  # without the closing pipeline's deals
