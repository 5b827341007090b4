"""Forecast page fixes: the horizon keeps its span across Month/Week; poor backtests are named."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.forecast.backtest import poor_forecasts
from salesops.ui.forecast import horizon_in


def test_horizon_keeps_its_span_when_switching_month_and_week():
    assert horizon_in("W", 6, "M", 104) == 26  # 6 months ~ 26 weeks
    assert horizon_in("M", 26, "W", 104) == 6
    assert horizon_in("M", 1, "W", 104) == 1  # never below one period
    assert horizon_in("W", 60, "M", 104) == 104  # never above the longest horizon
    assert horizon_in("M", 6, "M", 104) == 6


def test_poor_forecasts_read_the_wape_of_the_method_used():
    summary = pd.DataFrame(
        {
            "scope": ["North", "South", "East", "West"],
            "method": ["prophet", "seasonal_naive", "prophet", "prophet"],
            "prophet_wape": [0.31, 0.9, 0.2, np.nan],
            "naive_wape": [0.1, 0.25, 0.5, 0.4],
        }
    )
    assert poor_forecasts(summary, 0.3) == ["North"]
