"""The call's building blocks on frames worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Quarter
from salesops.call.model import (
    day_of_quarter,
    instant_at,
    open_by_category,
    parse_quarter,
    previous_quarters,
    priced_pipeline,
    quarter_outcome,
    rates_from,
    stage_probability_view,
)

Q3 = Quarter(date(2026, 7, 1))


def _rows(rows: list[tuple]) -> pd.DataFrame:
    columns = ["stage", "forecast_category", "close_bucket", "deals", "open_amount"]
    columns += ["won_amount", "won_deals"]
    return pd.DataFrame(rows, columns=columns)


def test_quarters_parse_and_days():
    assert parse_quarter("2026Q4") == Quarter(date(2026, 10, 1))
    assert parse_quarter("2026-q1") == Quarter(date(2026, 1, 1))
    with pytest.raises(ValueError, match="is not of the form 2026Q4"):
        parse_quarter("2026Q5")
    assert day_of_quarter(date(2026, 8, 15), Q3) == 45
    assert day_of_quarter(date(2026, 6, 1), Q3) == 0
    assert day_of_quarter(date(2027, 1, 1), Q3) == 92
    # Day 91 of a 90-day quarter is its end.
    assert instant_at(Quarter(date(2026, 1, 1)), 91) == date(2026, 4, 1)
    assert [q.label for q in previous_quarters(Q3, 3)] == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_quarter_outcome_splits_won_at_the_instant():
    won = pd.DataFrame(
        {
            "day": pd.to_datetime(
                ["2026-06-30", "2026-07-01", "2026-08-14", "2026-08-15", "2026-10-01"]
            ),
            "won_amount": [1.0, 10.0, 20.0, 40.0, 80.0],
        }
    )
    snapshot = _rows([("Commit", "commit", "quarter", 2, 100.0, 30.0, 1)])
    outcome = quarter_outcome(won, snapshot, Q3, date(2026, 8, 15))
    assert outcome.won_before == 30.0  # Jul 1 and Aug 14
    assert outcome.actual == 70.0  # + Aug 15; Oct 1 is next quarter
    assert outcome.from_pipeline == 30.0
    assert outcome.new_business == 10.0  # 40 won after the instant, 30 of it from the pipeline


def test_rates_fall_back_to_coarser_groups_below_min_deals():
    training = _rows(
        [
            ("Commit", "commit", "quarter_near", 40, 1000.0, 600.0, 24),
            ("Commit", "best_case", "quarter_near", 5, 1000.0, 0.0, 0),
            ("Proposal", "best_case", "later", 50, 2000.0, 100.0, 2),
        ]
    )
    rates = rates_from(training, min_deals=30)
    finest = rates[rates["level"] == 0].set_index(["stage", "forecast_category"])
    assert finest.loc[("Commit", "commit"), "rate"] == pytest.approx(0.6)
    assert pd.isna(finest.loc[("Commit", "best_case"), "rate"])  # 5 deals: not trusted
    pipeline = _rows(
        [
            ("Commit", "best_case", "quarter_near", 1, 500.0, 0.0, 0),
            ("Commit", "commit", "quarter_near", 1, 100.0, 0.0, 0),
            ("Prospecting", "pipeline", "none", 1, 100.0, 0.0, 0),
            ("Prospecting", "pipeline", "later", 1, 100.0, 0.0, 0),
        ]
    )
    priced = priced_pipeline(pipeline, rates)
    # Commit/best_case takes Commit in quarter_near over both categories: 600 / 2000; an
    # unseen stage takes its bucket's rate (later: 100 / 2000); an unseen bucket takes 0.
    assert priced["rate"].tolist() == pytest.approx([0.3, 0.6, 0.0, 0.05])
    assert priced["expected"].tolist() == pytest.approx([150.0, 60.0, 0.0, 5.0])


def test_stage_probability_and_commit_count_this_quarter_and_overdue_only():
    pipeline = _rows(
        [
            ("Commit", "commit", "quarter_near", 1, 100.0, 0.0, 0),
            ("Commit", "commit", "overdue", 1, 50.0, 0.0, 0),
            ("Commit", "commit", "later", 1, 1000.0, 0.0, 0),
            ("Proposal", "best_case", "quarter_late", 1, 200.0, 0.0, 0),
        ]
    )
    stages = pd.DataFrame({"name": ["Commit", "Proposal"], "probability": [0.8, 0.4]})
    assert stage_probability_view(pipeline, stages) == pytest.approx(150 * 0.8 + 200 * 0.4)
    assert open_by_category(pipeline, "commit") == 150.0
    assert open_by_category(pipeline, "best_case") == 200.0
