from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.cli.common import open_repository
from salesops.forecast.report import forecast_report

runner = CliRunner()


@pytest.mark.slow
def test_forecast_json_equals_the_functions(demo_url):
    result = runner.invoke(
        app,
        [
            "forecast",
            "--url",
            demo_url,
            "--freq",
            "M",
            "--horizon",
            "3",
            "--backtest",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["freq"] == "M" and payload["horizon"] == 3
    (series,) = payload["series"]
    assert series["scope"] == "All" and series["method"] == "prophet"
    assert {"ds", "actual", "yhat", "yhat_lower", "yhat_upper"} == set(series["points"][0])
    assert sum(p["actual"] is None for p in series["points"]) == 3
    backtest = series["backtest"]
    assert set(backtest) >= {"cutoffs", "prophet", "seasonal_naive", "winner"}
    assert {"mape", "wape"} <= set(backtest["prophet"]) and len(backtest["cutoffs"]) == 4
    assert [q["period"] for q in payload["pipeline_weighted"]] == ["2026-10-01", "2027-01-01"]
    assert {"period", "open_amount", "weighted_amount", "quota"} <= set(
        payload["pipeline_weighted"][0]
    )
    expected = forecast_report(open_repository(demo_url), "M", 3, backtest=True).to_dict()
    assert payload == json.loads(json.dumps(expected, default=str))


@pytest.mark.slow
def test_forecast_csv_by_segment(demo_url):
    result = runner.invoke(
        app, ["forecast", "--url", demo_url, "--horizon", "2", "--by", "segment", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].lstrip("\ufeff")
    assert header == "scope,method,ds,actual,yhat,yhat_lower,yhat_upper,is_future"
    scopes = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert scopes == {"All", "Enterprise", "Mid-Market", "SMB"}


def test_forecast_errors_are_one_sentence(demo_url, empty_url):
    bad = runner.invoke(app, ["forecast", "--url", demo_url, "--horizon", "0"])
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "Error: --horizon 0 is out of range: use 1 to 104 periods."
    country = runner.invoke(app, ["forecast", "--url", demo_url, "--holidays", "XX"])
    assert country.exit_code == 1 and "Unknown holiday country 'XX'" in country.stderr
    empty = runner.invoke(app, ["forecast", "--url", empty_url, "--format", "json"])
    assert empty.exit_code == 1
    assert "no opportunities or leads yet" in empty.stderr and empty.stdout == ""


def test_forecast_database_unreachable_is_one_sentence():
    result = runner.invoke(
        app, ["forecast", "--url", "postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Can't reach the database")
    assert "secret" not in result.stderr and result.stdout == ""
