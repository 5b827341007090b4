"""The one parser of user-typed numbers (issue 20 cases 10 and 16)."""

from __future__ import annotations

import pytest

from salesops.numbers import AMOUNT, FRACTION, MONEY_LIMIT, NumberRange, parse_id
from salesops.pipeline_review.scope import resolve_scope


@pytest.mark.parametrize(
    "text", ["²", "١٢", "1²", "9" * 5000, "9" * 19, "-1", "1.0", "", " ", None]
)
def test_case_10_superscripts_and_5000_digit_values_are_not_ids(text):
    assert parse_id(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("7", 7), (" 42 ", 42), ("9" * 18, 10**18 - 1)]
)
def test_case_10_ascii_digits_are_ids(text, value):
    assert parse_id(text) == value


def test_case_10_review_scope_refuses_a_superscript_id_with_one_sentence():
    import pandas as pd

    reps = pd.DataFrame({"id": [1], "name": ["A"], "territory_id": [1], "manager": ["M"]})
    territories = pd.DataFrame({"id": [1], "name": ["North"]})
    with pytest.raises(ValueError, match="There is no territory with id '²'"):
        resolve_scope("territory", "²", reps, territories)
    assert resolve_scope("territory", "1", reps, territories).value == 1


@pytest.mark.parametrize(
    "text", ["1e300", "inf", "-inf", "nan", "-5", "0", "abc", str(MONEY_LIMIT * 10)]
)
def test_case_16_an_amount_refuses_overflow_infinity_nan_and_negatives(text):
    expected = r"is out of range: use an amount above 0 and at most 100,000,000,000,000\."
    with pytest.raises(ValueError, match=expected):
        AMOUNT.parse(text)


def test_case_16_in_range_numbers_pass_and_bounds_are_stated():
    assert AMOUNT.parse("90000000") == 90_000_000
    assert FRACTION.parse("0") == 0 and FRACTION.parse("1") == 1
    with pytest.raises(ValueError, match="use a fraction at least 0 and at most 1"):
        FRACTION.parse("1.5")
    assert NumberRange("a number").parse("-3.5") == -3.5
    with pytest.raises(ValueError):
        NumberRange("a number").parse("inf")
