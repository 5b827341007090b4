"""What-if adjustments without refitting, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.forecast.what_if import (
    DAYS_PER_MONTH,
    WhatIf,
    apply_what_if,
    headcount_factor,
    shift_in_time,
)
from tests.unit.forecast.frames import quarter_points


def test_what_if_rate_and_size_multiply_future_only():
    points = quarter_points()
    out = apply_what_if(points, "M", WhatIf(win_rate_change=0.10, deal_size_change=-0.20))
    # 1.10 x 0.80 = 0.88
    assert list(out["yhat"].iloc[:4]) == [11.0, 19.0, 31.0, 39.0]  # history untouched
    assert out["yhat"].iloc[4] == pytest.approx(50.0 * 0.88)
    assert out["yhat_upper"].iloc[8] == pytest.approx(90.0 * 0.88)
    assert list(out["yhat_base"]) == list(points["yhat"])
    assert list(points["yhat"].iloc[4:]) == [50.0, 60.0, 70.0, 80.0, 90.0]  # input not mutated


def test_what_if_neutral_is_identity():
    out = apply_what_if(quarter_points(), "M", WhatIf())
    assert list(out["yhat"]) == list(quarter_points()["yhat"])


def test_what_if_cycle_shift_one_and_half_period():
    points = quarter_points()
    one_month = DAYS_PER_MONTH
    out = apply_what_if(points, "M", WhatIf(cycle_change_days=one_month))
    # deals take a month longer: May gets April's actual 40, June gets May's 50, ...
    assert list(out["yhat"].iloc[4:]) == pytest.approx([40.0, 50.0, 60.0, 70.0, 80.0])
    half = apply_what_if(points, "M", WhatIf(cycle_change_days=one_month / 2))
    # half a month: May = (40 + 50) / 2 = 45, June = (50 + 60) / 2 = 55
    assert list(half["yhat"].iloc[4:6]) == pytest.approx([45.0, 55.0])
    shorter = apply_what_if(points, "M", WhatIf(cycle_change_days=-one_month))
    # a month shorter: May gets June's 60 ... September repeats the last value 90
    assert list(shorter["yhat"].iloc[4:]) == pytest.approx([60.0, 70.0, 80.0, 90.0, 90.0])


def test_shift_in_time_preserves_totals_inside_the_window():
    assert list(shift_in_time(np.array([0.0, 10.0, 0.0, 0.0]), 1.0)) == [0.0, 0.0, 10.0, 0.0]
    assert list(shift_in_time(np.array([0.0, 10.0, 0.0, 0.0]), 0.5)) == [0.0, 5.0, 5.0, 0.0]


def test_headcount_follows_the_ramp_by_tenure_month():
    ds = pd.date_range("2026-06-01", periods=4, freq="MS")
    ramp = (0.1, 0.5, 0.9)  # the capacity model's fractions for tenure months 1, 2, 3
    factor = headcount_factor(ds, ds[0], "M", base_reps=10, reps_change=2, ramp=ramp)
    # mid-June is tenure month 1, mid-July month 2, mid-August month 3, then fully ramped
    assert factor.tolist() == pytest.approx([1.02, 1.10, 1.18, 1.20])
    weekly = headcount_factor(pd.date_range("2026-06-01", periods=6, freq="7D"),
                              pd.Timestamp("2026-06-01"), "W", 10, 1, ramp)  # fmt: skip
    assert weekly.tolist() == pytest.approx([1.01] * 4 + [1.05] * 2)  # days 3.5..24.5, 31.5..
    removed = headcount_factor(ds, ds[0], "M", base_reps=10, reps_change=-5, ramp=ramp)
    assert list(removed) == [0.5] * 4  # removed reps stop at once
    none = headcount_factor(ds, ds[0], "M", base_reps=0, reps_change=5, ramp=ramp)
    assert list(none) == [1.0] * 4  # no reps known: no headcount effect
    too_many = headcount_factor(ds, ds[0], "M", base_reps=2, reps_change=-5, ramp=())
    assert list(too_many) == [0.0] * 4


def test_what_if_headcount_applied_through_apply_what_if():
    out = apply_what_if(quarter_points(), "M", WhatIf(reps_change=5, ramp=()), base_reps=10)
    # no ramp: +5 on 10 reps = x1.5 at once
    assert list(out["yhat"].iloc[4:]) == pytest.approx([75.0, 90.0, 105.0, 120.0, 135.0])
    assert list(out["factor"].iloc[4:]) == pytest.approx([1.5] * 5)
