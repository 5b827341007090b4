"""A cold Pipeline review reads its default results stored on load, and only what it draws."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.delta_generator import DeltaGenerator

from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.overview_store import refresh_stored_overview, stored_names
from tests.app.conftest import count_stored_calls, each_tab, join_prefetches, shown_on_page

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "pipeline_review.py")
SUMMARY = "salesops.pipeline_review.report.review_summary"


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
    stored_tabs, stored_pack = _tabs(at), _pack_csvs(downloads)
    assert counts == {}  # so were the whole review, the stale list and the pack's cash
    assert any(stored_tabs[1]) and len(stored_pack) > 8  # the New tab's grid, every table
    with engine.begin() as conn:  # the same data without its stored results: computed
        conn.execute(sa.text("DELETE FROM stored_forecasts WHERE key LIKE 'overview:%'"))
    computed = run_page(PAGE, url)
    assert not computed.exception
    join_prefetches()
    assert SUMMARY in counts
    assert shown_on_page(computed, warnings=False) == stored
    assert _tabs(computed) == stored_tabs
    assert _pack_csvs(downloads) == stored_pack
    assert stored_names("pipeline_review") <= set(counts)
    engine.dispose()


def test_the_stored_summary_is_small(tiny_demo_copy):
    """The page's first read is its summary: a small part of the whole review's JSON."""
    url = tiny_demo_copy("sqlite")
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    with engine.connect() as conn:
        sizes = dict(
            conn.execute(
                sa.text(
                    "SELECT key, length(result) FROM stored_forecasts WHERE result LIKE :summary"
                ),
                {"summary": '%"salesops.pipeline_review.report:ReviewSummary"%'},
            ).all()
        )
        whole = conn.execute(
            sa.text("SELECT max(length(result)) FROM stored_forecasts WHERE result LIKE :r"),
            {"r": '%"salesops.pipeline_review.report:ReviewReport"%'},
        ).scalar_one()
    engine.dispose()
    assert len(sizes) == 1
    assert max(sizes.values()) * 5 < whole
