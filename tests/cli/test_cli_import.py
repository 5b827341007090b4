"""`salesops import` and `salesops quality` in-process: exit codes, JSON, error sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.db.engine import make_engine
from salesops.importing.known import table_counts

runner = CliRunner()
CSV = (
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    "Stage,Amount\n"
    "006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000\n"
    "006B,Beta,ACME Inc,Bob Ray,2024-01-10,2024-03-15,Closed Lost,500\n"
)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def opps(tmp_path: Path) -> Path:
    path = tmp_path / "opps.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_import_writes_and_reports_json(db, opps):
    result = runner.invoke(
        app, ["import", "salesforce", str(opps), "--url", db, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["written"] is True
    assert payload["rows_read"] == 2 and payload["rows_valid"] == 2
    assert payload["files"][0]["layout"] == "salesforce-opportunities"
    assert payload["counts"]["opps.csv"]["inserted"] == 2
    assert table_counts(make_engine(db))["opportunities"] == 2


def test_dry_run_writes_nothing(db, opps):
    result = runner.invoke(app, ["import", "salesforce", str(opps), "--url", db, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing written." in result.stdout
    assert table_counts(make_engine(db))["opportunities"] == 0


def test_second_import_says_already_imported(db, opps):
    assert runner.invoke(app, ["import", "salesforce", str(opps), "--url", db]).exit_code == 0
    again = runner.invoke(app, ["import", "salesforce", str(opps), "--url", db])
    assert again.exit_code == 0
    assert "Already imported: opps.csv on " in again.stdout
    assert table_counts(make_engine(db))["opportunities"] == 2


def test_bad_row_exits_non_zero_with_one_sentence_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("Closed Lost", "Warp Speed"), encoding="utf-8")
    result = runner.invoke(app, ["import", "salesforce", str(bad), "--url", db])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        'Error: Nothing imported: bad.csv row 3, Stage: "Warp Speed" — expected a known stage '
        "(Prospecting, Qualification, Needs Analysis, Value Proposition, Id. Decision Makers, "
        "Perception Analysis, Proposal/Price Quote, Negotiation/Review, Closed Won, Closed Lost)"
    )
    assert table_counts(make_engine(db))["opportunities"] == 0


def test_missing_file_folder_and_generic_without_mapping(db, opps):
    missing = runner.invoke(app, ["import", "salesforce", "/nope.csv", "--url", db])
    assert missing.exit_code == 1
    assert "Error: File not found: /nope.csv." in missing.stderr
    folder = runner.invoke(app, ["import", "salesforce", str(opps.parent), "--url", db])
    assert folder.exit_code == 1
    assert f"Error: Not a file but a folder: {opps.parent}. Name the CSV files in it." in (
        folder.stderr
    )
    assert not (opps.parent / "cli.db").exists()  # nothing written, not even a schema
    generic = runner.invoke(app, ["import", "generic", str(opps), "--url", db])
    assert generic.exit_code == 1
    assert "The generic source needs --mapping FILE (YAML or JSON)." in generic.stderr


def test_generic_import_with_mapping(db, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "entity": "leads",
                "source": "webform",
                "columns": {"external_id": "id", "created_at": "when", "channel": "utm"},
                "date_format": "%d.%m.%Y",
            }
        )
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("id;when;utm\n1;31.01.2024;ads\n2;01.02.2024;\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "import",
            "generic",
            str(leads),
            "--mapping",
            str(mapping),
            "--url",
            db,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert table_counts(make_engine(db))["leads"] == 2


def test_quality_json_shape(db, opps):
    assert runner.invoke(app, ["import", "salesforce", str(opps), "--url", db]).exit_code == 0
    result = runner.invoke(
        app, ["quality", "--url", db, "--format", "json", "--as-of", "2024-12-31"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2024-12-31"
    checks = {c["key"]: c for c in payload["checks"]}
    assert checks["duplicate_accounts"]["count"] == 2  # "Acme Inc." and "ACME Inc"
    assert {r["name"] for r in checks["duplicate_accounts"]["rows"]} == {"Acme Inc.", "ACME Inc"}
    assert checks["reps_without_territory"]["count"] == 2
    assert isinstance(payload["trend"], list)


def test_quality_bad_as_of_is_one_sentence(db):
    result = runner.invoke(app, ["quality", "--url", db, "--as-of", "tomorrow"])
    assert result.exit_code == 1
    assert "--as-of 'tomorrow' is not a date: expected YYYY-MM-DD." in result.stderr
