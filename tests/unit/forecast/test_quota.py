"""Forecast vs quota per quarter, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.forecast.quota import forecast_vs_quota
from tests.unit.forecast.frames import quarter_points


def test_forecast_vs_quota_by_hand():
    quotas = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"] * 2),
            "amount": [40.0, 30.0, 30.0, 40.0, 30.0, 30.0],  # two reps: 100 each -> 200
        }
    )
    pipeline = pd.DataFrame(
        {"period": pd.to_datetime(["2026-04-01", "2026-07-01"]), "forecast": [170.0, 90.0]}
    )
    out = forecast_vs_quota(
        quarter_points(), quotas, "2026-05-15", "M", pipeline=pipeline, n_quarters=3
    )
    q2, q3, q4 = out.iloc[0], out.iloc[1], out.iloc[2]
    # Q2 = April actual 40 + May yhat 50 + June yhat 60 = 150; quota 200
    assert q2["forecast"] == 150.0 and q2["quota"] == 200.0
    assert q2["attainment"] == pytest.approx(0.75) and q2["gap"] == pytest.approx(50.0)
    assert q2["pipeline_forecast"] == 170.0
    # Q3 = 70 + 80 + 90 = 240, no quota rows -> attainment undefined with a reason
    assert q3["forecast"] == 240.0 and pd.isna(q3["quota"]) and pd.isna(q3["attainment"])
    assert q3["reason"] == "no quota set for this quarter"
    # Q4 lies beyond the forecast horizon
    assert pd.isna(q4["forecast"]) and "does not reach" in q4["reason"]


def test_forecast_vs_quota_zero_quota_is_undefined_attainment():
    quotas = pd.DataFrame({"period_start": pd.to_datetime(["2026-04-01"]), "amount": [0.0]})
    out = forecast_vs_quota(quarter_points(), quotas, "2026-05-15", "M", n_quarters=1)
    assert pd.isna(out["attainment"].iloc[0]) and out["reason"].iloc[0] == "quota is 0"
    assert out["gap"].iloc[0] == pytest.approx(-150.0)
