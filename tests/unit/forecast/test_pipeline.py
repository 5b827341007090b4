"""Stage win probabilities and the pipeline-weighted forecast, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from salesops.forecast.pipeline import pipeline_weighted_forecast, stage_win_probabilities

STAGES = pd.DataFrame(
    {
        "name": ["Prospect", "Qualify", "Proposal", "Negotiate", "Won", "Lost"],
        "sort_order": [1, 2, 3, 4, 5, 6],
        "probability": [0.1, 0.2, 0.5, 0.8, 1.0, 0.0],
        "is_closed": [False, False, False, False, True, True],
    }
)


def probabilities():
    outcomes = pd.DataFrame(
        {
            "stage": ["Prospect", "Qualify", "Proposal", "Won", "Lost"],
            "reached": [40, 30, 5, 50, 60],
            "won": [8, 9, 4, 50, 0],
        }
    )
    return stage_win_probabilities(outcomes, STAGES, min_observations=20)


def test_stage_win_probabilities_measured_with_fallback():
    probs = probabilities().set_index("stage")
    assert list(probs.index) == ["Prospect", "Qualify", "Proposal", "Negotiate"]
    # Prospect 8 / 40 = 0.20 and Qualify 9 / 30 = 0.30 from history (>= 20 deals each)
    assert probs.loc["Prospect", "probability"] == pytest.approx(0.2)
    assert probs.loc["Qualify", "probability"] == pytest.approx(0.3)
    assert probs.loc["Prospect", "source"] == "history"
    # Proposal: 4 / 5 = 0.8 measured but only 5 deals -> the table's 0.5
    assert probs.loc["Proposal", "historical_rate"] == pytest.approx(0.8)
    assert probs.loc["Proposal", "probability"] == 0.5
    assert probs.loc["Proposal", "source"] == "stage table"
    # Negotiate never observed -> no rate, table's 0.8
    assert math.isnan(probs.loc["Negotiate", "historical_rate"])
    assert probs.loc["Negotiate", "probability"] == 0.8


def test_stage_probabilities_with_no_closed_history_use_the_table():
    empty = pd.DataFrame({"stage": [], "reached": [], "won": []})
    probs = stage_win_probabilities(empty, STAGES)
    assert list(probs["probability"]) == [0.1, 0.2, 0.5, 0.8]
    assert set(probs["source"]) == {"stage table"}


def test_pipeline_weighted_forecast_by_hand():
    pipeline = pd.DataFrame(
        {
            "expected_close": pd.to_datetime(
                ["2026-03-20", "2026-05-30", "2026-06-10", "2026-08-01", "2026-09-30", "2026-11-01"]
            ),
            "stage": ["Prospect", "Qualify", "Proposal", "Negotiate", "Prospect", "Proposal"],
            "open_amount": [1000.0, 2000.0, 4000.0, 5000.0, 500.0, 9999.0],
        }
    )
    won = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-04-10", "2026-05-02", "2026-03-30"]),
            "y": [3000.0, 1500.0, 999.0],
        }
    )
    out = pipeline_weighted_forecast(pipeline, probabilities(), "2026-05-15", won_to_date=won)
    assert list(out["period"].dt.strftime("%Y-%m-%d")) == ["2026-04-01", "2026-07-01"]
    q2, q3 = out.iloc[0], out.iloc[1]
    # Q2: overdue Prospect 1000 (counted now) + Qualify 2000 + Proposal 4000 = 7000 open
    assert q2["open_amount"] == 7000.0
    # weighted 1000 x 0.2 + 2000 x 0.3 + 4000 x 0.5 = 200 + 600 + 2000 = 2800
    assert q2["weighted_amount"] == pytest.approx(2800.0)
    assert q2["overdue_amount"] == 1000.0
    assert q2["won_to_date"] == 4500.0  # 3000 + 1500; March's 999 is last quarter
    assert q2["forecast"] == pytest.approx(7300.0)
    # Q3: Negotiate 5000 x 0.8 + Prospect 500 x 0.2 = 4000 + 100; November is Q4 (not shown)
    assert q3["open_amount"] == 5500.0
    assert q3["weighted_amount"] == pytest.approx(4100.0)
    assert q3["forecast"] == pytest.approx(4100.0)


def test_pipeline_weighted_forecast_empty_pipeline_is_zero():
    empty = pd.DataFrame(
        {"expected_close": pd.Series([], dtype="datetime64[ns]"), "stage": [], "open_amount": []}
    )
    out = pipeline_weighted_forecast(empty, probabilities(), "2026-05-15")
    assert list(out["forecast"]) == [0.0, 0.0]
