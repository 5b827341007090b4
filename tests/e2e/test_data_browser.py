"""Browser test: upload a CSV on the Data page, preview it, confirm, and see the rows land."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesops.db.engine import init_schema, make_engine
from salesops.importing.known import table_counts
from salesops.ui.data import UPLOAD_LABEL
from tests.e2e.conftest import ROOT, serve_app, wait_for_app

pytestmark = pytest.mark.e2e

CSV = (
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    "Stage,Amount\n"
    "006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000\n"
    "006B,Beta,ACME Inc,Bob Ray,2024-01-10,2024-03-15,Closed Lost,500\n"
    '006C,=HYPERLINK("http://x"),Cobalt,Ann Lee,2024-02-01,2024-06-30,Negotiation/Review,2000\n'
)


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Serves the app on an empty database; yields (base URL, database URL)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e_data') / 'fresh.db'}"
    init_schema(make_engine(url))
    (ROOT / "artifacts").mkdir(exist_ok=True)
    for base in serve_app(url):
        yield base, url


def test_upload_preview_and_import_through_the_browser(fresh_app, page, screenshot, tmp_path):
    base, db_url = fresh_app
    upload = Path(tmp_path) / "opportunities.csv"
    upload.write_text(CSV, encoding="utf-8")

    page.goto(base)  # through app.py, so the Data page runs inside st.navigation
    wait_for_app(page, "Sales operations overview")
    page.get_by_role("link", name="Data", exact=True).click()
    wait_for_app(page, "Import CSV exports")
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # drawn when opened
    page.get_by_text(UPLOAD_LABEL).click()
    page.locator('[data-testid="stFileUploader"]').first.wait_for(timeout=60_000)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(upload)
    )
    wait_for_app(page, "Rows valid")
    assert page.get_by_text("Salesforce opportunities report").first.is_visible()
    assert table_counts(make_engine(db_url))["opportunities"] == 0  # the preview wrote nothing
    screenshot(page, "data_preview")

    page.get_by_role("button", name="Import 3 rows").click()
    wait_for_app(page, "Imported 3 new and 0 updated rows")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert table_counts(make_engine(db_url))["opportunities"] == 3
    screenshot(page, "data_imported")


def test_data_quality_on_the_demo_company(app_url, page, screenshot):
    page.goto(app_url)
    wait_for_app(page, "Sales operations overview")
    page.get_by_role("link", name="Data", exact=True).click()
    wait_for_app(page, "Import history")
    overdue = page.get_by_text(re.compile(r"^Overdue deals: [\d,]+$"))
    assert overdue.first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "data_demo")
    # a check's rows are drawn when its expander is opened (none at first paint)
    rows = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]')
    assert rows.count() == 0
    overdue.first.click()
    rows.first.wait_for(state="attached", timeout=60_000)
    wait_for_app(page, "Import history")
    assert page.locator('[data-testid="stException"]').count() == 0
