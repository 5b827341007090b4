"""Issue 20's hostile import inputs, without a database: one test per case, named after it.

Each one failed on the main of 2026-12-04 (a traceback, a silent blank or a second,
spurious problem) and gives one clear, row-level sentence now.
"""

from __future__ import annotations

import pytest

from salesops.importing.mapping import layout_from_mapping
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import ImportRejected, ReadSettings, parse_delimiter
from tests.unit.importing.conftest import only_file, rejection, sf

GOOD = "006A,Alpha,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1000"


def sentences(file) -> list[str]:
    return [i.sentence() for i in file.errors]


# -- case 3: the database's column limits, in the dry run, with row numbers


def test_case_3_column_limits_are_checked_in_the_dry_run_with_row_numbers():
    long_id = "0" * 121
    rows = [
        f"{long_id},Alpha,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1000",
        f"006B,Beta,{'A' * 201},Ann,2024-01-05,2024-02-01,Closed Won,10",
        "006C,Gamma,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100000000000000000000000000",
        GOOD.replace("006A", "006D"),
    ]
    file = only_file(validate_files([sf(*rows)], "salesforce"))
    found = {(i.row, i.column): i.expected for i in file.errors}
    assert found == {
        (2, "Opportunity ID"): "at most 120 characters (this value has 121)",
        # an account named on a deal is created with the name as its id: 120 is the limit
        (3, "Account Name"): "at most 120 characters (this value has 201)",
        (4, "Amount"): "a value below 100,000,000,000,000",
    }
    assert file.rows_valid == 1


def test_case_3_stage_names_longer_than_the_stages_table_holds_are_row_errors():
    mapping = {
        "entity": "opportunities",
        "columns": {"external_id": "id", "created_at": "created", "stage": "stage"},
        "outcome_values": {"": "open"},
        "date_format": "%Y-%m-%d",
    }
    mapping["columns"]["outcome"] = "outcome"
    inp = sf("X1,2024-01-01," + "S" * 61 + ",", header="id,created,stage,outcome")
    file = only_file(validate_files([inp], "generic", layout=layout_from_mapping(mapping)))
    assert [(i.row, i.column, i.expected) for i in file.errors] == [
        (2, "stage", "at most 60 characters (this value has 61)")
    ]


# -- case 6: YAML mapping files are size-limited and alias-free


def test_case_6_yaml_mapping_with_aliases_is_refused_before_expanding():
    # 10 levels of 9 aliases would be 9**10 strings (gigabytes) once expanded
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    raw = ("\n".join(lines) + "\nentity: leads\n").encode()
    from salesops.importing.mapping import layout_from_upload  # the Data page's entry

    with pytest.raises(ImportRejected) as caught:
        layout_from_upload(raw, "laughs.yaml")
    assert str(caught.value) == (
        "Mapping file laughs.yaml uses a YAML alias (*a0) on line 2: aliases are not allowed "
        "in mapping files, write the values out."
    )


def test_case_6_mapping_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("entity: leads\n" + "# padding\n" * 10_000)
    with pytest.raises(
        ImportRejected, match=r"^Mapping file huge.yaml is 100,014 bytes; a mapping"
    ):
        layout_from_mapping(path)


# -- case 11: dates from 2262 on (Salesforce's 12/31/9999 placeholder)


def test_case_11_placeholder_date_9999_is_a_row_error():
    rows = [
        "006A,Alpha,Acme,Ann,01/05/2024,02/01/2024,Closed Won,1000",
        "006B,Beta,Acme,Ann,01/05/2024,12/31/9999,Prospecting,10",
    ]
    file = only_file(validate_files([sf(*rows)], "salesforce"))
    assert file.detected["date_format"] == "month/day/year (US)"
    assert sentences(file) == [
        'deals.csv row 3, Close Date: "12/31/9999" — expected a date between 1678 and 2261 '
        "(a placeholder such as 12/31/9999 is not a date: leave the cell empty)",
    ]
    assert file.rows_valid == 1


def test_case_11_far_dates_in_iso_exports_are_row_errors_and_detection_still_works():
    rows = [
        "006A,Alpha,Acme,Ann,2024-01-05T10:00:00.000+0000,2262-05-01,Prospecting,1",
        "006B,Beta,Acme,Ann,2024-01-06T10:00:00.000+0000,2024-03-01,Prospecting,1",
    ]
    file = only_file(validate_files([sf(*rows)], "salesforce"))
    assert file.detected["date_format"] == "ISO (YYYY-MM-DD)"
    assert [(i.row, i.column, i.value) for i in file.errors] == [(2, "Close Date", "2262-05-01")]


# -- case 12: an unclosed quote names the file and the row it opens on


def test_case_12_unclosed_quote_names_the_file_and_the_row():
    inp = sf(GOOD, '006B,"Beta,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1000', GOOD)
    assert rejection(validate_files([inp], "salesforce")) == (
        "deals.csv row 3: a quote opened in this row is never closed, so the rest of the file "
        'would be read as one cell. Close the quote (or double it, "", inside a value) and try '
        "again."
    )


def test_case_12_unclosed_quote_in_a_large_file_names_its_row():
    # the open quote swallows megabytes, more than one parse block: the row is still named
    rows = [GOOD.replace("006A", f"0{i:06d}") for i in range(60_000)]
    rows.insert(5_000, '007X,"Broken,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1')
    report = validate_files([sf(*rows)], "salesforce", settings=ReadSettings(chunk_rows=1_000))
    assert rejection(report).startswith(
        "deals.csv row 5002: a quote opened in this row is never closed"
    )


# -- case 13: broken mapping files are one sentence


BROKEN_MAPPINGS = {
    "bad_yaml": (
        "entity: [opportunities\n",
        "Mapping file map.yaml is not valid YAML (line 2, column 1): expected ',' or ']', "
        "but got '<stream end>'.",
    ),
    "python_object_tag": (
        "!!python/object/apply:os.system ['echo hi']\n",
        "Mapping file map.yaml uses a YAML tag on line 1 (could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'): mapping files hold "
        "plain text, numbers, lists and mappings only.",
    ),
    "not_a_mapping": ("- a\n- b\n", "Mapping file map.yaml must hold a mapping"),
    "columns_wrong_type": (
        "entity: leads\ncolumns: 5\n",
        "Mapping file map.yaml: 'columns' must map target fields to source headers.",
    ),
    "required_is_a_number": (
        "entity: leads\ncolumns: {external_id: id, created_at: c}\nrequired: 5\n",
        "Mapping file map.yaml: 'required' must be a list of target fields, not 5.",
    ),
    "probability_not_a_number": (
        "entity: opportunities\ncolumns: {external_id: id, created_at: c, stage: s}\n"
        "stages: {Won: {outcome: won, probability: high}}\n",
        "Mapping file map.yaml: stage 'Won' probability must be a number from 0 to 1.",
    ),
    "date_format_a_number": (
        "entity: leads\ncolumns: {external_id: id, created_at: c}\ndate_format: 5\n",
        "Mapping file map.yaml: 'date_format' must be a strptime format",
    ),
    "column_header_a_list": (
        "entity: leads\ncolumns: {external_id: [a, b], created_at: c}\n",
        "Mapping file map.yaml: 'columns' must give one source header per target; external_id "
        "has none.",
    ),
    "bad_json": ('{"entity": ', "Mapping file map.json is not valid JSON (line 1, column 12)"),
}


@pytest.mark.parametrize("case", list(BROKEN_MAPPINGS))
def test_case_13_broken_mapping_files_are_one_sentence(tmp_path, case):
    text, expected = BROKEN_MAPPINGS[case]
    path = tmp_path / ("map.json" if case == "bad_json" else "map.yaml")
    path.write_text(text)
    with pytest.raises(ImportRejected) as caught:
        layout_from_mapping(path)
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


# -- case 16: a delimiter of more than one character


@pytest.mark.parametrize("typed", [";;", "ab", '"'])
def test_case_16_delimiter_of_more_than_one_character_is_one_sentence(typed):
    with pytest.raises(ImportRejected) as caught:
        parse_delimiter(typed)
    assert str(caught.value) == (
        f"Delimiter {typed!r} is not one character: use , ; tab or | (or leave it out to "
        "detect it)."
    )


# -- smaller: short rows, non-numeric amounts


def test_short_rows_are_row_errors_not_silent_blanks():
    file = only_file(validate_files([sf(GOOD, "006B,Beta,Acme", "")], "salesforce"))
    assert sentences(file) == [
        'deals.csv row 3: "006B,Beta,Acme" — expected 8 fields like the header, not 3 '
        "(a missing or extra comma, or a value that needs quotes)"
    ]
    assert file.rows_valid == 1


def test_a_row_ending_in_an_empty_value_is_not_a_short_row():
    row = "006B,Beta,Acme,Ann,2024-01-05,2024-02-01,Prospecting,"
    file = only_file(validate_files([sf(row)], "salesforce"))
    assert file.ok and file.rows_valid == 1


def test_non_numeric_amount_gets_one_error_not_also_a_currency_error():
    file = only_file(validate_files([sf(GOOD.replace(",1000", ",abc"))], "salesforce"))
    assert sentences(file) == [
        'deals.csv row 2, Amount: "abc" — expected a number such as 1,234.50',
    ]
    other_currency = only_file(
        validate_files([sf(GOOD.replace(",1000", ",1000 EUR"))], "salesforce")
    )
    assert [i.expected for i in other_currency.errors] == ["amounts in USD (the database currency)"]
