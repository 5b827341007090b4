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


@pytest.mark.parametrize("command", [["kpis"], ["quality"], ["db", "init"]])
def test_case_5_a_password_in_the_url_query_is_not_in_cli_errors(command):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?password=s3cret&connect_timeout=2"
    result = runner.invoke(app, [*command, "--url", url])
    assert result.exit_code == 1
    assert "Can't reach the database" in result.output
    assert "s3cret" not in result.output and "password=***" in result.output
