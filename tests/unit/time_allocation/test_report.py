"""The whole report from its inputs, and the `salesops time` JSON contract."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.time_allocation.report import TimeInputs, build_time_report, time_report_json
from salesops.time_allocation.team import employed_during
from tests.unit.time_allocation.company import ACTIVITY, BOOKINGS, REPS, TREND_ROWS, TYPES, scenario

SETTINGS = Settings()  # benchmark 1/3, 46 working weeks: the numbers worked out below


def _inputs(**overrides) -> TimeInputs:
    trend = TREND_ROWS.assign(period=lambda d: d["period"])
    monthly = pd.DataFrame(
        {"rep_id": [1, 2, 3, 4], "month": pd.to_datetime(["2025-01-01"] * 4), "bookings": 1.0}
    )
    values = {
        "activity_types": TYPES,
        "reps": REPS,
        "rep_activity": ACTIVITY,
        "trend_activity": trend,
        "bookings": BOOKINGS,
        "monthly_bookings": monthly,
        "start": pd.Timestamp("2025-01-06"),
        "end": pd.Timestamp("2025-02-09"),  # 35 days = 5 weeks
        "freq": "W",
    }
    values.update(overrides)
    return TimeInputs(**values)


def test_build_report_and_json_contract():
    report = build_time_report(_inputs(), SETTINGS)
    assert report.inputs.period_weeks == 5.0
    assert report.team.selling_share.value == pytest.approx(0.31)
    assert report.back_office_activities == ["proposal", "quote", "order_processing", "admin"]
    assert report.what_if_base.sga == pytest.approx(299000 * 5 / 52)
    assert len(report.trend) == 5 and report.has_time
    doc = time_report_json(report, scenario(), lift=0.10, ramp_months=1)
    text = json.dumps(doc, allow_nan=False)  # no NaN / inf leaks into the contract
    assert doc["team"]["selling_share"] == pytest.approx(0.31)
    assert doc["team"]["hours"] == 100.0
    assert {"activity", "category", "hours"} <= set(doc["team"]["by_activity"][0])
    dee = next(r for r in doc["reps"] if r["rep"] == "Dee")
    assert dee["selling_share"] is None and dee["share_reason"] == "no time logged in period"
    assert {"rep", "selling_share"} <= set(doc["reps"][0])
    assert doc["unit_costs"][0]["scope"] == "team"
    # 0.5 x 62 back-office hours x 0.5 conversion = 15.5 selling hours x 2000 = 31000
    assert doc["what_if"]["extra_revenue"] == pytest.approx(31000.0)
    assert doc["what_if"]["scenario"]["shift_share"] == 0.5
    assert [r["metric"] for r in doc["what_if"]["literature"]][0] == "revenue lift"
    assert "middle_gain" in doc["moving_the_middle"]
    assert "shortening" in doc["ramp"]
    assert doc["warnings"] == []
    assert '"period": {"from": "2025-01-06", "to": "2025-02-09"}' in text


def test_build_report_keeps_unknown_activities_with_a_warning():
    rows = pd.concat([ACTIVITY, pd.DataFrame([(2, "golf", 4.0, None)], columns=ACTIVITY.columns)])
    report = build_time_report(_inputs(rep_activity=rows), SETTINGS)
    assert report.unknown_activities == ("golf",)
    assert "'golf'" in report.warning
    assert report.team.hours == 104.0  # kept, not dropped
    assert report.team.unknown_hours == 4.0
    doc = time_report_json(report, scenario(), lift=0.10, ramp_months=1)
    assert doc["unknown_activities"] == ["golf"] and doc["warnings"]


def test_build_report_on_an_empty_database():
    empty_reps = REPS.iloc[0:0]
    report = build_time_report(
        _inputs(
            reps=empty_reps,
            rep_activity=ACTIVITY.iloc[0:0],
            trend_activity=TREND_ROWS.iloc[0:0],
            bookings=BOOKINGS.iloc[0:0],
            monthly_bookings=pd.DataFrame(columns=["rep_id", "month", "bookings"]),
            activity_types=TYPES.iloc[0:0],
        ),
        SETTINGS,
    )
    assert not report.has_time
    assert report.team.selling_share.value is None
    assert report.back_office_activities == []
    doc = time_report_json(report, scenario(), lift=0.10, ramp_months=1)
    json.dumps(doc, allow_nan=False)
    assert doc["what_if"]["moved_hours"] == 0.0
    assert doc["what_if"]["extra_revenue"] is None


def test_employed_during_and_leavers_left_out_of_the_team():
    reps = REPS.assign(
        hire_date=pd.to_datetime(["2020-01-01", "2025-03-01", None, "2020-01-01"]),
        end_date=pd.to_datetime([None, None, None, "2024-12-31"]),
    )
    # Bob joins after the period, Dee left before it; Cy's unknown hire date counts as employed
    assert list(employed_during(reps, "2025-01-06", "2025-02-09")["id"]) == [1, 3]
    report = build_time_report(
        _inputs(
            reps=reps,
            rep_activity=ACTIVITY[ACTIVITY["rep_id"] != 2],
            bookings=BOOKINGS[BOOKINGS["rep_id"] != 2],
        ),
        SETTINGS,
    )
    # Bob logged and booked nothing and was not employed -> out; Dee booked 16000 -> kept
    assert list(report.rep_summary["rep_id"]) == [1, 3, 4]


def test_bookings_per_selling_hour_counts_the_bookings_of_the_weeks_with_time_logged():
    from datetime import date

    from salesops.calendar import Period
    from salesops.time_allocation.report import logged_span

    year = Period(date(2017, 1, 1), date(2017, 12, 31))
    # a company that logged time only in Q4 (weeks starting 2 Oct to 25 Dec)
    q4 = logged_span(year, {"first": date(2017, 10, 2), "last": date(2017, 12, 25)})
    assert (q4.start, q4.end) == (date(2017, 10, 2), date(2017, 12, 31))
    # logged all year and beyond: the period itself
    assert logged_span(year, {"first": date(2016, 1, 4), "last": date(2018, 6, 4)}) == year
    # nothing logged, or nothing in the period: the period (the figure is undefined anyway)
    assert logged_span(year, {"first": None, "last": None}) == year
    assert logged_span(year, {"first": date(2019, 1, 7), "last": date(2019, 3, 4)}) == year
