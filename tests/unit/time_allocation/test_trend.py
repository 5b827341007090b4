"""Selling share per week or month: gaps, not zeros."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.time_allocation.classification import classify_activities
from salesops.time_allocation.trend import selling_share_trend
from tests.unit.time_allocation.company import BENCHMARK, TREND_ROWS, TYPES


def test_weekly_trend_shows_gaps_not_zeros():
    trend = selling_share_trend(
        classify_activities(TREND_ROWS, TYPES), freq="W", benchmark=BENCHMARK
    )
    assert list(trend["period"].dt.strftime("%m-%d")) == [
        "01-06",
        "01-13",
        "01-20",
        "01-27",
        "02-03",
    ]
    shares = trend["selling_share"]
    assert shares.iloc[0] == pytest.approx(0.6)
    assert pd.isna(shares.iloc[1]) and pd.isna(shares.iloc[2])
    assert trend["share_reason"].iloc[1] == "no hours logged in this period"
    assert trend["hours"].iloc[2] == 0.0
    assert shares.iloc[3] == pytest.approx(0.25)
    assert shares.iloc[4] == pytest.approx(0.5)
    assert trend["back_office_hours"].iloc[3] == 9.0


def test_monthly_trend_and_range_padding():
    trend = selling_share_trend(
        classify_activities(TREND_ROWS, TYPES),
        freq="M",
        start="2024-12-15",
        end="2025-03-31",
        benchmark=BENCHMARK,
    )
    assert list(trend["period"].dt.strftime("%Y-%m")) == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    # January: (6 + 0 + 3) selling of (10 + 0 + 12) hours = 9 / 22
    assert trend["selling_share"].iloc[1] == pytest.approx(9 / 22)
    assert trend["selling_share"].iloc[2] == pytest.approx(0.5)
    assert pd.isna(trend["selling_share"].iloc[0]) and pd.isna(trend["selling_share"].iloc[3])


def test_trend_of_nothing_is_empty_not_an_error():
    empty = classify_activities(TREND_ROWS.iloc[0:0], TYPES)
    assert selling_share_trend(empty, freq="W", benchmark=BENCHMARK).empty
    padded = selling_share_trend(
        empty, freq="W", start="2025-01-01", end="2025-01-31", benchmark=BENCHMARK
    )
    # Mondays 2025-01-06 .. 2025-01-27: the week of Monday 2024-12-30 began before the period
    assert list(padded["period"].dt.day) == [6, 13, 20, 27]
    assert padded["selling_share"].isna().all()


def test_trend_rejects_unknown_freq():
    with pytest.raises(ValueError, match="freq"):
        selling_share_trend(classify_activities(TREND_ROWS, TYPES), freq="D", benchmark=BENCHMARK)
