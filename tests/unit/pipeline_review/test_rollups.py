"""The closing pipeline by rep and forecast category."""

from __future__ import annotations

from salesops.pipeline_review.report import review_week
from tests.unit.pipeline_review.builders import STAGES, THRESHOLDS, WEEK, deals_for, history, row


def test_forecast_rollup_by_rep(review):
    f = review.forecast.set_index("rep")
    # Closing Q1 pipeline: Ann 1 (20k Proposal=best_case), 2 (25k Qualification=pipeline);
    # Bob 4 (3k pipeline), 5 (1k pipeline); 3 and 7 are overdue (Feb/Mar dates are in Q1):
    # 3 is 9k Commit, 7 is 2k pipeline.
    assert f.loc["Ann", ["commit", "best_case", "pipeline", "total"]].tolist() == [
        0,
        20_000,
        25_000,
        45_000,
    ]
    assert f.loc["Bob", ["commit", "best_case", "pipeline", "total"]].tolist() == [
        9_000,
        0,
        6_000,
        15_000,
    ]
    assert f.loc["Total", "total"] == 60_000 == float(review.waterfall.closing)
    assert f.loc["Total", "deals"] == 6


def test_forecast_rollup_unknown_category_is_other():
    h = history(row(1, "2025-02-01", 1_000, "2025-03-20"))
    h["forecast_category"] = None
    r = review_week(h, deals_for([1]), STAGES, WEEK, **THRESHOLDS)
    assert r.forecast.set_index("rep").loc["Ann", ["other", "total"]].tolist() == [1_000, 1_000]
