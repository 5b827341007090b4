"""Bookings outlook: expected bookings by hand, the spread and its quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.capacity.ramp import default_ramp
from salesops.territory.outlook import outlook, quantile, survival

INSTANT = default_ramp(0, 0.9, "none")  # productive from the first month


def test_survival_and_quantile_by_hand():
    ratios = np.array([0.5, 1.0, 1.5, 2.0])  # plotting positions .125 .375 .625 .875
    assert survival(ratios, np.array([1.0]))[0] == pytest.approx(0.625)
    assert survival(ratios, np.array([0.1, 9.0])).tolist() == [1.0, 0.0]
    assert float(quantile(ratios, 0.5)) == pytest.approx(1.25)


def _two_reps():
    reps = pd.DataFrame(
        {
            "id": [1, 2],
            "segment": ["Enterprise", "Enterprise"],
            "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
            "end_date": pd.to_datetime([None, None]),
        }
    )
    months = pd.date_range("2025-01-01", "2025-12-01", freq="MS")
    monthly = pd.DataFrame(
        {
            "rep_id": [1] * 12 + [2] * 12,
            "month": list(months) * 2,
            "bookings": [100.0] * 12 + [200.0] * 12,
        }
    )
    return monthly, reps


def test_expected_bookings_lean_on_the_segment_by_hand():
    monthly, reps = _two_reps()
    view = outlook(monthly, reps, INSTANT, "2025-12-31", shrink=6.0)
    # segment rate = 3600 / 24 = 150 a month; A: (1200 + 6 x 150) / 18 x 12 = 1400
    assert view.reps["expected"].tolist() == pytest.approx([1400.0, 2200.0])
    assert view.rates == {"Enterprise": pytest.approx(150.0)}
    # one year of history only: no past year to measure the spread from
    assert view.spread is None and "past rep-years" in view.reason
    assert np.isnan(view.chance(np.array([1000.0, 1000.0]))).all()


def test_a_rep_leaving_or_ramping_is_prorated():
    monthly, reps = _two_reps()
    reps["end_date"] = pd.to_datetime([None, "2026-03-31"])
    view = outlook(monthly, reps, INSTANT, "2025-12-31", shrink=6.0)
    assert view.reps["ramped_months"].tolist() == [12.0, 3.0]  # Jan-Mar
    assert view.reps["expected"].iloc[1] == pytest.approx(2200.0 / 4)
    ramping = default_ramp(4, 0.9, "stated")  # 0.125 .375 .625 .875
    new = reps.assign(hire_date=pd.to_datetime(["2020-01-01", "2026-01-10"]),
                      end_date=pd.NaT)  # fmt: skip
    view = outlook(monthly, new, ramping, "2025-12-31", shrink=6.0)
    assert view.reps["ramped_months"].iloc[1] == pytest.approx(0.125 + 0.375 + 0.625 + 0.875 + 8)


def test_the_spread_comes_from_past_years_fully_observed():
    months = pd.date_range("2022-01-01", "2025-12-01", freq="MS")
    rng = np.random.default_rng(1)
    rows = []
    for rep in range(1, 13):
        for m in months:
            rows.append((rep, m, float(rng.gamma(4.0, 25.0))))
    monthly = pd.DataFrame(rows, columns=["rep_id", "month", "bookings"])
    reps = pd.DataFrame(
        {"id": range(1, 13), "segment": ["SMB"] * 12,
         "hire_date": pd.to_datetime(["2019-01-01"] * 12), "end_date": pd.NaT}
    )  # fmt: skip
    view = outlook(monthly, reps, INSTANT, "2025-12-31", shrink=6.0)
    # origins Jan 2023 .. Dec 2024 (the last 12 whose year ahead ends by the origin)
    assert view.spread is not None and view.spread.samples == 12 * 12
    assert 0.8 < float(np.median(view.spread.team)) < 1.2  # stationary: actual ~ expected
