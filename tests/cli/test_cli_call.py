"""`salesops call`: the JSON contract, the roll-up, exact error sentences."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()
CONTRACT = {
    "quarter",
    "as_of",
    "won_to_date",
    "commit",
    "best_case",
    "projection",
    "low",
    "high",
    "quota",
    "gap",
    "method",
    "by_stage",
    "track_record",
    "mean_abs_error",
}


def run(*args):
    return runner.invoke(app, ["call", *args])


def test_call_json_has_the_design_shape(demo_url):
    result = run("--as-of", "2026-08-16", "--format", "json", "--url", demo_url)
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout)["call"]
    assert set(call) >= CONTRACT
    assert call["quarter"] == "2026-Q3" and call["as_of"] == "2026-08-16"
    assert call["low"] <= call["projection"] <= call["high"]
    assert call["won_to_date"] <= call["commit"] <= call["best_case"]
    assert call["gap"] == pytest.approx(call["quota"] - call["projection"], abs=0.02)
    assert len(call["track_record"]) == 8
    row = call["track_record"][0]
    assert {"quarter", "as_of", "projection", "actual", "error"} <= set(row)
    assert row["error"] == pytest.approx(
        (row["projection"] - row["actual"]) / row["actual"], abs=1e-4
    )
    assert set(call["mean_abs_error"]) == {"call", "stage_probability", "won_plus_commit"}
    assert sum(s["expected"] for s in call["by_stage"]) == pytest.approx(
        call["from_pipeline"], abs=1
    )


def test_roll_up_by_team_sums_to_the_company_and_a_quarter_can_be_named(demo_url):
    result = run(
        "--as-of",
        "2026-08-16",
        "--quarter",
        "2026Q3",
        "--by",
        "team",
        "--format",
        "json",
        "--url",
        demo_url,
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["by"] == "team" and len(payload["units"]) >= 2
    total = sum(u["projection"] for u in payload["units"])
    assert total == pytest.approx(payload["call"]["projection"], abs=1)


def test_team_and_territory_scopes(demo_url):
    team = run(
        "--team", "Manager A", "--as-of", "2026-08-16", "--format", "json", "--url", demo_url
    )
    assert team.exit_code == 0, team.output
    assert json.loads(team.stdout)["call"]["scope"] == "Team Manager A"
    table = run("--territory", "1", "--url", demo_url)
    assert table.exit_code == 0, table.output
    assert "Track record at day" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "--as-of '2026-13-01' is not a date: expected YYYY-MM-DD."),
        (["--quarter", "2026Q5"], "Quarter '2026Q5' is not of the form 2026Q4."),
        (["--by", "rep"], "--by 'rep' is not a roll-up: use team or territory."),
        (["--team", "Nobody"], "No team is managed by 'Nobody'."),
        (
            ["--team", "Manager A", "--territory", "1"],
            "Give at most one of --team and --territory.",
        ),
        (
            ["--as-of", "2019-06-01"],
            "Nothing to call as of 2019-06-01: the first deal was recorded on",
        ),
        (
            ["--as-of", "2026-08-16", "--quarter", "2026Q4"],
            "2026-Q4 starts after the as-of date 2026-08-16",
        ),
    ],
)
def test_bad_input_is_one_sentence(demo_url, args, message):
    result = run(*args, "--url", demo_url)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_empty_database_says_what_to_do(empty_url):
    result = run("--url", empty_url)
    assert result.exit_code == 1
    assert (
        "No pipeline history yet: import opportunities (or run `salesops demo`) first."
        in result.stderr
    )
