"""Reading, mapping and validating CSV exports (pure: no database touched here)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from salesops.importers import (
    CsvInput,
    ImportRejected,
    ReadSettings,
    ValidationContext,
    layout_from_mapping,
    validate_files,
)
from salesops.importing.layouts import choose_layout
from salesops.importing.reading import (
    detect_encoding,
    inspect_format,
    normalise_header,
    read_chunks,
    sniff_delimiter,
)
from salesops.importing.validation import parse_amounts, parse_dates

SF_HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501


def csv_input(text: str, name: str = "deals.csv", encoding: str = "utf-8") -> CsvInput:
    return CsvInput(name=name, data=text.encode(encoding))


def sf(*rows: str, header: str = SF_HEADER) -> CsvInput:
    return csv_input("\n".join([header, *rows]) + "\n")


def only_file(report):
    assert len(report.files) == 1
    return report.files[0]


def rejection(report) -> str:
    file = only_file(report)
    assert not file.ok
    assert file.issues[0].row is None
    return file.issues[0].expected


# ----------------------------------------------------------------------------- reading


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


def test_missing_required_column_lists_missing_and_unknown_columns():
    inp = csv_input("Opportunity ID,Stage,Mystery\n006A,Closed Won,x\n")
    message = rejection(validate_files([inp], "salesforce-opportunities"))
    assert "created_at (as 'Created Date' or 'Create Date')" in message
    assert "expected_close_date (as 'Close Date')" in message
    assert "Unknown columns: mystery" in message


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


def test_ragged_row_reports_the_line_number():
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100,extra",
    )
    message = rejection(validate_files([inp], "salesforce"))
    assert message.startswith("deals.csv line 3: expected 8 fields, saw 9")


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


# ----------------------------------------------------------------------------- dates


def test_parse_dates_handles_iso_with_timezone_as_utc_date():
    values = pd.Series(["2024-03-31T23:30:00-02:00", "2024-03-31", "2024-03-31 10:00:00"])
    parsed = parse_dates(values, "%Y-%m-%d")
    # 23:30 at UTC-2 is 01:30 UTC on April 1st
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-01", "2024-03-31", "2024-03-31"]


def test_ambiguous_day_month_dates_make_the_user_choose():
    inp = sf(
        "006A,Deal,Acme,Ann,03/04/2025,05/06/2025,Closed Won,100",
        "006B,Deal,Acme,Ann,01/02/2025,02/03/2025,Closed Lost,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert not file.ok
    problem = file.errors[0]
    assert problem.row is None
    assert "read both as day/month and month/day: choose the date format" in problem.expected
    assert file.rows_valid == 0
    chosen = only_file(
        validate_files([inp], "salesforce", settings=ReadSettings(date_format="%d/%m/%Y"))
    )
    assert chosen.ok
    assert chosen.preview["created_at"].iloc[0] == pd.Timestamp("2025-04-03")


def test_unambiguous_day_first_evidence_decides_the_whole_file():
    inp = sf(
        "006A,Deal,Acme,Ann,03/04/2025,13/04/2025,Closed Won,100",
        "006B,Deal,Acme,Ann,01/02/2025,02/03/2025,Closed Lost,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert file.ok, file.issues
    assert file.detected["date_format"] == "day/month/year"
    assert file.preview["created_at"].tolist() == [
        pd.Timestamp("2025-04-03"),
        pd.Timestamp("2025-02-01"),
    ]


def test_unparseable_dates_are_row_errors_with_row_column_value():
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Deal,Acme,Ann,yesterday,2024-02-01,Closed Won,100",
        "006C,Deal,Acme,Ann,2024-01-05,2024-13-45,Closed Won,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    found = {(i.row, i.column, i.value) for i in file.errors}
    assert ("3", "Created Date", "yesterday") in {(str(r), c, v) for r, c, v in found}
    assert (4, "Close Date", "2024-13-45") in found
    assert file.rows_read == 3 and file.rows_valid == 1
    assert all(i.expected == "a date in ISO (YYYY-MM-DD) format" for i in file.errors)


def test_mixed_date_formats_give_row_errors_for_the_minority():
    inp = sf(
        "006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Deal,Acme,Ann,2024-01-06,2024-02-02,Closed Won,100",
        "006C,Deal,Acme,Ann,07/01/2024,2024-02-03,Closed Won,100",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert [(i.row, i.value) for i in file.errors] == [(4, "07/01/2024")]


# ----------------------------------------------------------------------------- amounts


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


# ----------------------------------------------------------------------------- rows


def test_salesforce_close_date_is_expected_close_and_actual_close_when_closed():
    inp = sf(
        "006A,Big,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Open,Acme,Ann,2024-01-05,2024-06-30,Negotiation/Review,200",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert file.ok
    frame = file.preview.set_index("external_id")
    assert frame.loc["006A", "outcome"] == "won"
    assert frame.loc["006A", "closed_at"] == pd.Timestamp("2024-02-01")
    assert frame.loc["006B", "outcome"] == "open"
    assert pd.isna(frame.loc["006B", "closed_at"])
    assert frame.loc["006B", "probability"] == 0.9


def test_every_row_error_is_collected_in_one_pass():
    inp = sf(
        "006A,Deal,Acme,Ann,,2024-02-01,Closed Won,100",  # missing created
        "006B,Deal,Acme,Ann,2024-03-01,2024-02-01,Closed Won,100",  # close before create
        "006C,Deal,Acme,Ann,2024-01-01,2024-02-01,Warp Speed,100",  # unknown stage
        "006C,Deal,Acme,Ann,2024-01-01,2024-02-01,Closed Won,-3",  # duplicate id + negative
        ",Deal,Acme,Ann,2024-01-01,2024-02-01,Closed Won,3",  # missing id
        "006F,Deal,Acme,Ann,2024-01-01,2024-02-01,Closed Won,3",  # fine
    )
    file = only_file(validate_files([inp], "salesforce"))
    problems = {(i.row, i.column) for i in file.errors}
    assert problems == {
        (2, "Created Date"),
        (3, "Close Date"),
        (4, "Stage"),
        (5, "Opportunity ID"),
        (5, "Amount"),
        (6, "Opportunity ID"),
    }
    assert file.rows_valid == 1
    by_row = {i.row: i for i in file.errors if i.column != "Amount"}
    assert by_row[3].expected == "a close date on or after the created date 2024-03-01"
    assert by_row[4].value == "Warp Speed" and by_row[4].expected.startswith("a known stage (")
    assert by_row[5].expected == "a unique id (row 4 has the same id)"


def test_duplicate_ids_last_row_wins_when_chosen():
    inp = sf(
        "006A,First,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",
        "006A,Second,Acme,Ann,2024-01-01,2024-02-01,Closed Won,200",
    )
    file = only_file(
        validate_files([inp], "salesforce", context=ValidationContext(duplicates="last"))
    )
    assert file.ok
    assert [(w.row, w.severity) for w in file.warnings] == [(2, "warning")]
    assert file.preview["name"].tolist() == ["Second"]
    assert file.rows_valid == 1


def test_layout_is_chosen_from_headers_within_a_source():
    layout = choose_layout("salesforce", ("lead id", "created date", "lead source"))
    assert layout.key == "salesforce-leads"
    layout = choose_layout("hubspot", ("record id", "deal stage", "create date", "amount"))
    assert layout.key == "hubspot-deals"


def test_unknown_source_is_rejected_with_the_known_ones():
    with pytest.raises(ImportRejected, match="Unknown source 'zoho': use one of salesforce"):
        choose_layout("zoho", ("a",))


def test_hubspot_internal_stage_ids_and_datetimes():
    text = (
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner\n"
        "101,A,closedwon,500,2024-01-02 10:00,2024-02-03 11:00,Ann\n"
        "102,B,Contract Sent,700,2024-01-05 09:00,2024-04-30 00:00,Bob\n"
    )
    file = only_file(validate_files([csv_input(text)], "hubspot"))
    assert file.ok, file.issues
    assert file.layout == "hubspot-deals"
    assert file.preview["outcome"].tolist() == ["won", "open"]
    assert file.preview["stage"].tolist() == ["Closed Won", "Contract Sent"]


def test_generic_mapping_file_yaml(tmp_path):
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        "entity: opportunities\n"
        "source: pipedrive\n"
        "columns:\n"
        "  external_id: Deal ID\n"
        "  created_at: Added\n"
        "  closed_at: Closed\n"
        "  stage: Phase\n"
        "  amount: Value\n"
        "date_format: '%d.%m.%Y'\n"
        "stages:\n"
        "  Gewonnen: {stage: Closed Won, outcome: won}\n"
        "  Verloren: {stage: Closed Lost, outcome: lost}\n"
        "  Angebot: {outcome: open, probability: 0.6}\n"
    )
    layout = layout_from_mapping(mapping)
    text = (
        "Deal ID;Added;Closed;Phase;Value\n"
        "D1;01.02.2024;15.03.2024;Gewonnen;1.500,00\n"
        "D2;05.02.2024;;Angebot;800\n"
    )
    file = only_file(validate_files([csv_input(text)], "generic", layout=layout))
    assert file.ok, file.issues
    assert file.source == "pipedrive"
    assert file.preview["stage"].tolist() == ["Closed Won", "Angebot"]
    assert file.preview["amount"].tolist() == [1500.0, 800.0]
    assert file.preview["closed_at"].iloc[0] == pd.Timestamp("2024-03-15")


def test_generic_mapping_json_with_outcome_column(tmp_path):
    mapping = tmp_path / "crm.json"
    mapping.write_text(
        json.dumps(
            {
                "entity": "opportunities",
                "columns": {
                    "external_id": "id",
                    "created_at": "created",
                    "closed_at": "closed",
                    "stage": "stage",
                    "outcome": "result",
                },
                "date_format": "%Y-%m-%d",
                "outcome_values": {"W": "won", "L": "lost", "": "open"},
            }
        )
    )
    text = (
        "id,created,closed,stage,result\n"
        "1,2024-01-01,2024-01-09,Any Stage,W\n"
        "2,2024-01-01,,Early,\n"
    )
    layout = layout_from_mapping(mapping)
    file = only_file(validate_files([csv_input(text)], "generic", layout=layout))
    assert file.ok, file.issues
    assert file.preview["outcome"].tolist() == ["won", "open"]
    assert file.preview["stage"].tolist() == ["Any Stage", "Early"]


def test_generic_mapping_rejects_unknown_targets():
    with pytest.raises(ImportRejected, match="not fields of leads"):
        layout_from_mapping({"entity": "leads", "columns": {"amount": "Value"}})


def test_olist_deals_take_their_lead_date_from_the_same_batch():
    mqls = csv_input(
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "m1,2018-01-10,p,social\nm2,2018-01-12,p,\nm3,2018-02-01,p,unknown\n",
        "olist_marketing_qualified_leads_dataset.csv",
    )
    deals = csv_input(
        "mql_id,seller_id,sdr_id,sr_id,won_date,business_segment\n"
        "m1,s1,d1,r1,2018-03-05 19:58:54,pet\n"
        "m3,s3,d1,r2,2018-01-31 10:00:00,toys\n"
        "m9,s9,d1,r2,2018-03-01 10:00:00,toys\n",
        "olist_closed_deals_dataset.csv",
    )
    report = validate_files([deals, mqls], "olist")
    leads, opportunities = report.files  # leads are validated first whatever the upload order
    assert leads.entity == "leads" and leads.ok
    assert opportunities.preview["created_at"].iloc[0] == pd.Timestamp("2018-01-10")
    assert [(i.row, i.column) for i in opportunities.errors] == [(3, "won_date"), (4, "mql_id")]


def test_ibm_layout_derives_dates_from_cycle_days_and_as_of():
    text = (
        "Opportunity Number,Supplies Subgroup,Region,Opportunity Result,Opportunity Amount USD,"
        "Total Days Identified Through Closing,Competitor Type\n"
        "1,Tires,Pacific,Won,100,10,None\n2,Tires,Midwest,Loss,0,0,Known\n"
    )
    ctx = ValidationContext(as_of=date(2024, 6, 30))
    file = only_file(validate_files([csv_input(text)], "ibm", context=ctx))
    assert file.ok, file.issues
    frame = file.preview
    assert frame["closed_at"].tolist() == [pd.Timestamp("2024-06-30")] * 2
    assert frame["created_at"].tolist() == [pd.Timestamp("2024-06-20"), pd.Timestamp("2024-06-30")]
    assert frame["rep"].tolist() == ["Pacific team", "Midwest team"]
    assert file.detected["as_of"] == "2024-06-30"


def test_maven_open_deals_without_dates_get_the_as_of_date_with_a_warning():
    text = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "A,Ann,GTX,Acme,Won,2017-01-01,2017-03-01,100\n"
        "B,Ann,GTX,,Prospecting,,,\n"
    )
    file = only_file(validate_files([csv_input(text, "sales_pipeline.csv")], "maven"))
    assert file.ok, file.issues
    assert file.detected["as_of"] == "2017-03-01"  # the latest date in the file
    assert file.preview["created_at"].iloc[1] == pd.Timestamp("2017-03-01")
    assert "1 open deals have none" in file.warnings[0].expected


def test_report_frame_and_first_error_sentence():
    inp = sf("006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Warp,100")
    report = validate_files([inp], "salesforce")
    frame = report.issues_frame()
    assert frame.columns.tolist() == ["file", "row", "column", "value", "expected", "severity"]
    assert frame.iloc[0]["row"] == 2
    assert report.first_error().startswith(
        'deals.csv row 2, Stage: "Warp" — expected a known stage'
    )
    assert report.to_dict()["files"][0]["errors"] == 1


SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.mark.parametrize(
    ("name", "source", "mapping"),
    [
        ("salesforce_opportunities.csv", "salesforce", None),
        ("hubspot_deals_eu.csv", "hubspot", None),
        ("generic_pipedrive.csv", "generic", "generic_pipedrive.yaml"),
    ],
)
def test_shipped_samples_validate_cleanly(name, source, mapping):
    layout = layout_from_mapping(SAMPLES / mapping) if mapping else None
    report = validate_files([CsvInput.from_path(SAMPLES / name)], source, layout=layout)
    assert report.ok, report.first_error()
    assert report.rows_valid == report.rows_read > 0


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
