"""`salesops cash`: the JSON contract, figures that add up, one clear sentence for bad input."""

from __future__ import annotations

import json
import shutil

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from salesops.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["cash", *args])


def test_json_contract_and_figures_that_add_up(demo_url):
    result = run("--url", demo_url, "--from", "2025-10-01", "--to", "2026-09-30",
                 "--format", "json", "--invoice-days-cut", "1", "--pay-days-cut", "10")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    data = json.loads(result.stdout)
    assert set(data) >= {
        "period", "as_of", "funnel", "cycle", "trend", "receivables", "dso", "breakdown",
        "slow_accounts", "slow_orders", "notes", "what_if",
    }  # fmt: skip
    assert data["period"] == {"from": "2025-10-01", "to": "2026-09-30"}
    stages = {s["stage"]: s for s in data["funnel"]["stages"]}
    assert list(stages) == ["booked", "ordered", "invoiced", "paid"]
    assert stages["ordered"]["amount"] >= stages["invoiced"]["amount"] >= stages["paid"]["amount"]
    assert stages["paid"]["share_of_ordered"] < 1
    receivables = data["receivables"]
    assert abs(sum(b["amount"] for b in receivables["aging"]) - receivables["receivable"]) < 0.01
    assert [b["bucket"] for b in receivables["aging"]] == [
        "current", "1-30", "31-60", "61-90", "90+"
    ]  # fmt: skip
    assert receivables["overdue"] < receivables["receivable"]
    assert 20 < data["dso"]["value"] < 120 and data["dso"]["reason"] is None
    for leg in ("close_to_order", "order_to_invoice", "invoice_to_paid"):
        step = data["cycle"][leg]
        assert step["median"] <= step["p90"] and step["mean"] > 0
    by_rep = data["breakdown"]["rep"]
    assert abs(sum(r["ordered"] for r in by_rep) - stages["ordered"]["amount"]) < 0.01
    assert data["what_if"]["pay_days_cut"] == 10 and data["what_if"]["cash_pulled_forward"] > 0
    assert data["slow_orders"][0]["deal"] is not None or data["slow_orders"][0]["account"]


def test_table_lists_the_funnel(demo_url):
    result = run("--url", demo_url)
    assert result.exit_code == 0, result.output
    assert "Booked (deals won)" in result.stdout and "Overdue" in result.stdout


def test_no_orders_and_bad_input_are_one_sentence(demo_url, tmp_path):
    path = tmp_path / "no_orders.db"
    shutil.copy(make_url(demo_url).database, path)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM orders"))
    engine.dispose()
    result = run("--url", f"sqlite:///{path}")
    assert result.exit_code == 1
    assert "No orders yet: import orders" in result.output
    result = run("--url", demo_url, "--pay-days-cut", "-3")
    assert result.exit_code == 1
    assert "--invoice-days-cut and --pay-days-cut must be zero or more." in result.output
    result = run("--url", demo_url, "--from", "2026-05-01", "--to", "2026-01-01")
    assert result.exit_code == 1 and "is before --from" in result.output
