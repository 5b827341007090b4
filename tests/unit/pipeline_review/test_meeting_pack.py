"""The meeting pack: self-contained HTML with the totals, safe CSVs, escaped names."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import pandas as pd

from salesops.config import Settings
from salesops.pipeline_review.coverage import coverage_by_rep
from salesops.pipeline_review.meeting_pack import meeting_pack_html, meeting_pack_zip
from salesops.pipeline_review.report import ReviewReport, review_week
from salesops.pipeline_review.rollups import pipeline_by_rep
from salesops.pipeline_review.scope import COMPANY
from tests.unit.pipeline_review.builders import (
    EVERY_CATEGORY,
    STAGES,
    THRESHOLDS,
    WEEK,
    deals_for,
)

EVIL = '=HYPERLINK("http://evil.example","click")'
USD = Settings(currency="USD")


def small_report() -> ReviewReport:
    deals = deals_for(range(1, 14))
    deals.loc[deals["opportunity_id"] == 8, "name"] = EVIL
    deals.loc[deals["opportunity_id"] == 1, "name"] = "<script>alert(1)</script>"
    review = review_week(EVERY_CATEGORY, deals, STAGES, WEEK, **THRESHOLDS)
    coverage = coverage_by_rep(
        pipeline_by_rep(review.closing_pipeline),
        pd.DataFrame({"rep_id": [1], "quota": [100_000.0]}),
        pd.DataFrame({"rep_id": [1], "won": [59_000.0]}),
    )
    return ReviewReport(review, COMPANY, coverage, 14, 10_000.0)


def test_html_holds_the_totals_and_escapes_names():
    document = meeting_pack_html(small_report(), USD)
    # the hand-worked EVERY_CATEGORY waterfall
    for text in ("180,000.00 USD", "-70,000.00 USD", "86,500.00 USD", "-93,500.00 USD"):
        assert text in document
    assert "<script>" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    # neutralised as in the CSV, and shown as escaped text, never a link
    assert "&#x27;=HYPERLINK(&quot;http://evil.example&quot;" in document
    assert 'href="http://evil' not in document
    assert "<svg" in document
    # coverage: 86.5k pipeline / (100k quota - 59k won) = 2.11x
    assert "2.11×" in document


def test_zip_has_the_html_and_formula_safe_csvs():
    archive = zipfile.ZipFile(io.BytesIO(meeting_pack_zip(small_report(), USD)))
    names = archive.namelist()
    assert names[0] == "pipeline_review_2025-W10.html"
    assert "pipeline_review_2025-W10_waterfall.csv" in names
    assert "pipeline_review_2025-W10_slipped.csv" in names
    waterfall = list(csv.DictReader(io.StringIO(archive.read(names[1]).decode("utf-8-sig"))))
    assert [r["step"] for r in waterfall][0] == "opening"
    assert float(waterfall[4]["amount"]) == -70_000.0  # negative numbers stay numbers
    new = archive.read("pipeline_review_2025-W10_new.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in new
    coverage = archive.read("pipeline_review_2025-W10_coverage.csv").decode("utf-8-sig")
    assert "nan" not in coverage.lower() and "inf" not in coverage.lower()


def test_meeting_pack_import_does_not_pull_in_streamlit():
    code = (
        "import sys, salesops.pipeline_review.meeting_pack, salesops.cli; "
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
