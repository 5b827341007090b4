"""Human formatting of figures: one money formatter, ratios, days, changes."""

from __future__ import annotations

import pytest

from salesops.formatting import (
    format_cell,
    format_change,
    format_money,
    format_value,
    is_material,
)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.2912, "ratio", "29.1%"),
        (89.8, "days", "90 days"),
        (46_663.4, "money", "$46.7k"),
        (1_234_567, "money", "$1.23M"),
        (45_000_000, "money", "$45M"),
        (2_500_000_000, "money", "$2.5B"),
        (0.4, "money", "$0"),
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
    assert format_change(-25_000, "money", "GBP") == "-£25k"


def test_money_without_a_currency_is_a_programming_error():
    with pytest.raises(ValueError, match="currency"):
        format_value(10.0, "money")


def test_full_money_is_whole_units_with_separators():
    assert format_money(45_253_000.49, "USD", full=True) == "$45,253,000"
    assert format_money(-1_234.5, "EUR", full=True) == "-€1,234"
    assert format_money(53_752_500, "CHF", full=True) == "53,752,500 CHF"
    assert format_money(float("nan"), "USD") == "—"


def test_a_change_that_rounds_to_nothing_is_no_change():
    assert format_change(0.0, "money", "USD") == "no change"
    assert format_change(0.2, "money", "USD") == "no change"
    assert format_change(-0.00001, "ratio") == "no change"
    assert format_change(0.0, "days") == "no change"


def test_small_changes_are_not_material():
    assert not is_material(-0.001, 0.29, "ratio", noise_pp=0.5, noise_share=0.02)
    assert is_material(-0.006, 0.29, "ratio", noise_pp=0.5, noise_share=0.02)
    assert not is_material(1.0, 90.0, "days", noise_pp=0.5, noise_share=0.02)
    assert is_material(4.0, 90.0, "days", noise_pp=0.5, noise_share=0.02)
    assert is_material(5.0, 0.0, "money", noise_pp=0.5, noise_share=0.02)
    assert not is_material(None, 1.0, "money", noise_pp=0.5, noise_share=0.02)


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (24_849_300.0, "money", "$24,849,300"),
        (-1_500.0, "money_change", "-$1,500"),
        (1_500.0, "money_change", "+$1,500"),
        (0.211, "ratio", "21.1%"),
        (0.012, "pp", "1.2 pp"),
        (12.345, "days", "12 days"),
        ("2026-03-04 00:00:00", "date", "4 Mar 2026"),
        (True, "bool", "Yes"),
        (False, "bool", "No"),
        (None, "ratio", "—"),
        (float("nan"), "money", "—"),
        ("Acme", "text", "Acme"),
    ],
)
def test_cells(value, kind, text):
    assert format_cell(value, kind, "USD") == text
