"""Change detection of re-imported rows: a stored value equals the same value read again."""

from __future__ import annotations

import pandas as pd

from salesops.importing.records import same_values


def test_ids_read_back_as_floats_equal_the_same_integer_ids():
    # a deal's account_id column holds NULLs, so it comes back from the database as float64
    stored = pd.Series([9.0, None, 12.0], dtype="float64")
    new = pd.Series([9, None, 13], dtype="Int64")
    assert same_values(stored, new).tolist() == [True, True, False]


def test_text_floats_and_dates_compare_as_before():
    assert same_values(pd.Series(["a", None]), pd.Series(["a", "b"])).tolist() == [True, False]
    assert same_values(pd.Series([1.0, 2.0]), pd.Series([1.001, 2.5])).tolist() == [True, False]
    dates = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-03"]))
    assert same_values(pd.Series(["2024-01-02", "2024-01-04"]), dates).tolist() == [True, False]
