"""Forecast vs quota per quarter: attainment and gap, undefined with a reason where needed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesops.calendar import quarter_of
from salesops.config import Settings
from salesops.forecast.frequency import Frequency, period_start
from salesops.forecast.quarters import quarter_index, quarter_starts

VS_QUOTA_COLUMNS = [
    "period",
    "forecast",
    "quota",
    "attainment",
    "gap",
    "pipeline_forecast",
    "reason",
]


def quarter_totals(
    points: pd.DataFrame, quarters: pd.Series | pd.DatetimeIndex, freq: str | Frequency
) -> pd.Series:
    """Returns each quarter's total: actuals for past periods, yhat for future ones.

    Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future (a
    `ForecastResult.points`). A period belongs to the quarter its start date is in.
    Returns a float Series indexed by quarter start; NaN where the forecast does not
    cover the whole quarter (see `forecast_vs_quota`).
    """
    quarters = pd.DatetimeIndex(quarters).astype("datetime64[ns]")
    if len(points) == 0:
        return pd.Series(np.nan, index=quarters)
    value = np.where(points["is_future"], points["yhat"], points["actual"])
    quarter = quarter_starts(points["ds"])
    totals = pd.Series(value, index=quarter.to_numpy()).groupby(level=0).sum()
    last_covered = points["ds"].max()
    out = totals.reindex(quarters)
    for q in quarters:
        quarter_last_day = pd.Timestamp(quarter_of(q.date()).last_day)
        last_period = period_start(pd.Series([quarter_last_day]), freq)[0]
        if last_covered < last_period:
            out[q] = np.nan
    return out


def forecast_vs_quota(
    points: pd.DataFrame,
    quotas: pd.DataFrame,
    as_of: pd.Timestamp | str,
    freq: str | Frequency,
    pipeline: pd.DataFrame | None = None,
    n_quarters: int = Settings.forecast_quarters,
) -> pd.DataFrame:
    """Returns forecast vs quota for the current and next quarters.

    Args:
        points: Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future.
        quotas: Requires columns period_start and amount (monthly quota rows).
        as_of: today.
        freq: the points' frequency, "W" or "M".
        pipeline: optional `pipeline_weighted_forecast` frame to show beside it.
        n_quarters: quarters from the current one.

    Returns:
        A frame with columns period, forecast, quota, attainment (forecast / quota, a
        fraction), gap (quota - forecast; positive means short), pipeline_forecast,
        reason (why attainment is undefined, else None). Undefined numbers are None.
    """
    quarters = quarter_index(as_of, n_quarters)
    forecast = quarter_totals(points, quarters, freq)
    quota = quarter_quotas(quotas, quarters)
    pipe = (
        pipeline.set_index("period")["forecast"].reindex(quarters)
        if pipeline is not None
        else pd.Series(np.nan, index=quarters)
    )
    rows = [
        _quarter_row(period, _number(forecast[period]), quota[period], _number(pipe[period]))
        for period in quarters
    ]
    return pd.DataFrame(rows, columns=VS_QUOTA_COLUMNS)


def quarter_quotas(quotas: pd.DataFrame, quarters: pd.DatetimeIndex) -> dict[Any, float | None]:
    """Returns each quarter's summed quota, None for a quarter without quota rows.

    Requires columns period_start and amount (monthly quota rows).
    """
    quota = pd.Series(0.0, index=quarters)
    has_quota = pd.Series(False, index=quarters)
    if len(quotas):
        q = (
            quotas["amount"]
            .astype("float64")
            .groupby(quarter_starts(quotas["period_start"]).to_numpy())
        )
        quota = q.sum().reindex(quarters, fill_value=0.0)
        has_quota = q.size().reindex(quarters, fill_value=0) > 0
    return {p: float(quota[p]) if bool(has_quota[p]) else None for p in quarters}


def _quarter_row(
    period: pd.Timestamp, forecast: float | None, quota: float | None, pipeline: float | None
) -> dict[str, Any]:
    """Returns one row of `forecast_vs_quota`: attainment and gap, or the reason they lack."""
    reason = None
    attainment = gap = None
    if forecast is None:
        reason = "the forecast horizon does not reach the end of this quarter"
    elif quota is None:
        reason = "no quota set for this quarter"
    elif quota == 0:
        reason = "quota is 0"
        gap = quota - forecast
    else:
        attainment = forecast / quota
        gap = quota - forecast
    return {
        "period": period,
        "forecast": forecast,
        "quota": quota,
        "attainment": attainment,
        "gap": gap,
        "pipeline_forecast": pipeline,
        "reason": reason,
    }


def _number(value: Any) -> float | None:
    """Returns a frame cell as a float, None when it is missing."""
    return None if pd.isna(value) else float(value)
