"""Amounts: decimal conventions, negatives, currencies."""

from __future__ import annotations

import pandas as pd

from salesops.importing.amounts import parse_amounts
from salesops.importing.pipeline import validate_files
from salesops.importing.plan import ValidationContext
from tests.unit.importing.conftest import SF_HEADER, csv_input, only_file, sf


def test_parse_amounts_reads_symbols_separators_and_parentheses():
    values = pd.Series(["$1,234.50", "(1,234)", "-5", "1 000", "", "12abc", "USD 10"])
    amount, bad, currency = parse_amounts(values, ".")
    assert amount.iloc[0] == 1234.5
    assert amount.iloc[1] == -1234.0  # accounting negative
    assert amount.iloc[2] == -5.0
    assert amount.iloc[3] == 1000.0
    assert pd.isna(amount.iloc[4]) and not bad.iloc[4]  # blank is missing, not bad
    assert bad.tolist() == [False, False, False, False, False, True, False]
    assert currency.iloc[0] == "USD" and currency.iloc[6] == "USD"


def test_parse_amounts_decimal_comma():
    amount, bad, _ = parse_amounts(pd.Series(["1.234,56", "12,5", "€ 3.000.000", "1,234.56"]), ",")
    assert amount.iloc[:3].tolist() == [1234.56, 12.5, 3_000_000.0]
    # "1,234.56" does not fit the decimal-comma convention: flagged, not silently 1.23456
    assert bad.tolist() == [False, False, False, True]


def test_semicolon_file_with_decimal_comma_is_detected_and_imported():
    text = (
        "Opportunity ID;Created Date;Close Date;Stage;Amount\n"
        "006A;2024-01-05;2024-02-01;Closed Won;1.234,56\n"
        "006B;2024-01-05;2024-02-01;Closed Lost;99,5\n"
    )
    file = only_file(validate_files([csv_input(text)], "salesforce"))
    assert file.ok, file.issues
    assert file.detected["delimiter"] == "semicolon"
    assert file.detected["decimal"] == ","
    assert file.preview["amount"].tolist() == [1234.56, 99.5]


def test_negative_and_non_numeric_amounts_are_row_errors():
    inp = sf(
        '006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,"(1,234)"',
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,lots",
        "006C,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,250",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert [(i.row, i.value, i.expected) for i in file.errors] == [
        (2, "(1,234)", "an amount of 0 or more (negatives are refunds)"),
        (3, "lots", "a number such as 1,234.50"),
    ]


def test_currency_mix_is_an_error_not_a_silent_sum():
    header = SF_HEADER + ",Opportunity Currency"
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100,USD",
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100,EUR",
        "006C,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,€100,USD",
        header=header,
    )
    file = only_file(validate_files([inp], "salesforce", context=ValidationContext(currency="USD")))
    assert sorted(i.row for i in file.errors) == [3, 4]
    assert any("one currency per database" in i.expected for i in file.errors)
