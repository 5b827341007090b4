"""Bookings to date against quota, by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.kpis.attainment import attainment_from

BOOKINGS = pd.DataFrame(
    {
        "ds": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-11-01", "2026-11-01"]),
        "y": [500.0, 100.0, 40.0, 60.0],
    }
)
QUOTAS = pd.DataFrame(
    {
        "period_start": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"]),
        "amount": [999.0, 150.0, 150.0, 100.0],
    }
)
Q4 = Period(date(2026, 10, 1), date(2026, 12, 31))


def test_quarter_to_date_against_the_whole_quarter_quota():
    a = attainment_from(
        BOOKINGS, QUOTAS, "Q4 2026 to date", Period(Q4.start, date(2026, 11, 15)), Q4
    )
    assert a.bookings == 200.0  # Oct 100 + Nov 40 + 60; September is outside
    assert a.quota == 400.0  # Oct 150 + Nov 150 + Dec 100
    assert a.attainment.value == pytest.approx(0.5)
    # 1 Oct .. 15 Nov = 46 of 92 days
    assert a.elapsed == pytest.approx(0.5)
    assert a.pace_gap == pytest.approx(0.0)


def test_no_quota_is_undefined_not_zero():
    a = attainment_from(BOOKINGS, QUOTAS.iloc[:0], "Q4 2026 to date", Q4, Q4)
    assert a.quota is None
    assert a.attainment.value is None and a.attainment.reason == "no quota for Q4 2026"
    assert a.pace_gap is None


def test_pace_words_give_direction_and_stay_neutral_when_trivial():
    from salesops.kpis.attainment import pace_words

    behind = attainment_from(
        BOOKINGS, QUOTAS, "Q4 2026 to date", Period(Q4.start, date(2026, 12, 1)), Q4
    )
    text, tone = pace_words(behind, "USD", 0.5)
    # 200 / 400 = 50% with 62 of 92 days gone (67%): 17 pp behind
    assert (
        text == "$200 booked: 50% of the $400 Q4 2026 quota, with 67% of the time gone: "
        "17 pp behind pace."
    )
    assert tone == "bad"
    on_pace = attainment_from(
        BOOKINGS, QUOTAS, "Q4 2026 to date", Period(Q4.start, date(2026, 11, 15)), Q4
    )
    assert pace_words(on_pace, "USD", 0.5)[1] == "neutral"
    none = attainment_from(BOOKINGS, QUOTAS.iloc[:0], "Q4 2026 to date", Q4, Q4)
    assert pace_words(none, "USD", 0.5) == ("$200 booked; no quota for Q4 2026.", "none")
