"""The meeting pack: self-contained HTML with the totals, safe CSVs, escaped names."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.pipeline_review.coverage import coverage_by_rep
from salesops.pipeline_review.meeting_pack import (
    meeting_pack_html,
    meeting_pack_zip,
    start_chart_renderer,
)
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
    for text in ("$180,000", "-$70,000", "$86,500", "-$93,500"):
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


def test_summary_comes_first_with_human_headers_and_rounded_amounts():
    document = meeting_pack_html(small_report(), USD)
    summary, appendices = document.split("Appendix A", 1)
    assert "Largest slips out of the quarter" in summary
    assert "Largest new deals" in summary and "Largest pushed close dates" in summary
    # compact figures on page one: the 100k quota, 59k won, 86.5k pipeline, 2.1x coverage
    for text in ("$100k", "$59k", "$86.5k", "2.1×"):
        assert text in summary
    headers = re.findall(r"<th>([^<]*)</th>", document)
    assert headers and not [h for h in headers if "_" in h], headers
    assert "Opportunity id" not in headers and "True" not in document and ".00" not in document
    assert "Appendix C — Deals to walk through" in appendices


def test_pdf_prints_the_summary_then_the_appendices(tmp_path):
    from salesops.pipeline_review.meeting_pack import meeting_pack_pdf
    from salesops.print_pdf import PdfUnavailable, find_browser

    if find_browser(USD.pdf_browser) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI has chromium (make test installs it): the PDF must print")
        pytest.skip("no chromium to print the PDF")
    pdf = meeting_pack_pdf(small_report(), USD)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # the summary page breaks
    missing = Settings(currency="USD", pdf_browser=str(tmp_path / "no-such-browser"))
    with pytest.raises(PdfUnavailable, match="is not installed"):
        meeting_pack_pdf(small_report(), missing)


def test_starting_the_chart_renderer_first_changes_no_pack():
    """The page's background start of vl-convert renders nothing the pack keeps."""

    def unnumbered(document: str) -> str:  # vl-convert numbers clip paths per process
        return re.sub(r"clip\d+", "clip", document)

    before = meeting_pack_html(small_report(), USD)
    start_chart_renderer()
    after = meeting_pack_html(small_report(), USD)
    assert "<svg" in after and unnumbered(after) == unnumbered(before)
