"""`salesops call` and `salesops forecast` on won deals without amounts: null with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.db.engine import init_schema, make_engine
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

runner = CliRunner()
OLIST = Path("/work/shared/datasets/olist-marketing-funnel")
REASON = (
    "Bookings undefined: none of the 841 won deals has an amount — import amounts "
    "(Amount / close_value) to see bookings, forecasts and the call."
)
CALL_MONEY = ("won_to_date", "commit", "best_case", "projection", "low", "high", "gap")

pytestmark = pytest.mark.skipif(not OLIST.exists(), reason="shared datasets not present")


@pytest.fixture(scope="module")
def olist_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('olist') / 'olist.db'}"
    engine = make_engine(url)
    init_schema(engine)
    names = ("olist_marketing_qualified_leads_dataset.csv", "olist_closed_deals_dataset.csv")
    outcome = import_files(
        engine, [CsvInput.from_path(OLIST / n) for n in names], "olist", valid_rows_only=True
    )
    assert outcome.written, outcome.message
    return url


def test_call_json_on_won_deals_without_amounts_is_null_with_the_reason(olist_url):
    result = runner.invoke(app, ["call", "--format", "json", "--url", olist_url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    call = data["call"]
    assert {key: call[key] for key in CALL_MONEY} == dict.fromkeys(CALL_MONEY)
    assert call["reason"] == REASON
    assert all(row["actual"] is None and row["projection"] is None for row in call["track_record"])
    assert set(call["mean_abs_error"].values()) == {None}
    assert data["bookings"] == {
        "won_deals": 841,
        "won_deals_without_amount": 841,
        "defined": False,
        "reason": REASON,
        "caption": None,
    }
    assert f"Note: {REASON}" in result.stderr


def test_forecast_json_on_won_deals_without_amounts_fits_nothing(olist_url):
    result = runner.invoke(app, ["forecast", "--format", "json", "--url", olist_url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["bookings"]["defined"] is False and data["bookings"]["reason"] == REASON
    (series,) = data["series"]
    assert (series["method"], series["reason"], series["points"]) == ("none", REASON, [])
    for quarter in data["pipeline_weighted"]:
        assert quarter["won_to_date"] is None and quarter["pipeline_forecast"] is None
        assert quarter["prophet_forecast"] is None
        assert quarter["reason"] == "bookings undefined: won deals have no amount"


def test_call_json_on_the_demo_says_bookings_are_defined(demo_url):
    result = runner.invoke(
        app, ["call", "--as-of", "2026-08-16", "--format", "json", "--url", demo_url]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["bookings"]["defined"] is True and data["bookings"]["won_deals_without_amount"] == 0
    assert data["call"]["won_to_date"] > 0 and data["call"]["reason"] is None
