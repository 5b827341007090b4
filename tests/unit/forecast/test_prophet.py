"""Prophet fits: trend, seasonality, holidays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.forecast.params import ProphetParams
from salesops.forecast.prophet import fit_predict_prophet
from tests.unit.forecast.frames import monthly, synthetic_monthly, weekly


def test_prophet_recovers_trend_and_yearly_seasonality():
    series, _ = synthetic_monthly(48)
    points, components = fit_predict_prophet(series, "M", 12, ProphetParams(quarterly=False))
    t_future = np.arange(48, 60)
    truth_future = 1000.0 + 10.0 * t_future + 200.0 * np.sin(2 * np.pi * t_future / 12)
    yhat = points["yhat"].to_numpy()[48:]
    assert np.max(np.abs(yhat - truth_future) / truth_future) < 0.05
    # trend slope per month ~ 10 (trend is daily-linear; months differ by 28-31 days)
    trend = components["trend"].to_numpy()
    slope = (trend[47] - trend[0]) / 47
    assert slope == pytest.approx(10.0, rel=0.15)
    yearly = components["yearly"].to_numpy()[:48]
    expected = 200.0 * np.sin(2 * np.pi * np.arange(48) / 12)
    assert np.corrcoef(yearly, expected)[0, 1] > 0.98
    assert np.max(yearly) == pytest.approx(200.0, rel=0.15)
    assert (points["yhat_lower"] <= points["yhat"]).all()
    assert (points["yhat_upper"] >= points["yhat"]).all()


def test_prophet_needs_two_points():
    with pytest.raises(ValueError, match="at least two points"):
        fit_predict_prophet(monthly([1.0]), "M", 3)


@pytest.mark.slow
def test_country_holidays_give_a_holiday_component_on_weekly_data():
    # US Memorial Day is a Monday, so it lands on a weekly ds; bookings jump that week.
    series = weekly([100.0] * 156, start="2022-01-03")
    memorial = pd.to_datetime(["2022-05-30", "2023-05-29", "2024-05-27"])
    series.loc[series["ds"].isin(memorial), "y"] += 400.0
    points, components = fit_predict_prophet(
        series, "W", 4, ProphetParams(country_holidays="US", quarterly=False)
    )
    on_holiday = components.loc[components["ds"].isin(memorial), "holidays"]
    assert (on_holiday > 200).all()
    assert components["holidays"].abs().max() > 200
