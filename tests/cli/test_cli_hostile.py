"""Issue 20's hostile cases on the command line (imports are in test_cli_import_hostile.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()


@pytest.mark.parametrize("value", ["1e300", "inf", "-5", "nan", "1e15"])
def test_case_16_plan_target_overflow_infinity_and_negative_are_refused(value, empty_url):
    result = runner.invoke(app, ["plan", "--target", value, "--url", empty_url])
    assert result.exit_code == 2
    assert "Invalid value for '--target'" in result.output
    assert f"'{value}' is out of range: use an amount above 0" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["territory", "--over", "inf"], "--over"),
        (["territory", "--max-share", "nan"], "--max-share"),
        (["review", "--big-change", "nan"], "--big-change"),
        (["time", "--shift", "nan"], "--shift"),
        (["time", "--ops-cost", "inf"], "--ops-cost"),
        (["plan", "--attainment-target", "-0.5"], "--attainment-target"),
    ],
)
def test_case_16_every_numeric_option_uses_the_one_number_type(args, option, empty_url):
    result = runner.invoke(app, [*args, "--url", empty_url])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert "is out of range" in result.output


@pytest.mark.parametrize("command", [["kpis"], ["review"], ["quality"], ["db", "init"]])
def test_case_5_a_password_in_the_url_query_is_not_in_cli_errors(command):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?password=s3cret&connect_timeout=2"
    result = runner.invoke(app, [*command, "--url", url])
    assert result.exit_code == 1
    assert "Can't reach the database" in result.output
    assert "s3cret" not in result.output and "password=***" in result.output


FAULTS = {
    "malformed URL": ("postgresql+psycopg://app:s3cret@db:port/x", "The database URL is malformed"),
    "missing driver": ("mysql+pymysql://app:s3cret@127.0.0.1/x", "The database driver 'pymysql'"),
    "unknown dialect": ("nosuchdb://app@127.0.0.1/x", "The database URL names an unknown"),
    "unreachable": (
        "postgresql+psycopg://postgres@127.0.0.1:1/x?connect_timeout=2",
        "Can't reach the database",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize(
    "command", [["kpis"], ["review"], ["forecast"], ["quality"], ["users", "list"], ["db", "init"]]
)
def test_case_14_database_faults_are_one_sentence_in_every_command(fault, command):
    url, sentence = FAULTS[fault]
    result = runner.invoke(app, [*command, "--url", url])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {sentence}"), result.output
    assert "Traceback" not in result.output and "s3cret" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("kind", ["not a database", "truncated", "corrupt"])
@pytest.mark.parametrize("command", [["kpis"], ["review"], ["import", "salesforce"]])
def test_case_14_damaged_sqlite_files_are_one_sentence_in_the_cli(
    demo_url, tmp_path, kind, command
):
    from tests.integration.test_db_hostile import damaged_files

    path = damaged_files(demo_url, tmp_path)[kind]
    extra = [str(csv_file(tmp_path))] if command[0] == "import" else []
    result = runner.invoke(app, [*command, *extra, "--url", f"sqlite:///{path}"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: The database file {path} is not a readable SQLite")
    assert isinstance(result.exception, SystemExit)


def csv_file(folder):
    path = folder / "opps.csv"
    path.write_text(
        "Opportunity ID,Opportunity Name,Account Name,Amount,Close Date,Stage,Created Date,"
        "Opportunity Owner\n006A,Deal,Acme,100,01/31/2025,Closed Won,01/01/2025,Ann\n"
    )
    return path


@pytest.mark.postgres
@pytest.mark.parametrize("change", [{"database": "salesops_harden_nodb"}, {"username": "nobody_h"}])
def test_case_14_missing_postgres_database_or_role_never_says_db_init(postgres_server, change):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_server).set(**change).render_as_string(hide_password=False)
    for command in (["kpis"], ["review"], ["users", "list"]):
        result = runner.invoke(app, [*command, "--url", url])
        assert result.exit_code == 1
        assert "does not exist on the server" in result.stderr, result.output
        assert "db init" not in result.stderr
