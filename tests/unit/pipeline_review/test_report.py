"""The whole review of a week (pure), and the default week."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from salesops.pipeline_review.coverage import coverage_by_rep
from salesops.pipeline_review.deal_lists import list_summary
from salesops.pipeline_review.report import (
    ReviewReport,
    default_week,
    export_frame,
    pack_review,
    review_list,
    review_summary,
    review_week,
    stale_figures,
)
from salesops.pipeline_review.rollups import pipeline_by_rep
from salesops.pipeline_review.scope import COMPANY
from salesops.pipeline_review.waterfall import new_deals_note, waterfall
from tests.unit.pipeline_review.builders import (
    EVERY_CATEGORY,
    STAGES,
    THRESHOLDS,
    WEEK,
    D,
    deals_for,
    history,
)


def test_empty_history_gives_a_zero_waterfall_and_empty_lists():
    empty = history()
    w = waterfall(empty, WEEK)
    assert w.opening == w.closing == 0 and w.reconciles
    review = review_week(empty, deals_for([]), STAGES, WEEK, **THRESHOLDS)
    assert all(frame.empty for frame in review.lists.values())
    assert review.forecast["rep"].tolist() == ["Total"]
    assert review.waterfall.to_frame()["amount"].tolist() == [0.0] * 9


def test_default_week_is_the_last_complete_one_or_the_datas_last():
    # Wednesday 12 March 2025: the last complete week is 3-9 March.
    assert default_week(D("2025-03-12"), D("2025-03-11")) == WEEK
    # History ending on Saturday 8 March: week 10 is not complete in the data, so week 9.
    assert default_week(D("2025-03-12"), D("2025-03-08")).label == "2025-W09"
    # History ending on the Sunday: week 10 is complete in the data.
    assert default_week(D("2025-03-12"), D("2025-03-09")) == WEEK
    assert default_week(D("2025-03-12"), None) == WEEK


def test_report_json_keeps_the_thresholds_and_coverage_shape():
    review = review_week(EVERY_CATEGORY, deals_for(range(1, 14)), STAGES, WEEK, **THRESHOLDS)
    coverage = coverage_by_rep(
        pipeline_by_rep(review.closing_pipeline),
        pd.DataFrame({"rep_id": [1], "quota": [100_000.0]}),
        pd.DataFrame({"rep_id": [1], "won": [59_000.0]}),
    )
    payload = ReviewReport(review, COMPANY, coverage, 14, 10_000.0).to_dict()
    assert payload["settings"] == {"stale_days": 14, "big_change": 10_000.0}
    total = payload["coverage"]["total"]
    assert list(total) == [
        "pipeline",
        "quota",
        "won_to_date",
        "remaining_quota",
        "value",
        "reason",
    ]
    # 86.5k closing pipeline / (100k quota - 59k won)
    assert total["value"] == pytest.approx(86_500 / 41_000)
    assert (total["remaining_quota"], total["reason"]) == (41_000.0, None)


def test_summary_holds_what_the_page_draws_first_and_no_deal_rows():
    review = review_week(EVERY_CATEGORY, deals_for(range(1, 14)), STAGES, WEEK, **THRESHOLDS)
    coverage = coverage_by_rep(
        pipeline_by_rep(review.closing_pipeline),
        pd.DataFrame({"rep_id": [1], "quota": [100_000.0]}),
        pd.DataFrame({"rep_id": [1], "won": [59_000.0]}),
    )
    report = ReviewReport(review, COMPANY, coverage, 14, 10_000.0)
    summary = review_summary(report)
    assert (summary.week, summary.quarter, summary.waterfall) == (WEEK, review.quarter,
                                                                  review.waterfall)  # fmt: skip
    assert summary.list_counts == {n: len(f) for n, f in review.lists.items()}
    assert summary.list_counts["new"] > 0
    pd.testing.assert_frame_equal(summary.list_summary, list_summary(review.lists))
    assert summary.total_coverage == report.total_coverage
    pd.testing.assert_frame_equal(summary.waterfall_table(), report.waterfall_table())
    assert not any(isinstance(v, pd.DataFrame) and len(v) > 10 for v in vars(summary).values())


def _report() -> ReviewReport:
    """Returns the review of EVERY_CATEGORY's week as a ReviewReport with coverage."""
    review = review_week(EVERY_CATEGORY, deals_for(range(1, 14)), STAGES, WEEK, **THRESHOLDS)
    coverage = coverage_by_rep(
        pipeline_by_rep(review.closing_pipeline),
        pd.DataFrame({"rep_id": [1], "quota": [100_000.0]}),
        pd.DataFrame({"rep_id": [1], "won": [59_000.0]}),
    )
    return ReviewReport(review, COMPANY, coverage, 14, 10_000.0)


def test_a_deal_list_is_its_lists_rows_and_new_has_its_note():
    report = _report()
    review = report.review
    for name, frame in review.lists.items():
        shown = review_list(report, name)
        pd.testing.assert_frame_equal(shown.deals, export_frame(frame))
        assert not any(c.endswith("_cents") for c in shown.deals.columns)
        expected = new_deals_note(shown.deals, review.movements, review.quarter)
        assert shown.note == (expected if name == "new" else None)
    assert len(review_list(report, "new").deals) > 0


def test_the_packs_review_is_the_report_without_closing_deals():
    report = _report()
    pack = pack_review(report)
    assert len(report.review.closing_pipeline) > 0 and pack.review.closing_pipeline.empty
    assert list(pack.review.closing_pipeline.columns) == list(report.review.closing_pipeline)
    for name, frame in report.tables().items():  # every table of the pack
        pd.testing.assert_frame_equal(pack.tables()[name], frame)
    assert pack.to_dict() == report.to_dict()


def test_a_summary_counts_the_stale_list_read_apart_as_with_it():
    report = _report()  # with its stale list
    stale = report.review.lists["stale"]
    assert len(stale) > 0
    lists = {n: f for n, f in report.review.lists.items() if n != "stale"}
    without = replace(report, review=replace(report.review, lists=lists))
    apart = review_summary(without)
    assert "stale" not in apart.list_counts
    assert apart.list_summary.set_index("list").loc["Stale deals", "note"] is not None
    counted = apart.with_list("stale", stale_figures((stale, None)))
    whole = review_summary(report)
    assert counted.list_counts == whole.list_counts
    pd.testing.assert_frame_equal(counted.list_summary, whole.list_summary)
