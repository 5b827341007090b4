"""Row validation: every problem collected in one pass, ids unique."""

from __future__ import annotations

from salesops.importing.pipeline import validate_files
from salesops.importing.plan import ValidationContext
from tests.unit.importing.conftest import only_file, sf


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
