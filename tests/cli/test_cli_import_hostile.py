"""Issue 20's import cases at the command line: one sentence on stderr, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.db.engine import make_engine
from salesops.importing.known import table_counts

runner = CliRunner()
HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501
GOOD = "006A,Alpha,Acme,Ann,01/25/2024,02/13/2024,Closed Won,1000"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def csv_file(tmp_path: Path, *rows: str, name: str = "opps.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def last_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr.strip().splitlines()[-1]


def test_case_11_placeholder_date_9999_names_the_row(db, tmp_path):
    path = csv_file(tmp_path, GOOD, "006B,Beta,Acme,Ann,01/05/2024,12/31/9999,Prospecting,1")
    result = runner.invoke(app, ["import", "salesforce", str(path), "--url", db])
    assert last_error(result) == (
        'Error: Nothing imported: opps.csv row 3, Close Date: "12/31/9999" — expected a date '
        "between 1678 and 2261 (a placeholder such as 12/31/9999 is not a date: leave the cell "
        "empty)"
    )
    assert table_counts(make_engine(db))["opportunities"] == 0


def test_case_12_unclosed_quote_names_the_file_and_the_row(db, tmp_path):
    path = csv_file(tmp_path, GOOD, '006B,"Beta,Acme,Ann,01/05/2024,02/01/2024,Closed Won,1', GOOD)
    result = runner.invoke(app, ["import", "salesforce", str(path), "--url", db, "--dry-run"])
    assert last_error(result).startswith(
        "Error: Dry run, nothing written: opps.csv row 3: a quote opened in this row is never "
        "closed"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entity: [leads\n", "Error: Mapping file map.yaml is not valid YAML (line 2, column 1)"),
        (
            "!!python/object/apply:os.system ['true']\n",
            "Error: Mapping file map.yaml uses a YAML tag on line 1",
        ),
        (
            "entity: leads\ncolumns: {external_id: id, created_at: c}\nrequired: 5\n",
            "Error: Mapping file map.yaml: 'required' must be a list of target fields, not 5.",
        ),
        (
            "a: &a [x, x]\nb: [*a, *a]\n",
            "Error: Mapping file map.yaml uses a YAML alias (*a) on line 2",
        ),
    ],
    ids=["bad_yaml", "python_tag", "required_5", "alias"],
)
def test_case_13_broken_mapping_files_are_one_sentence(db, tmp_path, text, expected):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text)
    path = csv_file(tmp_path, GOOD)
    result = runner.invoke(
        app, ["import", "generic", str(path), "--mapping", str(mapping), "--url", db]
    )
    assert last_error(result).startswith(expected)


def test_case_16_a_two_character_delimiter_is_one_sentence(db, tmp_path):
    path = csv_file(tmp_path, GOOD)
    result = runner.invoke(
        app, ["import", "salesforce", str(path), "--url", db, "--delimiter", ";;"]
    )
    assert last_error(result) == (
        "Error: Delimiter ';;' is not one character: use , ; tab or | (or leave it out to "
        "detect it)."
    )


def test_short_row_fails_the_import_naming_the_row(db, tmp_path):
    path = csv_file(tmp_path, GOOD, "006B,Beta,Acme")
    result = runner.invoke(app, ["import", "salesforce", str(path), "--url", db])
    assert last_error(result) == (
        'Error: Nothing imported: opps.csv row 3: "006B,Beta,Acme" — expected 8 fields like '
        "the header, not 3 (a missing or extra comma, or a value that needs quotes)"
    )
    assert table_counts(make_engine(db))["opportunities"] == 0


def test_a_file_given_where_the_source_belongs_is_named(db, tmp_path):
    path = csv_file(tmp_path, GOOD)
    result = runner.invoke(app, ["import", str(path), str(path), "--url", db])
    assert last_error(result) == (
        f"Error: '{path}' is a file, but the first argument is the source: salesops import "
        f"SOURCE FILE... (for example: salesops import salesforce {path})."
    )
    assert not (tmp_path / "cli.db").exists()
