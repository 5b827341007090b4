"""`salesops call` and `salesops forecast` on won deals without amounts: null with a reason."""

from __future__ import annotations

import json
from datetime import date, timedelta
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


def _partly_priced_company(folder: Path) -> str:
    """Returns a company whose West rep's won deals carry amounts and East rep's none."""
    deals = [
        "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,"
        "Close Date,Stage,Amount"
    ]
    for n in range(16):  # two won deals a quarter for each rep, 2023-2024
        created = date(2023, 1, 10) + timedelta(days=91 * (n // 2) + 30 * (n % 2))
        closed = created + timedelta(days=20)
        deals.append(f"w{n},W{n},Acme,Ana Lee,{created},{closed},Closed Won,{1000 + n}")
        deals.append(f"e{n},E{n},Beta,Bo Diaz,{created},{closed},Closed Won,")
    files = [
        CsvInput(
            "users.csv",
            b"Id,Name,Email,IsActive,Division\n005A,Ana Lee,ana@x.com,true,West\n"
            b"005B,Bo Diaz,bo@x.com,true,East\n",
        ),
        CsvInput(
            "accounts.csv", b"Account ID,Account Name,Territory\na1,Acme,West\na2,Beta,East\n"
        ),
        CsvInput("opportunities.csv", ("\n".join(deals) + "\n").encode()),
    ]
    url = f"sqlite:///{folder / 'partly.db'}"
    engine = make_engine(url)
    init_schema(engine)
    outcome = import_files(engine, files, "salesforce")
    assert outcome.written, outcome.message
    engine.dispose()
    return url


def test_a_territory_whose_won_deals_have_no_amount_reads_undefined_not_zero(tmp_path):
    url = _partly_priced_company(tmp_path)
    result = runner.invoke(app, ["call", "--by", "territory", "--format", "json", "--url", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # the company counts the 16 priced deals and says 16 lack an amount
    assert data["bookings"]["defined"] is True
    assert data["bookings"]["won_deals_without_amount"] == 16
    assert data["call"]["won_to_date"] is not None
    units = {u["scope"]: u for u in data["units"]}
    east, west = units["East"], units["West"]
    # East's won deals carry no amount: its money is null with why, never $0
    assert {key: east[key] for key in CALL_MONEY} == dict.fromkeys(CALL_MONEY)
    assert east["reason"] == "bookings undefined: won deals have no amount"
    assert set(east["mean_abs_error"].values()) == {None}
    assert west["won_to_date"] is not None and west["reason"] is None
    assert west["won_to_date"] == data["call"]["won_to_date"]  # only West's deals have amounts
    table = runner.invoke(app, ["call", "--by", "territory", "--url", url])
    assert "bookings undefined: won deals have no amount" in table.stdout


def test_a_fully_priced_company_reads_no_unit_amounts(demo_url):
    from salesops.call.report import call_report
    from salesops.call.summary import table_frame
    from salesops.repository import Repository

    report = call_report(Repository(make_engine(demo_url)), by="territory")
    assert report.units and report.unit_amounts == {}
    assert "note" not in table_frame(report).columns
