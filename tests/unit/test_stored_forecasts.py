"""Stored forecasts (issue 21): the JSON keeps every value, dtype and figure of a result."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from salesops.figures import Figure
from salesops.forecast.backtest import Backtest
from salesops.forecast.cache import ForecastCache
from salesops.forecast.series_forecast import ForecastResult
from salesops.forecast.stored import StoredCache, result_from_json, result_to_json


def _result() -> ForecastResult:
    ds = pd.date_range("2025-01-01", periods=5, freq="MS")
    points = pd.DataFrame(
        {
            "ds": ds,
            "actual": [1.1, 2.0000000000000004, np.nan, np.nan, 0.1 + 0.2],
            "yhat": [1 / 3, 2.5, 3e-17, 4.0, 5.5],
            "yhat_lower": [0.0, 1.0, 2.0, 3.0, 4.0],
            "yhat_upper": [2.0, 3.0, 4.0, 5.0, 6.0],
            "is_future": [False, False, True, True, True],
        }
    )
    details = pd.DataFrame(
        {
            "cutoff": [ds[1]] * 2,
            "ds": ds[2:4],
            "actual": [3.0, 4.0],
            "prophet": [2.9, 4.2],
            "seasonal_naive": [3.3, np.nan],
        }
    )
    backtest = Backtest(
        cutoffs=[pd.Timestamp(ds[1])],
        horizon=2,
        prophet_mape=Figure(0.0583, None, {"n": 2, "skipped_zero_actuals": 0}),
        prophet_wape=Figure(1 / 7, None, {"n": 2}),
        naive_mape=Figure.undefined("every actual is 0: percentage error undefined", n=0),
        naive_wape=Figure(None, "actuals sum to 0: WAPE undefined", {"n": 2}),
        winner="prophet",
        reason=None,
        details=details,
    )
    components = pd.DataFrame({"ds": ds, "trend": np.linspace(0, 1, 5), "yearly": 0.25})
    return ForecastResult(
        "All", "M", 3, "prophet", None, points, components, backtest, ["a note"], 1.5
    )


def test_a_stored_result_reads_back_equal_value_for_value():
    result = _result()
    back = result_from_json(result_to_json(result))
    assert back is not None
    pd.testing.assert_frame_equal(back.points, result.points, check_exact=True)
    pd.testing.assert_frame_equal(back.components, result.components, check_exact=True)
    assert back.backtest is not None and result.backtest is not None
    pd.testing.assert_frame_equal(back.backtest.details, result.backtest.details, check_exact=True)
    for name in ("prophet_mape", "prophet_wape", "naive_mape", "naive_wape"):
        assert getattr(back.backtest, name) == getattr(result.backtest, name), name
    assert back.backtest.cutoffs == result.backtest.cutoffs
    assert (back.scope, back.freq, back.horizon, back.method, back.notes) == (
        "All",
        "M",
        3,
        "prophet",
        ["a note"],
    )


def test_results_without_backtest_or_rows_read_back_too():
    empty = pd.DataFrame({"ds": pd.Series([], dtype="datetime64[ns]"), "y": []})
    result = ForecastResult("x", "W", 1, "none", "no won bookings", empty, empty, None)
    back = result_from_json(result_to_json(result))
    assert back is not None and back.backtest is None and back.reason == "no won bookings"
    pd.testing.assert_frame_equal(back.points, empty)


def test_a_result_of_another_format_is_not_read():
    data = json.loads(result_to_json(_result()))
    data["format"] = 0
    assert result_from_json(json.dumps(data)) is None


def test_the_stored_cache_asks_the_database_only_when_memory_misses():
    asked: list[str] = []
    written: dict[str, str] = {}
    text = result_to_json(_result())

    def lookup(key: str) -> str | None:
        asked.append(key)
        return text if key == "stored" else None

    memory = ForecastCache()
    cache = StoredCache(lookup, written.__setitem__, memory)
    assert cache.get("missing") is None
    first = cache.get("stored")
    assert first is not None and cache.get("stored") is first  # then from memory
    assert asked == ["missing", "stored"]
    cache.put("new", _result())
    assert memory.get("new") is not None and result_from_json(written["new"]) is not None
