"""The JSON of a forecast."""

from __future__ import annotations

import json

from salesops.forecast.series_forecast import forecast_series
from salesops.forecast.summary import summarise
from tests.unit.forecast.frames import monthly


def test_summarise_is_json_with_nulls_not_nan():
    result = forecast_series(monthly([float(i % 12) for i in range(20)]), "M", 2, backtest=True)
    payload = summarise(result)
    text = json.dumps(payload, allow_nan=False)
    assert '"actual": null' in text
    assert payload["method"] == "seasonal_naive"
    assert set(payload["points"][0]) == {"ds", "actual", "yhat", "yhat_lower", "yhat_upper"}
    assert payload["backtest"]["prophet"]["mape"] is None
