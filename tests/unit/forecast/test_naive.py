"""Naive and seasonal-naive baselines, bands worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesops.forecast.naive import naive_forecast, seasonal_naive_forecast
from tests.unit.forecast.frames import monthly


def test_seasonal_naive_repeats_last_season_exactly():
    pattern = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    series = monthly(pattern * 3)
    out = seasonal_naive_forecast(series, "M", 14)
    assert list(out["yhat"]) == pattern + pattern[:2]
    # A purely periodic series has zero seasonal differences, so a zero-width band.
    assert np.array_equal(out["yhat_lower"], out["yhat"])
    assert out["ds"].iloc[0] == pd.Timestamp("2025-01-01")


def test_seasonal_naive_band_widens_each_season():
    # Seasonal differences are all +12 (year 2 = year 1 + 12): sigma = 12.
    series = monthly(list(range(12)) + list(range(12, 24)))
    out = seasonal_naive_forecast(series, "M", 13, interval_width=0.8)
    z = 1.2815515655446004
    assert out["yhat_upper"].iloc[0] - out["yhat"].iloc[0] == pytest.approx(z * 12)
    # step 13 is one whole season ahead: sqrt(1 + 1)
    assert out["yhat_upper"].iloc[12] - out["yhat"].iloc[12] == pytest.approx(z * 12 * math.sqrt(2))


def test_seasonal_naive_needs_one_season():
    with pytest.raises(ValueError, match="needs ≥ 12 points"):
        seasonal_naive_forecast(monthly([1.0] * 5), "M", 3)


def test_naive_forecast_repeats_last_value():
    out = naive_forecast(monthly([4.0, 6.0, 10.0]), "M", 2)
    assert list(out["yhat"]) == [10.0, 10.0]
    # one-step diffs 2 and 4: sigma = sqrt((4 + 16) / 2) = sqrt(10); h = 2 -> * sqrt(2)
    half = 1.2815515655446004 * math.sqrt(10) * math.sqrt(2)
    assert out["yhat_upper"].iloc[1] - 10.0 == pytest.approx(half)
