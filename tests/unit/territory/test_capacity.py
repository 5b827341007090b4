"""Ramp and capacity hours."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.territory.capacity import ramp_factor, year_ramp_factor
from salesops.territory.metrics import territory_metrics
from tests.unit.territory.company import (
    AS_OF,
    OLD,
    RAMP_DAYS,
    SEGMENT,
    accounts_frame,
    reps_frame,
    row,
    territories_frame,
)


def test_ramp_factor_linear_then_full_and_zero_outside_employment():
    assert ramp_factor(date(2025, 10, 3), None, AS_OF, RAMP_DAYS) == pytest.approx(0.5)  # 90 / 180
    assert ramp_factor(OLD, None, AS_OF, RAMP_DAYS) == 1.0
    assert ramp_factor(date(2026, 2, 1), None, AS_OF, RAMP_DAYS) == 0.0  # not started yet
    assert ramp_factor(OLD, date(2025, 12, 31), AS_OF, RAMP_DAYS) == 0.0  # left
    assert ramp_factor(None, None, AS_OF, RAMP_DAYS) == 1.0  # unknown hire date counts as ramped


def test_ramp_accepts_datetime64_frames_with_nat():
    reps = reps_frame()
    reps["hire_date"] = pd.to_datetime(reps["hire_date"])
    reps["end_date"] = pd.to_datetime(reps["end_date"])  # None -> NaT
    m = territory_metrics(accounts_frame(), reps, territories_frame(), AS_OF, SEGMENT)
    assert row(m, 2)["capacity_hours"] == 1840 + 460
    assert row(m, 3)["reps"] == 1


def test_year_ramp_factor_averages_the_rest_of_the_ramp():
    # 90 days in: ramps from 0.5 to 1.0 over the next 90 days (mean 0.75), then 275 days at 1.
    assert year_ramp_factor(date(2025, 10, 3), None, AS_OF, RAMP_DAYS) == pytest.approx(
        (90 * 0.75 + 275) / 365
    )
    assert year_ramp_factor(OLD, None, AS_OF, RAMP_DAYS) == 1.0
    # Starts in 65 days: 0 for 65 days, ramps 0 -> 1 for 180 days (mean 0.5), 120 days at 1.
    assert year_ramp_factor(date(2026, 3, 7), None, AS_OF, RAMP_DAYS) == pytest.approx(
        (180 * 0.5 + 120) / 365
    )
    assert year_ramp_factor(OLD, date(2025, 6, 30), AS_OF, RAMP_DAYS) == 0.0
    # Ramped but leaving in 100 days: 100 of the 365 days at full capacity.
    assert year_ramp_factor(OLD, date(2026, 4, 11), AS_OF, RAMP_DAYS) == pytest.approx(100 / 365)
    # Starts in 400 days: nothing in this quota year.
    assert year_ramp_factor(date(2027, 2, 5), None, AS_OF, RAMP_DAYS) == 0.0
