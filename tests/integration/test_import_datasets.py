"""The real public datasets, imported end to end on SQLite and PostgreSQL.

Each test computes the KPI independently with pandas from the raw CSV and compares it
with what salesops.kpis.report (the KPI page's and CLI's definition) says after import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.kpis.report import default_period, kpi_report
from salesops.quality.report import quality_report
from salesops.repository import Repository

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
if not DATASETS.exists():
    DATASETS = Path("/work/shared/datasets")
MAVEN = DATASETS / "maven-crm-sales-opportunities"
IBM = DATASETS / "ibm-sales-win-loss" / "WA_Fn-UseC_-Sales-Win-Loss.csv"
OLIST = DATASETS / "olist-marketing-funnel"

pytestmark = pytest.mark.skipif(not DATASETS.exists(), reason="shared datasets not present")


def files(*paths: Path) -> list[CsvInput]:
    return [CsvInput.from_path(p) for p in paths]


def test_maven_crm_pipeline(engine):
    outcome = import_files(
        engine,
        files(MAVEN / "sales_pipeline.csv", MAVEN / "accounts.csv", MAVEN / "sales_teams.csv"),
        "maven",
    )
    assert outcome.written, outcome.message
    counts = table_counts(engine)
    assert counts["opportunities"] == 8800
    assert counts["accounts"] == 85  # pipeline accounts all exist in accounts.csv
    assert counts["reps"] == 35  # 30 agents with deals + 5 without, merged by name

    raw = pd.read_csv(MAVEN / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    won = raw[raw["deal_stage"] == "Won"]
    lost = raw[raw["deal_stage"] == "Lost"]
    expected_win_rate = len(won) / (len(won) + len(lost))  # 4238 / 6711
    cycle = pd.to_datetime(won["close_date"]) - pd.to_datetime(won["engage_date"])
    expected_cycle = cycle.dt.days.mean()

    report = kpi_report(Repository(engine), Period(date(2016, 10, 1), date(2017, 12, 31)))
    assert report.current["win_rate"].value == pytest.approx(expected_win_rate)
    assert report.current["avg_sales_cycle_days"].value == pytest.approx(expected_cycle)
    # no leads and no spend in this dataset: undefined, with a reason, never 0
    assert report.current["lead_to_opportunity_ratio"].value is None
    assert report.current["cac"].value is None and report.current["cac"].reason


@pytest.mark.slow
def test_ibm_win_loss(engine):
    outcome = import_files(
        engine,
        files(IBM),
        "ibm",
        context=ValidationContext(as_of=date(2024, 12, 15), duplicates="last"),
    )
    assert outcome.written, outcome.message

    raw = pd.read_csv(IBM, dtype=str, keep_default_na=False)
    last = raw.drop_duplicates("Opportunity Number", keep="last")  # the chosen duplicate rule
    assert table_counts(engine)["opportunities"] == len(last)
    won = last[last["Opportunity Result"] == "Won"]
    expected_win_rate = len(won) / len(last)
    expected_cycle = won["Total Days Identified Through Closing"].astype(int).mean()

    repo = Repository(engine)
    report = kpi_report(repo, Period(date(2024, 1, 1), date(2024, 12, 31)))
    assert report.current["win_rate"].value == pytest.approx(expected_win_rate)
    assert report.current["avg_sales_cycle_days"].value == pytest.approx(expected_cycle)
    assert report.current["lead_to_opportunity_ratio"].value is None
    # The file has no dates: every deal is dated at the import day, mid-month. The default
    # period (the page's and the CLI's) runs to that day instead of holding no deal at all.
    bounds = repo.data_bounds()
    period = default_period(pd.Timestamp(bounds["last"]), 12, bounds["first_closed"])
    assert period == Period(date(2024, 1, 1), date(2024, 12, 15))
    assert kpi_report(repo, period).current["win_rate"].value == pytest.approx(expected_win_rate)


def test_olist_marketing_funnel(engine):
    outcome = import_files(
        engine,
        files(
            OLIST / "olist_closed_deals_dataset.csv",
            OLIST / "olist_marketing_qualified_leads_dataset.csv",
        ),
        "olist",
        valid_rows_only=True,  # one deal is won before its first contact (README quirk)
    )
    assert outcome.written, outcome.message
    assert [(i.file, i.column) for i in outcome.report.errors] == [
        ("olist_closed_deals_dataset.csv", "won_date")
    ]

    mqls = pd.read_csv(
        OLIST / "olist_marketing_qualified_leads_dataset.csv", dtype=str, keep_default_na=False
    )
    deals = pd.read_csv(OLIST / "olist_closed_deals_dataset.csv", dtype=str, keep_default_na=False)
    joined = deals.merge(mqls, on="mql_id")
    won_day = pd.to_datetime(joined["won_date"]).dt.normalize()
    cycle = (won_day - pd.to_datetime(joined["first_contact_date"])).dt.days
    kept = joined[cycle >= 0]  # the rejected deal closes before it was created
    expected_ratio = len(kept) / len(mqls)  # 841 / 8000
    expected_cycle = cycle[cycle >= 0].mean()

    repo = Repository(engine)
    report = kpi_report(repo, Period(date(2017, 6, 1), date(2018, 12, 31)))
    assert report.current["lead_to_opportunity_ratio"].value == pytest.approx(expected_ratio)
    assert report.current["avg_sales_cycle_days"].value == pytest.approx(expected_cycle)
    assert report.current["win_rate"].value == 1.0  # only won deals exist (README quirk)

    quality = {c.key: c for c in quality_report(repo, date(2018, 12, 31)).checks}
    # 60 MQLs have an empty origin ("unknown" is a channel of its own)
    assert quality["leads_without_channel"].count == (mqls["origin"] == "").sum() == 60


def test_reimporting_a_dataset_is_idempotent(engine):
    paths = (MAVEN / "sales_teams.csv", MAVEN / "accounts.csv")
    assert import_files(engine, files(*paths), "maven").written
    before = table_counts(engine)
    again = import_files(engine, files(*paths), "maven", force=True)
    assert again.written
    assert {c.inserted for c in again.counts.values()} == {0}
    assert {c.updated for c in again.counts.values()} == {0}
    assert table_counts(engine) == before
