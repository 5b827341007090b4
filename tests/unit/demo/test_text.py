"""The demo's Arrow-built text columns equal what pandas makes of the Python-built strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.demo.text import labels, numbered


def test_labels_decode_each_code_to_its_name() -> None:
    codes = np.array([2, 0, 1, 2, 2])
    names = ("Converted", "Working", "Disqualified")
    built = pd.Series(labels(codes, names))
    pd.testing.assert_series_equal(built, pd.Series([names[c] for c in codes]))
    assert built.dtype == pd.Series(["x"]).dtype


def test_a_missing_name_is_a_missing_value() -> None:
    built = pd.Series(labels(np.array([0, 1, 0]), (None, "pipeline")))
    assert built.isna().tolist() == [True, False, True]
    assert built[1] == "pipeline"


@pytest.mark.parametrize(
    ("prefix", "numbers", "width", "suffix"),
    [
        ("L", [1, 42, 9_999_999, 12_345_678], 7, ""),  # wider than 7 digits: not cut
        ("PO-", [0, 7], 7, ""),
        ("", [5, 120, 3], 1, " Billing St"),
    ],
)
def test_numbered_equals_the_format_string(
    prefix: str, numbers: list[int], width: int, suffix: str
) -> None:
    built = pd.Series(numbered(prefix, np.array(numbers), width=width, suffix=suffix))
    expected = pd.Series([f"{prefix}{n:0{width}d}{suffix}" for n in numbers])
    pd.testing.assert_series_equal(built, expected)


def test_empty_inputs_give_empty_text() -> None:
    assert len(numbered("S", np.array([], dtype=np.int64))) == 0
    assert len(labels(np.array([], dtype=int), ("a",))) == 0
