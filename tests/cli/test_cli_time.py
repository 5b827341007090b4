"""`salesops time`: the JSON contract, table/CSV output and one-sentence errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()


def _time(*args: str):
    return runner.invoke(app, ["time", *args])


def test_json_contract(demo_url):
    result = _time("--url", demo_url, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    team = doc["team"]
    assert 0.2 < team["selling_share"] < 0.45
    assert team["hours"] > 0
    assert {"activity", "category", "hours"} <= set(team["by_activity"][0])
    assert {"rep", "selling_share"} <= set(doc["reps"][0])
    assert doc["unit_costs"] and doc["unit_costs"][0]["scope"] == "team"
    assert {"moved_hours", "extra_revenue", "revenue_lift", "sga_change"} <= set(doc["what_if"])
    assert doc["what_if"]["scenario"]["shift_share"] == 0.25
    assert doc["period"]["from"] < doc["period"]["to"]
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    # every rep with an undefined share carries its reason
    for row in doc["reps"]:
        assert (row["selling_share"] is None) == (row["share_reason"] is not None)


def test_scenario_options_change_the_what_if(demo_url):
    base = json.loads(_time("--url", demo_url, "--format", "json").stdout)["what_if"]
    more = json.loads(
        _time("--url", demo_url, "--format", "json", "--shift", "0.5", "--ops-cost", "10").stdout
    )["what_if"]
    assert more["moved_hours"] == pytest.approx(2 * base["moved_hours"])
    assert more["sales_ops_cost"] == pytest.approx(10 * more["moved_hours"])
    one = json.loads(
        _time("--url", demo_url, "--format", "json", "--activity", "Proposal writing").stdout
    )["what_if"]
    assert [a["activity"] for a in one["by_activity"]] == ["Proposal writing"]


def test_table_and_csv(demo_url):
    table = _time("--url", demo_url)
    assert table.exit_code == 0 and "selling_share" in table.stdout
    csv = _time("--url", demo_url, "--format", "csv")
    assert csv.exit_code == 0
    assert csv.stdout.lstrip("\ufeff").startswith("rep_id,name,hours")


def test_scope_options(demo_url):
    doc = json.loads(_time("--url", demo_url, "--format", "json", "--rep", "1").stdout)
    assert [r["rep_id"] for r in doc["reps"]] == [1]
    everyone = json.loads(_time("--url", demo_url, "--format", "json").stdout)
    manager = "Manager A"
    team = json.loads(_time("--url", demo_url, "--format", "json", "--team", manager).stdout)
    assert 0 < len(team["reps"]) < len(everyone["reps"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--activity", "Golf"], "not: Golf."),
        (["--from", "2025-13-01", "--to", "2025-12-31"], "--from '2025-13-01' is not a date"),
        (["--from", "2025-06-01", "--to", "2025-01-01"], "--to 2025-01-01 is before --from"),
        (["--team", "Nobody"], "--team Nobody is not a manager in the database."),
        (["--team", "Manager A", "--rep", "99999"], "No rep is in both the chosen --team"),
    ],
)
def test_errors_are_one_sentence(demo_url, args, message):
    result = _time("--url", demo_url, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_out_of_range_slider_is_a_usage_error(demo_url):
    result = _time("--url", demo_url, "--shift", "1.5")
    assert result.exit_code == 2


def test_empty_database(empty_url):
    result = _time("--url", empty_url, "--format", "json")
    assert result.exit_code == 1
    assert "no opportunities or leads yet" in result.stderr
    explicit = _time(
        "--url", empty_url, "--format", "json", "--from", "2025-01-01", "--to", "2025-03-31"
    )
    assert explicit.exit_code == 0, explicit.output
    doc = json.loads(explicit.stdout)
    assert doc["team"]["selling_share"] is None
    assert doc["team"]["selling_share_reason"] == "no time logged in period"
    assert doc["what_if"]["extra_revenue"] is None


def test_unreachable_database():
    result = _time("--url", "postgresql+psycopg://nobody@127.0.0.1:1/none", "--format", "json")
    assert result.exit_code == 1
    assert "Can't reach the database" in result.stderr
