"""One scope's forecast (method, fallbacks, notes) and many scopes on workers."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from salesops.forecast.cache import ForecastCache
from salesops.forecast.params import ProphetParams
from salesops.forecast.series_forecast import forecast_many, forecast_series
from tests.unit.forecast.frames import DATASETS, monthly, synthetic_monthly


@pytest.mark.slow
def test_forecast_series_prophet_with_quarterly_component_and_backtest():
    series, _ = synthetic_monthly(48)
    result = forecast_series(series, "M", 6, backtest=True, scope="all")
    assert result.method == "prophet" and result.reason is None
    assert list(result.components.columns) == ["ds", "trend", "yearly", "quarterly", "holidays"]
    assert result.components["quarterly"].abs().sum() > 0
    assert len(result.future) == 6 and result.future["actual"].isna().all()
    b = result.backtest
    assert len(b.cutoffs) == 4
    for acc in (b.prophet_mape, b.prophet_wape, b.naive_mape, b.naive_wape):
        assert acc.value is not None and math.isfinite(acc.value)
    # the trend makes last-year's value 120 too low, so Prophet must beat seasonal naive
    assert b.winner == "prophet"


def test_single_point_never_imports_prophet():
    code = (
        "import sys, pandas as pd\n"
        "from salesops.forecast.series_forecast import forecast_series\n"
        "s = pd.DataFrame({'ds': pd.to_datetime(['2026-01-01']), 'y': [5.0]})\n"
        "r = forecast_series(s, 'M', 3, backtest=True)\n"
        "assert r.method == 'naive', r.method\n"
        "assert list(r.future['yhat']) == [5.0, 5.0, 5.0]\n"
        "print('prophet' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_short_history_uses_seasonal_naive_with_banner_reason():
    series = monthly([float(i % 12) + 1 for i in range(18)])
    result = forecast_series(series, "M", 3, backtest=True)
    assert result.method == "seasonal_naive"
    assert "not enough history for Prophet (18 months; need ≥ 24" in result.reason
    # months 19-21 repeat months 7-9 of the pattern: values 7, 8, 9
    assert list(result.future["yhat"]) == [7.0, 8.0, 9.0]
    assert result.backtest.winner is None and "no backtest" in result.backtest.reason
    assert result.components.empty


def test_all_lost_history_forecasts_zero_with_warning():
    result = forecast_series(monthly([0.0] * 30), "M", 3)
    assert result.method == "zero"
    assert list(result.future["yhat"]) == [0.0, 0.0, 0.0]
    assert "no won bookings" in result.reason


def test_empty_history_gives_no_points():
    result = forecast_series(monthly([]), "M", 3)
    assert result.method == "none" and result.points.empty


def test_horizon_longer_than_history_is_allowed_with_a_note():
    result = forecast_series(monthly([3.0] * 13), "M", 20)
    assert result.method == "seasonal_naive"
    assert len(result.future) == 20
    assert any("longer than the history" in note for note in result.notes)


def test_nonnegative_floor_on_band():
    # big seasonal differences make the band reach below 0; bookings cannot be negative
    series = monthly([0.0, 100.0] * 6 + [100.0, 0.0] * 6)
    result = forecast_series(series, "M", 3)
    assert (result.future["yhat_lower"] >= 0).all()


def test_invalid_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="Unknown holiday country 'XX'"):
        ProphetParams(country_holidays="XX").validate()
    with pytest.raises(ValueError, match="horizon must be at least 1"):
        forecast_series(monthly([1.0] * 30), "M", 0)


@pytest.mark.slow
def test_forecast_many_on_workers_equals_each_forecast_series():
    base, _ = synthetic_monthly(36)
    scopes = {
        "North": base,
        "South": base.assign(y=base["y"] * 0.5),
        "Tiny": monthly([5.0] * 8),
    }
    cache = ForecastCache()
    parallel = forecast_many(scopes, "M", 3, backtest=True, cache=cache, max_workers=2)
    assert list(parallel) == ["North", "South", "Tiny"]
    assert parallel["Tiny"].method == "naive"
    assert len(cache) == 3 and cache.misses == 3
    for name, series in scopes.items():
        alone = forecast_series(series, "M", 3, backtest=True, scope=name)
        assert parallel[name].scope == name and parallel[name].method == alone.method
        pd.testing.assert_frame_equal(parallel[name].points, alone.points)
        pd.testing.assert_frame_equal(parallel[name].components, alone.components)
        if alone.backtest is not None:
            pd.testing.assert_frame_equal(parallel[name].backtest.details, alone.backtest.details)
    again = forecast_many(scopes, "M", 3, backtest=True, cache=cache, max_workers=2)
    assert cache.hits == 3 and cache.misses == 3  # every scope answered from the cache
    pd.testing.assert_frame_equal(again["South"].points, parallel["South"].points)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["example_retail_sales", "example_air_passengers"])
def test_prophet_example_series_backtest_runs(name):
    series = pd.read_csv(DATASETS / "prophet-example-series" / f"{name}.csv", parse_dates=["ds"])
    result = forecast_series(series, "M", 12, backtest=True)
    assert result.method == "prophet"
    b = result.backtest
    assert len(b.cutoffs) == 4
    for acc in (b.prophet_mape, b.prophet_wape, b.naive_mape, b.naive_wape):
        assert acc.value is not None and math.isfinite(acc.value)
        assert 0 < acc.value < 0.5
    assert b.winner in {"prophet", "seasonal_naive"}
