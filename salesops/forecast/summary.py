"""JSON-ready dicts of forecasts (the CLI's `series` items): rounded, NaN as null."""

from __future__ import annotations

import math
from typing import Any

from salesops.figures import Figure
from salesops.forecast.accuracy import skipped_zero_actuals
from salesops.forecast.series_forecast import ForecastResult


def summarise(result: ForecastResult) -> dict[str, Any]:
    """Returns the JSON-ready dict of a forecast (the CLI's `series` item shape).

    Keys: scope, method, reason, notes, points (ds, actual, yhat, yhat_lower,
    yhat_upper; NaN as None), backtest (cutoffs, prophet/seasonal_naive mape+wape,
    winner, verdict) or None.
    """
    points = []
    for row in result.points.itertuples(index=False):
        points.append(
            {
                "ds": row.ds.date().isoformat(),
                "actual": json_number(row.actual),
                "yhat": json_number(row.yhat),
                "yhat_lower": json_number(row.yhat_lower),
                "yhat_upper": json_number(row.yhat_upper),
            }
        )
    backtest = None
    if result.backtest is not None:
        b = result.backtest
        backtest = {
            "cutoffs": [c.date().isoformat() for c in b.cutoffs],
            "horizon": b.horizon,
            "prophet": _accuracy_pair(b.prophet_mape, b.prophet_wape),
            "seasonal_naive": _accuracy_pair(b.naive_mape, b.naive_wape),
            "winner": b.winner,
            "reason": b.reason,
            "verdict": b.verdict(),
        }
    return {
        "scope": result.scope,
        "method": result.method,
        "reason": result.reason,
        "notes": list(result.notes),
        "points": points,
        "backtest": backtest,
    }


def json_number(value: Any) -> float | None:
    """Returns an amount rounded to cents for JSON; None for None, NaN and infinity."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, 2)


def _accuracy_pair(m: Figure, w: Figure) -> dict[str, Any]:
    """Returns a method's backtest errors: MAPE and WAPE rounded, their reasons, zeros skipped."""
    return {
        "mape": None if m.value is None else round(m.value, 4),
        "wape": None if w.value is None else round(w.value, 4),
        "mape_reason": m.reason,
        "wape_reason": w.reason,
        "mape_skipped_zero_actuals": skipped_zero_actuals(m),
    }
