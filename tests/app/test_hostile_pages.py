"""Issue 20's hostile cases on the pages: each test is named after the case it covers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from salesops.ui.cache import clear_cache

ROOT = Path(__file__).resolve().parents[2]


def app(monkeypatch, url: str, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
    clear_cache()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


@pytest.mark.slow
def test_case_9_forecast_kpis_forecast_keeps_a_frequency(monkeypatch, demo_url):
    at = app(monkeypatch, demo_url)
    at.switch_page("pages/forecast.py").run()
    assert not at.exception
    at.query_params.clear()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception
    at.query_params.clear()
    at.switch_page("pages/forecast.py").run()
    assert not at.exception
    assert at.query_params["freq"] in ("W", "M")
    assert at.subheader[1].value.startswith("Bookings by ")  # after the quarter call


def test_case_9_a_link_with_freq_none_falls_back(run_page, demo_url):
    at = run_page(str(ROOT / "pages" / "forecast.py"), demo_url, {"freq": "None", "horizon": "1"})
    assert not at.exception
    assert "Ignored freq 'None'" in " ".join(w.value for w in at.warning)
    assert at.query_params["freq"] in ("W", "M")


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("kpis.py", {"rep": "²", "territory": "²"}),
        ("forecast.py", {"horizon": "²", "territory": "²"}),
        ("forecast.py", {"horizon": "9" * 5000}),
        ("kpis.py", {"rep": "9" * 5000, "territory": "1" * 5000}),
    ],
)
def test_case_10_superscript_and_5000_digit_link_values_fall_back(run_page, demo_url, page, query):
    at = run_page(str(ROOT / "pages" / page), demo_url, query)
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert warnings.startswith("Ignored ") and "showing defaults" in warnings


@pytest.mark.parametrize("page", ["kpis.py", "forecast.py", "data.py"])
def test_case_5_a_password_in_the_url_query_is_not_on_the_page(run_page, page):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?password=s3cret&connect_timeout=2"
    at = run_page(str(ROOT / "pages" / page), url)
    assert not at.exception
    shown = " ".join(e.value for e in [*at.error, *at.warning, *at.markdown, *at.caption])
    assert "Can't reach the database" in shown
    assert "s3cret" not in shown and "password=***" in shown


PAGE_FAULTS = {
    "malformed URL": ("postgresql+psycopg://app:s3cret@db:port/x", "The database URL is malformed"),
    "missing driver": ("mysql+pymysql://app:s3cret@127.0.0.1/x", "The database driver 'pymysql'"),
    "unreachable": ("postgresql+psycopg://postgres@127.0.0.1:1/x", "Can't reach the database"),
}


@pytest.mark.parametrize("fault", list(PAGE_FAULTS))
@pytest.mark.parametrize("page", ["kpis.py", "data.py", "pipeline_review.py", "overview.py"])
def test_case_14_database_faults_are_one_sentence_on_every_page(run_page, fault, page):
    url, sentence = PAGE_FAULTS[fault]
    at = run_page(str(ROOT / "pages" / page), url)
    assert not at.exception
    assert at.error and at.error[0].value.startswith(sentence), [e.value for e in at.error]
    shown = " ".join(e.value for e in [*at.error, *at.info, *at.warning])
    assert "s3cret" not in shown and "no salesops tables" not in shown


@pytest.mark.parametrize("kind", ["not a database", "truncated", "corrupt"])
@pytest.mark.parametrize("page", ["kpis.py", "data.py"])
def test_case_14_damaged_sqlite_files_are_one_sentence_on_the_pages(
    run_page, demo_url, tmp_path, kind, page
):
    from tests.integration.test_db_hostile import damaged_files

    path = damaged_files(demo_url, tmp_path)[kind]
    at = run_page(str(ROOT / "pages" / page), f"sqlite:///{path}")
    assert not at.exception
    assert at.error[0].value.startswith(f"The database file {path} is not a readable SQLite")


IMAGE = "![x](http://evil.example/p.png)"
LINK = "[Click to re-login](http://evil.example/login)"


def hostile_names_copy(demo_url: str, folder: Path) -> str:
    """Returns a copy of the demo whose rep 1 and territory 1 carry Markdown payloads."""
    import shutil

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    path = folder / "hostile.db"
    shutil.copy(make_url(demo_url).database, path)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE reps SET name = :n WHERE id = 1"), {"n": IMAGE})
        conn.execute(sa.text("UPDATE territories SET name = :n WHERE id = 1"), {"n": LINK})
    engine.dispose()
    return f"sqlite:///{path}"


def markdown_shown(at) -> list[str]:
    """Returns every text the page hands to Streamlit's Markdown renderer."""
    parts = [*at.markdown, *at.caption, *at.subheader, *at.title, *at.header]
    parts += [*at.warning, *at.error, *at.info, *at.success]
    shown = [str(e.value) for e in parts] + [str(m.label) for m in at.metric]
    return shown + [str(e.label) for e in at.expander]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("kpis.py", {"rep": "1"}),
        ("forecast.py", {"territory": "1"}),
        ("overview.py", {"territory": "1"}),
        ("time_allocation.py", {"rep": "1"}),
        ("pipeline_review.py", {"rep": "1"}),
        ("kpis.py", {"rep": IMAGE, "territory": LINK}),
    ],
)
def test_case_7_imported_names_and_link_values_are_not_rendered_as_markdown(
    run_page, demo_url, tmp_path, page, query
):
    url = hostile_names_copy(demo_url, tmp_path)
    at = run_page(str(ROOT / "pages" / page), url, query)
    assert not at.exception
    shown = markdown_shown(at)
    assert any("evil.example" in text for text in shown), shown  # the name is shown...
    for text in shown:  # ...escaped: no image, no link, no autolink
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[", text), text
        assert "://evil" not in text, text
