"""Parsing once per distinct value gives what parsing every value gives (dates, amounts, stages).

A million-row import reads each distinct date or amount text once; these tests hold the
results equal to the row-by-row reading the rules are written in, on columns mixing
repeats, blanks, bad values and (for amounts) plain and formatted numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.importing import amounts, dates
from salesops.importing.amounts import NumberEvidence, parse_amounts
from salesops.importing.dates import DateEvidence, parse_dates_checked, parse_timestamps
from salesops.importing.uniques import per_distinct

DATES = ["01/02/2024", "12/31/9999", "", "13/45/2024", "01/02/2024 10:00", None, "03/04/2025"]
AMOUNTS = ["1234", "1234.50", "$1,234.50", "(1,234)", "-5", "", None, "12abc", "1 000", "EUR 3"]


def repeated(values: list[str | None], times: int = 40) -> pd.Series:
    """Returns the values shuffled into a long column (each repeated), indexed from row 2."""
    column = np.array(values * times, dtype=object)
    np.random.default_rng(3).shuffle(column)
    return pd.Series(column, index=range(2, 2 + len(column)), dtype="str")


def test_per_distinct_spreads_results_back_by_index_and_keeps_dtypes():
    values = pd.Series(["b", "a", "b", None, "b", "a"] * 3, index=range(10, 28), dtype="str")
    upper, missing = per_distinct(values, lambda v: (v.str.upper(), v.isna()))
    assert upper.index.equals(values.index) and missing.dtype == bool
    assert upper.tolist() == values.str.upper().tolist()
    assert missing.tolist() == values.isna().tolist()


def test_dates_parsed_once_per_distinct_text_equal_row_by_row():
    values = repeated(DATES).fillna("")
    parsed, too_far = parse_dates_checked(values, "%m/%d/%Y")
    each, each_far = dates._parse_dates_checked(values, "%m/%d/%Y")
    pd.testing.assert_series_equal(parsed, each)
    pd.testing.assert_series_equal(too_far, each_far)
    assert too_far.any() and parsed.isna().any() and parsed.notna().any()
    stamps = parse_timestamps(values, "%m/%d/%Y")
    pd.testing.assert_series_equal(stamps, dates._parse_timestamps(values, "%m/%d/%Y"))


def test_amounts_plain_and_formatted_equal_the_full_rules():
    for decimal in (".", ","):
        values = repeated(AMOUNTS)
        amount, bad, currency = parse_amounts(values, decimal)
        full_amount, full_bad, full_currency = amounts._parse_amounts(values, decimal)
        pd.testing.assert_series_equal(amount, full_amount, check_names=False)
        assert bad.tolist() == full_bad.fillna(False).tolist()
        assert currency.isna().tolist() == full_currency.isna().tolist()
        assert currency.dropna().tolist() == full_currency.dropna().tolist()
    assert bad.any() and currency.notna().any()


def test_number_evidence_counts_every_occurrence_of_a_value():
    evidence = NumberEvidence()
    evidence.add(pd.Series(["1.234,50"] * 7 + ["12,5"] * 2 + ["1.5"] * 3 + ["100"] * 50))
    assert (evidence.comma_decimal, evidence.dot_decimal) == (9, 3)


def test_date_evidence_counts_every_occurrence_of_a_value():
    evidence = DateEvidence(("%m/%d/%Y", "%d/%m/%Y"))
    evidence.add(pd.Series(["01/13/2024"] * 5 + ["01/02/2024"] * 4))
    assert evidence.parsed == {"%m/%d/%Y": 9, "%d/%m/%Y": 4}
    assert evidence.choose() == ("%m/%d/%Y", None)
