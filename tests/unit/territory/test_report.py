"""The report built from frames and its JSON (no database)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.capacity.model import CapacityModel
from salesops.capacity.ramp import default_ramp
from salesops.capacity.selling import TEAM, SellingShares
from salesops.config import Settings
from salesops.figures import Figure
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.report import TerritoryData, build_report, periods_for, report_to_json
from tests.unit.territory.company import (
    SETTINGS,
    accounts_frame,
    deals_frame,
    reps_frame,
    rules,
    territories_frame,
)

AS_OF = date(2026, 10, 31)


def data() -> TerritoryData:
    shares = pd.DataFrame(columns=["rep_id", "logged_hours", "selling_hours", "selling_share",
                                   "share_source"])  # fmt: skip
    model = CapacityModel(AS_OF, default_ramp(6, 0.9, "stated"),
                          SellingShares(shares, Figure(0.3), TEAM), 46.0, 40.0)  # fmt: skip
    bookings, quota_year = periods_for(AS_OF)
    facts = accounts_frame().assign(accounts=1)
    return TerritoryData(
        as_of=AS_OF,
        bookings=bookings,
        quota_year=quota_year,
        accounts=facts,
        reps=reps_frame(),
        territories=territories_frame(),
        deals=deals_frame(),
        capacity=model,
        facts_all=facts,
        rep_hours=pd.DataFrame({"rep_id": [1], "territory_id": [1], "selling_hours": [240.0]}),
    )


def test_periods_for_a_month_end_and_a_mid_month_date():
    bookings, year = periods_for(AS_OF)
    assert bookings == Period(date(2025, 11, 1), date(2026, 10, 31))
    assert year == Period(date(2026, 11, 1), date(2027, 10, 31))
    _, mid = periods_for(date(2026, 11, 20))
    assert mid.start == date(2026, 11, 1)  # the quota year has begun: won so far counts


def test_report_json_shape_has_no_nan_or_inf():
    stated = TerritorySettings.from_settings(
        Settings(),
        account_hours=(("SMB", 40.0), ("Enterprise", 100.0)),
        default_account_hours=10.0,
    )
    rows = accounts_frame()[["id", "territory_id", "segment", "annual_potential"]]
    report = build_report(data(), stated, rules(same_region=False, max_moves=3), rows)
    doc = report_to_json(report)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text
    t4 = next(t for t in doc["territories"] if t["territory_id"] == 4)
    assert t4["utilisation"] is None and t4["utilisation_reason"] == "no capacity"
    assert t4["flag"] == "uncovered"
    assert {t["flag"] for t in doc["territories"]} >= {"over-loaded", "under-loaded"}
    assert set(doc["definitions"]) == {"capacity", "utilisation", "pipeline_coverage"}
    assert doc["capacity"]["ramp"]["source"] == "default"
    assert set(doc["proposal"]) >= {"moves", "swaps", "before", "after", "nearest"}
    for move in doc["proposal"]["moves"]:
        assert set(move) >= {"account_id", "from", "to"}
        assert move["to"] != "West Ent 2"  # uncovered: never a target
    assert doc["proposal"]["after"]["cv"] <= doc["proposal"]["before"]["cv"]


def test_measured_account_hours_when_none_are_stated():
    report = build_report(data(), SETTINGS)
    hours = report.hours.frame().set_index("segment")
    # T1 logged 240 selling hours over its 3 SMB accounts: 80 h each, measured
    assert hours.loc["SMB", "hours"] == pytest.approx(80.0)
    assert hours.loc["Enterprise", "source"].startswith("assumed")
    assert report.proposal.status == "not_asked"
