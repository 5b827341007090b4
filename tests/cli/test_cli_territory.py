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
    assert set(data) >= {"territories", "reps", "balance", "proposal", "quota_suggestions",
                         "capacity", "definitions"}  # fmt: skip
    for row in data["territories"]:
        assert set(row) >= {
            "territory", "accounts", "potential", "capacity_hours", "bookings_12m",
            "penetration", "potential_per_capacity_hour", "flag", "utilisation",
            "workload_hours",
        }  # fmt: skip
    # Flags follow each territory's own utilisation and the absolute band.
    for row in data["territories"]:
        if row["flag"] == "over-loaded":
            assert row["utilisation"] > data["settings"]["utilisation_over"]
        if row["flag"] == "under-loaded":
            assert row["utilisation"] < data["settings"]["utilisation_under"]
    assert data["capacity"]["ramp"]["months_to_ramp"] >= 1
    assert set(data["balance"]) >= {"cv", "gini"}
    assert data["territory_mismatch"] is None  # the demo's accounts and reps share territories
    proposal = data["proposal"]
    assert set(proposal) >= {"moves", "swaps", "before", "after"}
    assert 0 < len(proposal["moves"]) <= 25
    assert set(proposal["moves"][0]) >= {"account_id", "from", "to"}
    # Each moved or swapped account's current owner and open pipeline, as on the page.
    names = {r["rep"] for r in data["reps"]}
    for move in proposal["moves"]:
        assert set(move) >= {"name", "current_owner", "open_pipeline"}
        assert move["current_owner"] is None or move["current_owner"] in names
        assert move["open_pipeline"] >= 0
    assert any(m["current_owner"] for m in proposal["moves"])
    assert any(m["open_pipeline"] > 0 for m in proposal["moves"] + proposal["swaps"])
    for swap in proposal["swaps"]:
        assert {"current_owner", "partner_current_owner", "partner_open_pipeline"} <= set(swap)
    assert proposal["after"]["cv"] < proposal["before"]["cv"]
    quotas = data["quota_suggestions"]
    total = sum(q["current_quota"] for q in quotas if q["flag"] != "inactive")
    suggested = sum(q["suggested_quota"] for q in quotas)
    assert abs(total - suggested) < 0.01  # spread over today's reps: the sum is today's total
    assert all(q["suggested_quota"] == 0 for q in quotas if q["flag"] == "inactive")


def test_options_reach_the_proposal(demo_url):
    result = run("--url", demo_url, "--format", "json", "--max-moves", "2", "--max-swaps", "0")
    data = json.loads(result.stdout)
    assert len(data["proposal"]["moves"]) == 2 and data["proposal"]["swaps"] == []
    infeasible = json.loads(run("--url", demo_url, "--format", "json", "--same-region").stdout)
    proposal = infeasible["proposal"]
    assert proposal["status"] == "infeasible" and proposal["binding"] == "same_region"
    assert proposal["moves"] == []
    assert proposal["nearest"].startswith("Nearest feasible: without same region only")
    band = json.loads(run("--url", demo_url, "--format", "json", "--over", "9", "--under",
                          "0.01").stdout)  # fmt: skip
    assert {t["flag"] for t in band["territories"]} == {"balanced"}


def test_table_and_csv(demo_url):
    table = run("--url", demo_url)
    assert table.exit_code == 0 and "over-loaded" in table.stdout and "utilisation" in table.stdout
    csv = run("--url", demo_url, "--format", "csv")
    assert csv.exit_code == 0 and csv.stdout.lstrip("\ufeff").startswith("territory,")


def test_empty_database_is_one_clear_sentence(empty_url):
    result = run("--url", empty_url, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: The database has no territories or accounts yet: import a CSV or run salesops demo."
    )


def test_bad_options_fail_before_reading(demo_url, tmp_path):
    bad = run("--url", demo_url, "--under", "1.2", "--over", "1.1")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == (
        "Error: --under 1.2 and --over 1.1 must be fractions with 0 < under < over "
        "(e.g. 0.7 and 1.1)."
    )
    share = run("--url", demo_url, "--max-share", "2")
    assert share.exit_code == 2 and "Invalid value for '--max-share'" in share.output
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


def test_territories_that_do_not_meet_are_said_after_the_table(tmp_path):
    from salesops.db.engine import init_schema, make_engine
    from salesops.importing.reading import CsvInput
    from salesops.importing.report import import_files

    url = f"sqlite:///{tmp_path / 'mismatch.db'}"
    engine = make_engine(url)
    init_schema(engine)
    files = [
        CsvInput("users.csv", b"Id,Name,IsActive,Division\n005A,Ana Lee,true,West\n"),
        CsvInput("accounts.csv", b"Account ID,Account Name,Territory\na1,Acme,US-West\n"),
    ]
    assert import_files(engine, files, "salesforce").written
    engine.dispose()
    table = run("--url", url)
    assert table.exit_code == 0, table.output
    last = table.stdout.rstrip().splitlines()[-1]
    assert last.startswith(
        "Account and rep territories do not match: 1 territory has accounts but no active rep "
        "(US-West) and 1 has reps but no accounts (West)."
    )
    data = json.loads(run("--url", url, "--format", "json").stdout)
    assert data["territory_mismatch"]["accounts_without_reps"] == ["US-West"]
    assert data["territory_mismatch"]["reps_without_accounts"] == ["West"]
