"""Reading CSV bytes: encodings, delimiters, limits, rejections, spreadsheet row numbers."""

from __future__ import annotations

import pytest

from salesops.config import Settings
from salesops.importing.parsing import read_chunks
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import (
    CsvInput,
    ImportRejected,
    ReadSettings,
    detect_encoding,
    inspect_format,
    normalise_header,
    parse_delimiter,
    sniff_delimiter,
)
from tests.unit.importing.conftest import SF_HEADER, csv_input, only_file, rejection, sf


def test_normalise_header_strips_bom_case_and_separators():
    assert normalise_header("\ufeff  Opportunity  ID ") == "opportunity id"
    assert normalise_header("close_date") == "close date"
    assert normalise_header("Deal-Stage") == "deal stage"


def test_utf8_bom_is_detected_and_stripped_from_first_header():
    inp = CsvInput("bom.csv", "\ufeffa,b\n1,2\n".encode())
    fmt = inspect_format(inp, ReadSettings())
    assert fmt.encoding == "utf-8-sig"
    assert fmt.encoding_note == "UTF-8 with BOM"
    assert fmt.columns == ("a", "b")


def test_cp1252_with_accents_is_detected_and_decoded():
    inp = csv_input(
        "Account ID,Account Name\nA1,José Müller Café\nA2,Señor Niño\n", "a.csv", "cp1252"
    )
    report = validate_files([inp], "salesforce-accounts")
    file = only_file(report)
    assert file.ok
    assert file.detected["encoding"].startswith("cp1252")
    assert list(file.preview["name"]) == ["José Müller Café", "Señor Niño"]


def test_wrong_encoding_forced_is_rejected_with_the_byte_and_a_suggestion():
    inp = csv_input("Account ID,Account Name\nA1,Café\n", "a.csv", "cp1252")
    with pytest.raises(ImportRejected) as caught:
        detect_encoding(inp, forced="utf-8")
    message = str(caught.value)
    assert "a.csv is not valid utf-8 (byte 0xe9" in message
    assert "cp1252" in message


def test_utf16_with_bom_is_read():
    inp = CsvInput("u16.csv", "Account ID\tAccount Name\nA1\tZoë\n".encode("utf-16"))
    file = only_file(validate_files([inp], "salesforce-accounts"))
    assert file.ok, file.issues
    assert file.detected["delimiter"] == "tab"
    assert file.preview["name"].tolist() == ["Zoë"]


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_delimiter_is_sniffed(delimiter, name):
    sample = delimiter.join(["Account ID", "Account Name", "Industry"]) + "\n"
    sample += delimiter.join(["A1", "Acme, Inc", "Tech"]) + "\n" if delimiter != "," else ""
    sample += delimiter.join(["A2", "Beta", "Retail"]) + "\n"
    assert sniff_delimiter(sample) == delimiter
    file = only_file(validate_files([csv_input(sample)], "salesforce-accounts"))
    assert file.detected["delimiter"] == name


def test_wrong_delimiter_override_rejects_with_missing_columns_and_hint():
    inp = sf("006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100")
    message = rejection(validate_files([inp], "salesforce", settings=ReadSettings(delimiter=";")))
    assert message == (
        "deals.csv: with the semicolon delimiter the header is one single column; "
        "the file looks comma-delimited (leave the delimiter on auto)."
    )


def test_header_only_file_is_rejected():
    message = rejection(validate_files([csv_input(SF_HEADER + "\n")], "salesforce"))
    assert message == "deals.csv has a header but no data rows: nothing to import."


def test_empty_file_is_rejected():
    message = rejection(validate_files([CsvInput("e.csv", b"")], "salesforce"))
    assert message == "e.csv is empty."


def test_binary_file_with_nul_bytes_is_rejected():
    message = rejection(
        validate_files([CsvInput("x.csv", b"\x00\x01\x02garbage\x00")], "salesforce")
    )
    assert message == "x.csv is a binary file (it contains NUL bytes), not a CSV text file."


def test_xlsx_is_rejected_by_name_and_by_magic_bytes():
    by_magic = rejection(validate_files([CsvInput("deals.csv", b"PK\x03\x04rest")], "salesforce"))
    assert "is an Excel workbook" in by_magic
    by_name = rejection(validate_files([CsvInput("deals.xlsx", b"a,b\n1,2\n")], "salesforce"))
    assert by_name.startswith("deals.xlsx is an Excel workbook, not a CSV")


def test_size_cap_is_checked_before_parsing():
    inp = sf("006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100")
    message = rejection(validate_files([inp], "salesforce", settings=ReadSettings(max_bytes=50)))
    assert "the upload limit is 0 MB" in message or "upload limit" in message
    assert message.startswith("deals.csv is 0.0 MB")


def test_row_cap_rejects_with_the_limit():
    rows = [f"006{i},Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100" for i in range(5)]
    report = validate_files(
        [sf(*rows)], "salesforce", settings=ReadSettings(max_rows=3, chunk_rows=2)
    )
    assert "has more than 3 rows, the row limit" in rejection(report)


def test_ragged_row_is_a_row_error_with_its_number_and_text():
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100,extra",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert [i.sentence() for i in file.errors] == [
        'deals.csv row 3: "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100,extra" — '
        "expected 8 fields like the header, not 9 (a missing or extra comma, or a value that "
        "needs quotes)"
    ]
    assert file.rows_read == 2 and file.rows_valid == 1


def test_chunks_are_indexed_by_spreadsheet_row_and_report_progress():
    inp = csv_input("a,b\n" + "".join(f"{i},x\n" for i in range(7)))
    fmt = inspect_format(inp, ReadSettings())
    seen = []
    chunks = list(read_chunks(inp, fmt, ReadSettings(chunk_rows=3), lambda d, t: seen.append(d)))
    assert [len(c) for c in chunks] == [3, 3, 1]
    # header is row 1, so data rows are 2..8
    assert list(chunks[0].index) == [2, 3, 4] and list(chunks[2].index) == [8]
    assert seen[-1] == inp.size()
    # everything stays text; "None" and "007" are not inferred away
    assert chunks[0]["a"].tolist() == ["0", "1", "2"]


def test_literal_none_is_kept_as_text():
    inp = csv_input("a,b\nNone,007\n")
    fmt = inspect_format(inp, ReadSettings())
    chunk = next(read_chunks(inp, fmt, ReadSettings()))
    assert chunk.loc[2, "a"] == "None" and chunk.loc[2, "b"] == "007"


def test_row_numbers_follow_records_when_a_cell_spans_lines():
    inp = sf(
        '006A,"Deal with\na newline",Acme,Ann,2024-01-05,2024-02-01,Closed Won,100',
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Warp Speed,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    # the second record is spreadsheet row 3 even though it starts on text line 4
    assert [(i.row, i.column) for i in file.errors] == [(3, "Stage")]


def test_blank_lines_keep_spreadsheet_row_numbers():
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "",
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Warp,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    # header row 1, 006A row 2, blank row 3, 006B row 4 (as a spreadsheet shows it)
    assert [(i.row, i.value) for i in file.errors] == [(4, "Warp")]
    assert file.rows_read == 2


def test_delimiter_names_typed_on_the_command_line():
    assert parse_delimiter("tab") == "\t"
    assert parse_delimiter("\\t") == "\t"
    assert parse_delimiter("semicolon") == ";"
    assert parse_delimiter("|") == "|"
    assert parse_delimiter(None) is None and parse_delimiter("") is None


def test_reading_limits_default_to_the_data_page_settings():
    read, defaults = ReadSettings(), Settings()
    assert read.max_bytes == defaults.import_max_bytes == 50 * 1024 * 1024
    assert read.max_rows == defaults.import_max_rows == 500_000
    assert read.chunk_rows == defaults.import_chunk_rows == 50_000
    assert defaults.import_cli_max_rows == 5_000_000  # the command line takes larger files
