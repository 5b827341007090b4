"""The forecast result cache: keys, LRU, disk."""

from __future__ import annotations

from salesops.forecast.cache import ForecastCache, cache_key
from salesops.forecast.params import ProphetParams
from salesops.forecast.series_forecast import forecast_series
from tests.unit.forecast.frames import monthly


def test_cache_hit_returns_same_result_and_key_covers_params(tmp_path):
    cache = ForecastCache(maxsize=4)
    series = monthly([float(i % 12) for i in range(20)])
    first = forecast_series(series, "M", 3, cache=cache, scope="A")
    second = forecast_series(series, "M", 3, cache=cache, scope="B")
    assert cache.hits == 1 and cache.misses == 1
    assert second.scope == "B" and second.points is first.points
    other = forecast_series(series, "M", 4, cache=cache)
    assert cache.misses == 2 and len(other.future) == 4
    key_a = cache_key(series, "M", 3, ProphetParams(), False, 4)
    key_b = cache_key(series, "M", 3, ProphetParams(quarterly=False), False, 4)
    changed = series.assign(y=series["y"] + 1)
    key_c = cache_key(changed, "M", 3, ProphetParams(), False, 4)
    assert len({key_a, key_b, key_c}) == 3


def test_cache_lru_evicts_and_disk_survives_a_new_cache(tmp_path):
    cache = ForecastCache(maxsize=1, directory=tmp_path)
    series_a = monthly([1.0] * 13)
    series_b = monthly([2.0] * 13)
    forecast_series(series_a, "M", 2, cache=cache)
    forecast_series(series_b, "M", 2, cache=cache)
    assert len(cache) == 1
    fresh = ForecastCache(directory=tmp_path)
    again = forecast_series(series_a, "M", 2, cache=fresh)
    assert fresh.hits == 1 and list(again.future["yhat"]) == [1.0, 1.0]


def test_cache_ignores_corrupt_file(tmp_path):
    cache = ForecastCache(directory=tmp_path)
    series = monthly([1.0] * 13)
    key = cache_key(series, "M", 2, ProphetParams(), False, 4)
    (tmp_path / f"forecast-{key}.pkl").write_bytes(b"not a pickle")
    result = forecast_series(series, "M", 2, cache=cache)
    assert result.method == "seasonal_naive" and cache.misses == 1
