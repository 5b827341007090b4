"""`salesops plan`: the JSON contract, the sums, and one clear sentence for bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["plan", *args])


def test_json_contract_and_sums(demo_url):
    result = run("--url", demo_url, "--target", "90000000", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    data = json.loads(result.stdout)
    assert set(data) >= {"target", "attainment_target", "expected_share_at_quota", "quotas",
                         "expected_attainment", "hires", "totals", "backtest", "notes"}  # fmt: skip
    assert data["target"] == 90_000_000 and data["attainment_target"] == 0.65
    # today's reps' quotas plus the new hires' add up to the target, to the cent
    assert abs(sum(q["suggested_quota"] for q in data["quotas"]) - 90_000_000) < 0.01
    assert data["totals"]["hires"] == sum(h["hires"] for h in data["hires"]) > 0
    assert data["totals"]["hires_cost"] > 0
    share = data["expected_share_at_quota"]
    assert 0 < share["current"] < share["suggested"] <= 0.66
    assert abs(sum(b["suggested"] for b in data["expected_attainment"])
               - sum(1 for q in data["quotas"] if q["kind"] == "rep" and q["suggested_quota"] > 0)
               ) < 1e-6  # fmt: skip
    track = data["backtest"]
    assert track["actual_share"] is not None and 0 <= track["actual_share"] <= 1
    assert track["sentence"].startswith("Set this way at the start of")


def test_without_hires_the_target_is_spread_over_todays_reps(demo_url):
    data = json.loads(run("--url", demo_url, "--target", "70000000", "--no-hires",
                          "--no-backtest", "--format", "json").stdout)  # fmt: skip
    assert data["totals"]["hires"] == 0 and data["backtest"] is None
    assert abs(sum(q["suggested_quota"] for q in data["quotas"]) - 70_000_000) < 0.01


def test_a_target_below_last_years_bookings_says_so(demo_url):
    data = json.loads(run("--url", demo_url, "--target", "10000000", "--no-backtest",
                          "--format", "json").stdout)  # fmt: skip
    assert any(n.startswith("The target ($10,000,000) is below what these reps booked")
               for n in data["notes"])  # fmt: skip
    assert abs(sum(q["suggested_quota"] for q in data["quotas"]) - 10_000_000) < 0.01


def test_bad_input_is_one_clear_sentence(demo_url, empty_url):
    lead = run("--url", demo_url, "--lead-months", "12")
    assert lead.exit_code == 1
    assert lead.stderr.strip() == "Error: The hiring lead time must be 0 to 11 months (got 12)."
    # numbers are refused by the one numeric option type (salesops.numbers), before the run
    cases = {
        ("--target", "-5"): "'-5' is out of range: use an amount above 0",
        ("--attainment-target", "1.5"): "'1.5' is out of range: use a fraction above 0 and",
        ("--utilisation", "0"): "'0' is out of range: use a fraction above 0 and at most 1",
        ("--change-cap", "-0.1"): "'-0.1' is out of range: use a ratio at least 0",
    }
    for (option, value), sentence in cases.items():
        result = run("--url", demo_url, option, value)
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
        assert sentence in " ".join(result.output.replace("│", " ").split())
        assert "Traceback" not in result.output
    empty = run("--url", empty_url, "--format", "json")
    assert empty.exit_code == 1
    assert empty.stderr.strip() == (
        "Error: The database has no territories, accounts or reps yet: import them or run "
        "salesops demo."
    )


def test_table_output(demo_url):
    result = run("--url", demo_url, "--no-backtest")
    assert result.exit_code == 0 and "suggested_quota" in result.stdout
