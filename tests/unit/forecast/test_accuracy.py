"""MAPE and WAPE as Figures, by hand."""

from __future__ import annotations

import pytest

from salesops.forecast.accuracy import mape, skipped_zero_actuals, wape


def test_mape_skips_zero_actuals_and_says_so():
    actual = [100.0, 0.0, 50.0, 200.0]
    predicted = [110.0, 10.0, 40.0, 150.0]
    result = mape(actual, predicted)
    # |10|/100 = 0.10, |10|/50 = 0.20, |50|/200 = 0.25 -> mean 0.55 / 3 = 0.18333
    assert result.value == pytest.approx(0.55 / 3)
    assert result.inputs == {"n": 3, "skipped_zero_actuals": 1}
    assert skipped_zero_actuals(result) == 1
    assert "1 period(s) with actual 0 left out" in result.reason


def test_wape_by_hand():
    result = wape([100.0, 0.0, 50.0, 200.0], [110.0, 10.0, 40.0, 150.0])
    # (10 + 10 + 10 + 50) / (100 + 0 + 50 + 200) = 80 / 350
    assert result.value == pytest.approx(80 / 350)
    assert result.reason is None


def test_metrics_undefined_when_actuals_all_zero():
    assert mape([0.0, 0.0], [1.0, 2.0]).value is None
    w = wape([0.0, 0.0], [1.0, 2.0])
    assert w.value is None and "sum to 0" in w.reason
