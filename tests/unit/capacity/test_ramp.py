"""The one ramp: measured from bookings by tenure month, or the stated default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.capacity.ramp import MEASURED, default_ramp, ramp_model, tenure_months
from salesops.figures import Figure
from salesops.time_allocation.ramp import RampCurve


def _curve(values, reps, level=100.0, ramped_from=5, months_to_ramp=4.0) -> RampCurve:
    frame = pd.DataFrame(
        {
            "tenure_month": np.arange(1, len(values) + 1),
            "reps": reps,
            "bookings_per_rep": pd.array(values, dtype="Float64"),
        }
    )
    return RampCurve(frame, ramped_from, Figure(level), Figure(months_to_ramp), 0.9)


def test_measured_ramp_is_the_monotone_curve_over_the_ramped_level():
    # months 1-4: 10, 50, 40, 95 (4 reps each) -> 50, 40 pool to 45; level 100
    ramp = ramp_model(_curve([10, 50, 40, 95, 100, 100], [4] * 6), 6, 3)
    assert ramp.source == MEASURED
    assert ramp.fractions == pytest.approx((0.10, 0.45, 0.45, 0.95))
    assert ramp.months_to_ramp == 4  # the curve's own (same smoothing)
    assert ramp.at(np.array([0, 1, 4, 5, 40])).tolist() == pytest.approx([0, 0.1, 0.95, 1, 1])
    assert "measured from 4 reps" in ramp.describe()


def test_too_few_hires_or_no_level_falls_back_to_the_stated_linear_ramp():
    few = ramp_model(_curve([10, 50, 40, 95, 100], [2] * 5), 4, 3)
    assert few.source == "default"
    assert few.fractions == pytest.approx((0.125, 0.375, 0.625, 0.875))  # (m - 0.5) / 4
    assert few.months_to_ramp == 5  # never 90% inside 4 months: fully productive after
    assert "only 2 rep(s) hired" in few.reason
    no_level = _curve([1, 2, 3, 4, 5], [5] * 5)
    no_level = RampCurve(no_level.curve, 5, Figure.undefined("no rep observed"), Figure(None), 0.9)
    assert ramp_model(no_level, 6, 3).reason.startswith("no rep observed")
    instant = default_ramp(0, 0.9, "none")
    assert instant.fractions == () and instant.at(np.array([1.0])).tolist() == [1.0]


def test_tenure_months_and_the_year_ahead():
    hires = pd.Series(pd.to_datetime(["2026-01-15", "2026-06-01", None]))
    assert tenure_months(hires, pd.Timestamp("2026-06-30").date()).tolist() == [6, 1, 10_000]
    ramp = default_ramp(2, 0.9, "stated")  # 0.25, 0.75
    ahead = ramp.over_months(np.array([0.0, 2.0]), 3)  # not started yet; in month 2
    assert ahead.tolist() == [[0.0, 0.25, 0.75], [0.75, 1.0, 1.0]]
