"""Periods and value formatting."""

from __future__ import annotations

from datetime import date

import pytest

from salesops.formatting import format_change, format_value
from salesops.periods import Period, split_whole_months, trailing_months, week_start


def test_previous_period():
    assert Period(date(2025, 1, 1), date(2025, 12, 31)).previous() == Period(
        date(2024, 1, 1), date(2024, 12, 31)
    )
    assert Period(date(2025, 3, 1), date(2025, 5, 31)).previous() == Period(
        date(2024, 12, 1), date(2025, 2, 28)
    )
    assert Period(date(2025, 1, 11), date(2025, 1, 20)).previous() == Period(
        date(2025, 1, 1), date(2025, 1, 10)
    )
    with pytest.raises(ValueError, match="ends"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_months_trailing_and_weeks():
    assert Period(date(2024, 12, 15), date(2025, 2, 1)).months() == [
        date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)
    ]  # fmt: skip
    assert trailing_months(date(2025, 3, 15), 3) == Period(date(2025, 1, 1), date(2025, 3, 31))
    assert week_start(date(2026, 1, 1)) == date(2025, 12, 29)  # a Thursday -> Monday
    assert week_start(date(2025, 3, 9)) == date(2025, 3, 3)  # a Sunday


def test_split_whole_months():
    whole, edges = split_whole_months(Period(date(2025, 1, 15), date(2025, 6, 20)))
    assert whole == Period(date(2025, 2, 1), date(2025, 5, 31))
    assert edges == [
        Period(date(2025, 1, 15), date(2025, 1, 31)),
        Period(date(2025, 6, 1), date(2025, 6, 20)),
    ]
    assert split_whole_months(Period(date(2025, 1, 15), date(2025, 2, 10))) == (
        None, [Period(date(2025, 1, 15), date(2025, 2, 10))]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.2912, "ratio", "29.1%"),
        (89.8, "days", "90 days"),
        (46_663.4, "money", "$46.7k"),
        (1_234_567, "money", "$1.23M"),
        (-950, "money", "-$950"),
        (7.39, "x", "7.4×"),
        (8.1, "months", "8.1 mo"),
        (None, "money", "—"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_format_change():
    assert format_change(-0.001, "ratio") == "-0.1 pp"
    assert format_change(4.2, "days") == "+4 days"
    assert format_change(None, "days") is None
