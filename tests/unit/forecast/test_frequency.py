"""Forecast frequencies and period starts."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.forecast.frequency import MONTH, WEEK, frequency, period_start


def test_frequency_aliases_and_unknown():
    assert frequency("w") is WEEK
    assert frequency("MS") is MONTH
    with pytest.raises(ValueError, match="Unknown frequency 'D'"):
        frequency("D")


def test_period_start_week_is_iso_monday_across_year_end():
    dates = pd.Series(pd.to_datetime(["2026-01-01", "2025-12-28", "2025-12-29", "2021-01-03"]))
    starts = period_start(dates, "W")
    # Thu 2026-01-01 -> Mon 2025-12-29; Sun 2025-12-28 -> Mon 2025-12-22;
    # Sun 2021-01-03 (ISO week 53 of 2020) -> Mon 2020-12-28.
    assert list(starts.dt.strftime("%Y-%m-%d")) == [
        "2025-12-29",
        "2025-12-22",
        "2025-12-29",
        "2020-12-28",
    ]
    assert str(starts.dtype) == "datetime64[ns]"
