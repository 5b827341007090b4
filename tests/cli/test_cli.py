"""`salesops` CLI in-process: JSON contract, same numbers as the library, exact errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from salesops.calendar import Period
from salesops.cli import app
from salesops.config import Settings
from salesops.db.engine import make_engine
from salesops.kpis.report import kpi_report
from salesops.repository import Repository

runner = CliRunner()
YEAR = ["--from", "2025-01-01", "--to", "2025-12-31"]


def kpis_json(url: str, *extra: str) -> dict:
    result = runner.invoke(app, ["kpis", *YEAR, "--format", "json", "--url", url, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_kpis_json_equals_the_library(demo_url):
    payload = kpis_json(demo_url, "--by", "territory")
    repo = Repository(make_engine(demo_url, read_only=True))
    direct = kpi_report(repo, Period(date(2025, 1, 1), date(2025, 12, 31)), settings=Settings())
    expected = json.loads(json.dumps(direct.to_dict(by="territory"), default=str))
    assert payload == expected
    assert payload["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert payload["previous_period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    for name in ("win_rate", "avg_sales_cycle_days", "lead_to_opportunity_ratio", "cac", "ltv",
                 "ltv_to_cac", "cac_payback_months"):  # fmt: skip
        assert {"value", "previous", "unit", "definition", "reason"} <= set(payload["kpis"][name])
    assert 0 < payload["kpis"]["win_rate"]["value"] < 1  # ratios are fractions
    rows = payload["breakdown"]["rows"]
    assert payload["breakdown"]["by"] == "territory" and len(rows) == 6
    assert all("territory" in row and "win_rate" in row for row in rows)


def test_kpis_by_month_and_csv(demo_url):
    payload = kpis_json(demo_url, "--by", "month")
    months = [row["month"] for row in payload["breakdown"]["rows"]]
    assert months[0] == "2025-01-01" and months[-1] == "2025-12-01" and len(months) == 12
    result = runner.invoke(
        app, ["kpis", *YEAR, "--by", "rep", "--format", "csv", "--url", demo_url]
    )
    assert result.exit_code == 0
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    by_rep = kpis_json(demo_url, "--by", "rep")["breakdown"]["rows"]
    assert [row["rep"] for row in table] == [row["rep"] for row in by_rep]
    assert float(table[0]["won"]) == by_rep[0]["won"]


@pytest.mark.postgres
def test_postgres_gives_the_same_numbers_as_sqlite(demo_url, pg_demo_url):
    on_sqlite = kpis_json(demo_url, "--by", "channel")
    on_postgres = kpis_json(pg_demo_url, "--by", "channel")
    for name, figures in on_sqlite["kpis"].items():
        for key in ("value", "previous"):
            a, b = figures[key], on_postgres["kpis"][name][key]
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9), (name, key)
    assert on_sqlite["breakdown"]["rows"] == pytest.approx(on_postgres["breakdown"]["rows"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2025-13-01"],
            "Error: --from '2025-13-01' is not a date: expected YYYY-MM-DD.",
        ),
        (
            ["--from", "2025-06-01", "--to", "2025-01-01"],
            "Error: --to 2025-01-01 is before --from 2025-06-01.",
        ),
    ],
)
def test_kpis_bad_dates_are_one_sentence(demo_url, args, message):
    result = runner.invoke(app, ["kpis", *args, "--url", demo_url])
    assert result.exit_code == 1
    assert result.stderr.strip() == message


def test_kpis_on_an_empty_database(empty_url):
    result = runner.invoke(app, ["kpis", "--url", empty_url])
    assert result.exit_code == 1
    assert "no opportunities or leads yet" in result.stderr


def test_unreachable_database_hides_the_password():
    result = runner.invoke(app, ["kpis", "--url", "postgresql+psycopg://app:s3cret@127.0.0.1:1/x"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Can't reach the database (postgresql+psycopg://app:***@"
    )
    assert "s3cret" not in result.output


def test_db_init_then_demo_then_kpis(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert runner.invoke(app, ["db", "init", "--url", url]).exit_code == 0
    assert runner.invoke(app, ["db", "init", "--url", url]).exit_code == 0  # idempotent
    bad = runner.invoke(app, ["demo", "--url", url, "--scale", "huge"])
    assert bad.exit_code == 1 and "Unknown scale 'huge'" in bad.stderr
    made = runner.invoke(app, ["demo", "--url", url, "--scale", "tiny"])
    assert made.exit_code == 0, made.output
    assert "2,500 opportunities" in made.stderr
    assert kpis_json(url)["kpis"]["win_rate"]["value"] is not None
