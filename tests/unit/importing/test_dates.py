"""Dates: one format per file, ambiguous day/month orders stop and ask."""

from __future__ import annotations

import pandas as pd

from salesops.importing.dates import parse_dates
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import ReadSettings
from tests.unit.importing.conftest import only_file, sf


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
