"""`salesops import --undo BATCH` in-process: the rollback, its JSON, the refusal sentences."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from salesops.access import audit
from salesops.cli import app
from salesops.db.engine import make_engine
from salesops.importing.known import table_counts
from tests.cli.test_cli_import import db, opps  # noqa: F401 - shared fixtures

runner = CliRunner()


def test_undo_rolls_back_the_batch_the_import_named(db, opps):  # noqa: F811
    imported = runner.invoke(
        app, ["import", "salesforce", str(opps), "--url", db, "--format", "json"]
    )
    assert imported.exit_code == 0, imported.output
    batch = json.loads(imported.stdout)["batch"]
    assert f"--undo {batch}" in json.loads(imported.stdout)["message"]
    result = runner.invoke(app, ["import", "--undo", str(batch), "--url", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["batch"] == batch and payload["deleted"] > 0
    engine = make_engine(db)
    assert table_counts(engine)["opportunities"] == 0
    entry = audit.recent(engine, 1).iloc[0]
    assert entry["action"] == audit.UNDID and entry["actor"].startswith("cli")


def test_undo_of_an_unknown_or_undone_batch_is_one_sentence(db, opps):  # noqa: F811
    runner.invoke(app, ["import", "salesforce", str(opps), "--url", db])
    missing = runner.invoke(app, ["import", "--undo", "42", "--url", db])
    assert missing.exit_code == 1
    assert "There is no import batch 42." in missing.output
    assert runner.invoke(app, ["import", "--undo", "1", "--url", db]).exit_code == 0
    again = runner.invoke(app, ["import", "--undo", "1", "--url", db])
    assert again.exit_code == 1 and "Batch 1 was already undone" in again.output


def test_import_without_files_or_undo_says_what_it_needs(db):  # noqa: F811
    result = runner.invoke(app, ["import", "--url", db])
    assert result.exit_code != 0
    assert "Give a SOURCE and one or more FILEs, or --undo BATCH." in result.output
