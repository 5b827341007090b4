from __future__ import annotations

import json

from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["territory", *args])


def test_json_contract(demo_url):
    result = run("--url", demo_url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    data = json.loads(result.stdout)
    assert set(data) >= {"territories", "reps", "balance", "proposal", "quota_suggestions"}
    for row in data["territories"]:
        assert set(row) >= {
            "territory", "accounts", "potential", "capacity_hours", "bookings_12m",
            "penetration", "potential_per_capacity_hour", "flag",
        }  # fmt: skip
    assert {"over-loaded", "under-loaded"} <= {t["flag"] for t in data["territories"]}
    assert set(data["balance"]) >= {"cv", "gini"}
    proposal = data["proposal"]
    assert set(proposal) >= {"moves", "before", "after"}
    assert 0 < len(proposal["moves"]) <= 25
    assert set(proposal["moves"][0]) >= {"account_id", "from", "to"}
    assert proposal["after"]["cv"] < proposal["before"]["cv"]
    total = sum(q["current_quota"] for q in data["quota_suggestions"] if q["flag"] != "inactive")
    suggested = sum(q["suggested_quota"] for q in data["quota_suggestions"])
    assert abs(total - suggested) < 0.01


def test_options_reach_the_proposal(demo_url):
    result = run("--url", demo_url, "--format", "json", "--max-moves", "2", "--target", "1000")
    data = json.loads(result.stdout)
    assert len(data["proposal"]["moves"]) == 2
    assert abs(sum(q["suggested_quota"] for q in data["quota_suggestions"]) - 1000) < 1e-6
    infeasible = json.loads(run("--url", demo_url, "--format", "json", "--same-region").stdout)
    assert infeasible["proposal"]["status"] == "infeasible"
    assert infeasible["proposal"]["binding"] == "same_region+same_segment"
    assert infeasible["proposal"]["moves"] == []


def test_table_and_csv(demo_url):
    table = run("--url", demo_url)
    assert table.exit_code == 0 and "over-loaded" in table.stdout
    csv = run("--url", demo_url, "--format", "csv")
    assert csv.exit_code == 0 and csv.stdout.lstrip("\ufeff").startswith("territory,")


def test_empty_database_is_one_clear_sentence(empty_url):
    result = run("--url", empty_url, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: The database has no territories or accounts yet: import a CSV or run salesops demo."
    )


def test_bad_options_fail_before_reading(demo_url, tmp_path):
    bad = run("--url", demo_url, "--threshold", "-1")
    assert bad.exit_code == 1 and "--threshold -1.0 is out of range" in bad.stderr
    share = run("--url", demo_url, "--max-share", "2")
    assert share.exit_code == 1 and "--max-share" in share.stderr
    date = run("--url", demo_url, "--as-of", "yesterday")
    assert date.exit_code == 1 and "is not a date" in date.stderr
    missing = run("--url", f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.exit_code == 1 and "Can't reach the database" in missing.stderr
    assert "Traceback" not in missing.output


def test_database_without_schema(tmp_path):
    import sqlite3

    path = tmp_path / "bare.db"
    sqlite3.connect(path).close()
    result = run("--url", f"sqlite:///{path}")
    assert result.exit_code == 1
    assert "has no salesops tables" in result.stderr and "Traceback" not in result.output


def test_moves_csv_neutralises_formulas():
    import pandas as pd

    from salesops.export import to_safe_csv

    moves = pd.DataFrame(
        {"account_id": [1], "account": ['=HYPERLINK("http://x")'], "potential": [-5.0]}
    )
    text = to_safe_csv(moves).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",-5.0" in text
