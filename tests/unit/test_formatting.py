"""Human formatting of figures: one money formatter, ratios, days, changes."""

from __future__ import annotations

import pytest

from salesops.formatting import format_change, format_value


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
    assert format_value(value, unit, "USD") == text


def test_format_change():
    assert format_change(-0.001, "ratio") == "-0.1 pp"
    assert format_change(4.2, "days") == "+4 days"
    assert format_change(None, "days") is None


def test_money_in_other_currencies():
    assert format_value(46_663.4, "money", "EUR") == "€46.7k"
    assert format_value(1_500, "money", "CHF") == "1,500 CHF"
    assert format_change(-25_000, "money", "GBP") == "-£25.0k"


def test_money_without_a_currency_is_a_programming_error():
    with pytest.raises(ValueError, match="currency"):
        format_value(10.0, "money")
