"""Whether a history can carry Prophet, and why not."""

from __future__ import annotations

import pytest

from salesops.forecast.history import check_history
from tests.unit.forecast.frames import monthly, weekly


@pytest.mark.parametrize(
    ("values", "method", "reason_part"),
    [
        ([], "none", "no bookings history"),
        ([0.0] * 30, "zero", "no won bookings in the 30 months"),
        ([5.0], "naive", "1 point; need ≥ 24"),
        ([5.0] * 11, "naive", "11 months; need ≥ 24"),
        ([5.0] * 23, "seasonal_naive", "23 months; need ≥ 24"),
        ([5.0] * 24, "prophet", None),
    ],
)
def test_check_history_monthly(values, method, reason_part):
    check = check_history(monthly(values), "M")
    assert check.method == method
    if reason_part is None:
        assert check.reason is None and check.prophet_ok
    else:
        assert reason_part in check.reason


def test_check_history_weekly_needs_two_years_of_weeks():
    assert check_history(weekly([1.0] * 103), "W").method == "seasonal_naive"
    assert check_history(weekly([1.0] * 104), "W").method == "prophet"


def test_check_history_long_zero_gap_falls_back_with_reason():
    values = [10.0] * 15 + [0.0] * 4 + [10.0] * 17  # 36 months, 4 empty in a row > a quarter
    check = check_history(monthly(values), "M")
    assert check.method == "seasonal_naive"
    assert "4 months in a row with no bookings" in check.reason
    values_ok = [10.0] * 15 + [0.0] * 3 + [10.0] * 18  # 3 empty months is tolerated
    assert check_history(monthly(values_ok), "M").method == "prophet"
