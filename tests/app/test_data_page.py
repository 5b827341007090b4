"""AppTest for the Data page: empty and demo databases, an upload, a confirmed import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from salesops.db.engine import init_schema, make_engine
from salesops.importing.known import table_counts
from salesops.ui.data import AS_OF_OPEN, READING_OPEN, UPLOAD_OPEN
from tests.app.conftest import text_tables

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")
GOOD = (
    b"Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    b"Stage,Amount\n"
    b"006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000\n"
    b"006B,Beta,ACME Inc,Bob Ray,2024-01-10,2024-03-15,Closed Lost,500\n"
)


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    init_schema(make_engine(url))
    return url


def frame_with(at, column: str):
    """Returns the first dataframe showing `column` (AppTest dataframes carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def open_upload(at):
    """Opens the source and file pickers (drawn when opened, issue 21); reruns `at`."""
    at.session_state[UPLOAD_OPEN] = True
    return at.run()


def quality_counts(at):
    """Returns the quality summary's count per check (a table drawn as text)."""
    summary = next(t for t in text_tables(at) if "Check" in t.columns).set_index("Check")
    return summary["Units"].str.replace(",", "").astype(int)


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [s.value for s in at.success]
    )
    return "\n".join(str(p) for p in parts)


def test_empty_database_renders_without_exception(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert "No file imported yet." in texts(at)
    assert quality_counts(at).sum() == 0


def test_demo_database_shows_quality_counts_and_as_of_changes_them(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    counts = quality_counts(at)
    overdue_today = counts["Overdue deals"]
    # the demo company is clean where a real CRM would not be: every deal has an amount, an
    # owner and a lead source, and no two account names match (overdue deals do exist)
    assert counts["Deals missing amount, owner or source"] == 0
    assert counts["Likely duplicate accounts"] == 0
    # no widget of a kind the reader has not asked for at first paint (issue 21)
    assert not at.date_input and not at.selectbox and not at.get("file_uploader")
    open_upload(at)
    assert [s.key for s in at.selectbox] == ["data.source", "data.layout"]
    assert len(at.get("file_uploader")) == 1
    at.session_state[AS_OF_OPEN] = True
    at.run()
    at.date_input(key="data.as_of").set_value(date(2000, 1, 1)).run()
    assert not at.exception
    later = quality_counts(at)
    # nothing can be overdue against a date before every expected close date
    assert later["Overdue deals"] == 0 < overdue_today
    assert "overdue as of 01 Jan 2000 (chosen below)" in texts(at)
    at.session_state[AS_OF_OPEN] = False  # closed, the date chosen is kept
    at.run()
    assert not at.date_input
    assert quality_counts(at)["Overdue deals"] == 0
    assert "overdue as of 01 Jan 2000 (chosen below)" in texts(at)


def test_upload_preview_then_confirm_writes_the_rows(run_page, fresh_url):
    at = open_upload(run_page(PAGE, fresh_url))
    at.file_uploader(key="data.files").upload("opps.csv", GOOD, "text/csv").run()
    assert not at.exception
    assert "**opps.csv** — Salesforce opportunities report" in texts(at)
    assert table_counts(make_engine(fresh_url))["opportunities"] == 0  # preview writes nothing
    at.button(key="data.confirm").click().run()
    assert not at.exception
    assert "Imported 2 new and 0 updated rows" in texts(at)
    assert table_counts(make_engine(fresh_url))["opportunities"] == 2


def test_bad_upload_lists_problems_and_offers_no_import(run_page, fresh_url):
    bad = GOOD.replace(b"Closed Lost", b"Warp Speed")
    at = open_upload(run_page(PAGE, fresh_url))
    at.file_uploader(key="data.files").upload("opps.csv", bad, "text/csv").run()
    assert not at.exception
    problems = frame_with(at, "expected")
    assert problems.iloc[0]["row"] == 3 and problems.iloc[0]["value"] == "Warp Speed"
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert "Nothing will be written" in texts(at)


def test_file_names_and_headers_are_shown_as_text_not_markdown(run_page, fresh_url):
    at = open_upload(run_page(PAGE, fresh_url))
    name = "[x](javascript:alert(1)).csv"
    content = GOOD.replace(b"Amount\n", b"Amount,**Bold**\n").replace(b"1000\n", b"1000,a\n")
    content = content.replace(b"500\n", b"500,b\n")
    at.file_uploader(key="data.files").upload(name, content, "text/csv").run()
    assert not at.exception
    shown = texts(at)
    assert "**\\[x\\](javascript\\:alert(1)).csv**" in shown  # md(): no link left
    assert "Columns not imported: \\*\\*Bold\\*\\*" in shown


def test_same_file_again_is_announced_and_can_be_forced(run_page, fresh_url):
    at = open_upload(run_page(PAGE, fresh_url))
    at.file_uploader(key="data.files").upload("opps.csv", GOOD, "text/csv").run()
    at.button(key="data.confirm").click().run()
    assert "Imported 2 new" in texts(at)
    at.file_uploader(key="data.files").upload("opps.csv", GOOD, "text/csv").run()
    assert "opps.csv was already imported on" in texts(at)
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert not at.toggle  # the reading settings: drawn when opened (issue 21)
    at.session_state[READING_OPEN] = True
    at.run()
    at.toggle(key="data.force").set_value(True).run()
    at.session_state[READING_OPEN] = False  # closed, the choice is kept
    at.run()
    assert not at.toggle
    at.button(key="data.confirm").click().run()
    assert not at.exception
    assert "Imported 0 new and 0 updated rows (2 unchanged)." in texts(at)
    assert table_counts(make_engine(fresh_url))["opportunities"] == 2


def test_the_quality_trend_chart_is_drawn_when_opened(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert not at.get("vega_lite_chart")  # no chart at first paint (issue 21)
    at.session_state["data.trend"] = True
    at.run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 1
