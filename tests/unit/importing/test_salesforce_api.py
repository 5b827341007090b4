"""Salesforce exports with API field names, written as Data Loader / `sf data query` write them.

Every file here has a UTF-8 BOM, every field quoted, CRLF line ends and ISO date-times with
`+0000`, as the tools write them.
"""

from __future__ import annotations

import csv
import io

import pytest

from salesops.importing.detection import detect_layout
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import CsvInput, ImportRejected
from tests.unit.importing.conftest import only_file, rejection

OPP_HEADER = [
    "Id",
    "Name",
    "AccountId",
    "Account.Name",
    "StageName",
    "Amount",
    "CloseDate",
    "CreatedDate",
    "IsClosed",
    "IsWon",
    "Owner.Name",
    "ForecastCategoryName",
    "Type",
    "LeadSource",
]
OPP_ROWS = [
    [
        "0065g00000AAAAAAA1",
        "Acme renewal",
        "0015g00000ACMEAAA1",
        "Acme, Inc.",
        "Closed Won",
        "12500.00",
        "2024-03-01",
        "2024-01-05T10:00:00.000+0000",
        "true",
        "true",
        "Ann Lee",
        "Closed",
        "Existing Business",
        "Web",
    ],
    [
        "0065g00000AAAAAAA2",
        "Beta pilot",
        "0015g00000BETAAAA1",
        "Beta GmbH",
        "Discovery Call",  # the org's own stage: IsClosed/IsWon say it is open
        "4000",
        "2024-06-30",
        "2024-02-10T23:30:00.000-0500",
        "false",
        "false",
        "Bob Ray",
        "Best Case",
        "New Business",
        "Partner",
    ],
    [
        "0065g00000AAAAAAA3",
        "Gamma lost",
        "0015g00000ACMEAAA1",
        "Acme, Inc.",
        "Closed - No Budget",  # a custom closed stage
        "900",
        "2024-04-15",
        "2024-01-20T08:00:00.000+0000",
        "true",
        "false",
        "Ann Lee",
        "Omitted",
        "",
        "",
    ],
]


def salesforce_csv(header: list[str], rows: list[list[str]], name: str = "export.csv") -> CsvInput:
    """Returns a file as Salesforce's tools write it: BOM, every field quoted, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvInput(name, buffer.getvalue().encode("utf-8-sig"))


def test_api_opportunity_export_is_read_as_opportunities_and_says_why():
    file = only_file(validate_files([salesforce_csv(OPP_HEADER, OPP_ROWS)], "salesforce"))
    assert file.ok, file.errors
    assert (file.entity, file.layout) == ("opportunities", "salesforce-api-opportunities")
    assert file.rows_valid == 3
    assert file.detected["encoding"] == "UTF-8 with BOM"
    assert "knows 14 of 14 columns" in file.detected["why"]
    # the accounts layout also has Id and Name: the reason names how poorly it fits
    assert "Salesforce Account (API field names) knows 5 of 14 columns" in file.detected["why"]
    preview = file.preview.set_index("external_id")
    assert preview["outcome"].to_dict() == {
        "0065g00000AAAAAAA1": "won",
        "0065g00000AAAAAAA2": "open",
        "0065g00000AAAAAAA3": "lost",
    }
    assert preview.loc["0065g00000AAAAAAA2", "forecast_category"] == "best_case"
    # 23:30 at -05:00 is the next day in UTC
    assert str(preview.loc["0065g00000AAAAAAA2", "created_at"].date()) == "2024-02-11"
    # a closed deal closes on its CloseDate; an open one has no close date
    assert str(preview.loc["0065g00000AAAAAAA3", "closed_at"].date()) == "2024-04-15"
    assert preview["closed_at"].isna().sum() == 1


def test_broken_api_export_with_an_impossible_date_is_a_row_error_not_accounts():
    rows = [list(r) for r in OPP_ROWS]
    rows[1][6] = "2024-02-30"
    file = only_file(validate_files([salesforce_csv(OPP_HEADER, rows)], "salesforce"))
    assert file.entity == "opportunities"
    assert not file.ok
    [error] = file.errors
    assert (error.row, error.column, error.value) == (3, "CloseDate", "2024-02-30")


def test_won_but_not_closed_is_a_row_error():
    rows = [list(r) for r in OPP_ROWS]
    rows[1][9] = "true"  # IsWon true, IsClosed false
    file = only_file(validate_files([salesforce_csv(OPP_HEADER, rows)], "salesforce"))
    [error] = file.errors
    assert (error.row, error.column) == (3, "IsWon")
    assert "closed deal" in error.expected


def test_a_flag_that_is_not_true_or_false_is_a_row_error():
    rows = [list(r) for r in OPP_ROWS]
    rows[0][8] = "maybe"
    file = only_file(validate_files([salesforce_csv(OPP_HEADER, rows)], "salesforce"))
    [error] = file.errors
    assert (error.row, error.column, error.value, error.expected) == (
        2,
        "IsClosed",
        "maybe",
        "true or false",
    )


def test_api_account_lead_and_user_exports_are_their_entities():
    accounts = salesforce_csv(
        ["Id", "Name", "Type", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingCountry"],
        [["0015g00000ACMEAAA1", "Acme, Inc.", "Customer", "Retail", "120", "5000000", "US"]],
        "Account.csv",
    )
    leads = salesforce_csv(
        ["Id", "CreatedDate", "LeadSource", "Status", "IsConverted", "ConvertedDate", "Company"],
        [["00Q5g00000LEADAA1", "2024-01-02T09:00:00.000+0000", "Web", "Open", "false", "", "X"]],
        "Lead.csv",
    )
    users = salesforce_csv(
        ["Id", "Name", "Email", "Manager.Name", "IsActive"],
        [
            ["0055g00000ANNAAA1", "Ann Lee", "ann@example.com", "Max Boss", "true"],
            ["0055g00000OLDAAA1", "Old Timer", "old@example.com", "Max Boss", "false"],
        ],
        "User.csv",
    )
    report = validate_files([accounts, leads, users], "salesforce")
    assert report.ok, report.first_error()
    layouts = {f.file: f.layout for f in report.files}
    assert layouts == {
        "Account.csv": "salesforce-api-accounts",
        "Lead.csv": "salesforce-api-leads",
        "User.csv": "salesforce-api-users",
    }
    reps = next(f for f in report.files if f.file == "User.csv").preview.set_index("name")
    assert pd_isna(reps.loc["Ann Lee", "end_date"])
    assert not pd_isna(reps.loc["Old Timer", "end_date"])  # left by the as-of date


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_a_file_most_of_whose_columns_are_unknown_is_rejected_with_the_list():
    header = ["Id", "Name", "Colour", "Flavour", "Mood", "Planet", "Song"]
    inp = salesforce_csv(header, [["1", "a", "red", "sweet", "calm", "Mars", "x"]])
    message = rejection(validate_files([inp], "salesforce"))
    assert "most columns are unknown to every salesforce layout" in message
    assert "knows 2 of 7 columns" in message
    assert "colour, flavour, mood, planet, song" in message
    assert "Choose the file layout yourself" in message


def test_the_user_overrides_detection_by_naming_the_layout():
    header = ["Id", "Name", "Colour", "Flavour", "Mood", "Planet", "Song"]
    inp = salesforce_csv(header, [["1", "a", "red", "sweet", "calm", "Mars", "x"]])
    file = only_file(validate_files([inp], "salesforce-api-accounts"))
    assert file.ok
    assert file.detected["why"] == "chosen by you; it knows 2 of 7 columns"
    assert file.unknown_columns == ["Colour", "Flavour", "Mood", "Planet", "Song"]


def test_a_file_of_another_source_is_rejected_with_a_suggestion():
    hubspot = salesforce_csv(
        ["Record ID", "Deal Name", "Deal Stage", "Amount", "Create Date", "Close Date"],
        [["101", "Brava", "Closed Won", "10", "2024-01-02", "2024-02-03"]],
    )
    message = rejection(validate_files([hubspot], "salesforce"))
    assert "missing required column(s)" in message
    assert "It looks like a HubSpot deals export" in message
    assert "choose source 'hubspot'" in message


def test_report_label_exports_still_detect_as_before():
    for columns, key in [
        (("opportunity id", "stage", "created date", "close date"), "salesforce-opportunities"),
        (("account id", "account name", "industry"), "salesforce-accounts"),
    ]:
        assert detect_layout("salesforce", columns).layout.key == key


def test_unknown_source_is_still_one_sentence():
    with pytest.raises(ImportRejected, match="Unknown source"):
        detect_layout("zoho", ("id",))
