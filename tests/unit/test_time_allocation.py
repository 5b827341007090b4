"""Hand-worked tests of the time-allocation formulas (every expected number derived in comments)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from salesops import time_allocation as ta

# The fixture company -------------------------------------------------------------------------
# Loaded hourly cost = annual_cost / (capacity x 46 weeks):
#   Ann 92000 / (40 x 46 = 1840) = 50;  Bob 73600 / 1840 = 40;  Cy 41400 / (30 x 46 = 1380) = 30
#   Dee 92000 / 1840 = 50 (Dee logged no time at all).
REPS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "name": ["Ann", "Bob", "Cy", "Dee"],
        "territory_id": [10, 10, 20, 20],
        "hire_date": pd.to_datetime(["2020-01-01"] * 4),
        "end_date": pd.to_datetime([None] * 4),
        "annual_cost": [92000.0, 73600.0, 41400.0, 92000.0],
        "weekly_capacity_hours": [40.0, 40.0, 30.0, 40.0],
    }
)

TYPES = pd.DataFrame(
    {
        "activity": ["call", "meeting", "quote", "proposal", "order_processing", "admin", "travel"],
        "category": ["selling"] * 2 + ["non_selling"] * 5,
        "is_back_office": [False, False, True, True, True, True, False],
    }
)

# Rep x activity hours over the period.
#   Ann: selling 10+5 = 15 of 40 -> 0.375; back office 6+8+4 = 18; non-selling 25
#   Bob: selling 6 of 40 -> 0.15; back office 9+12+3+10 = 34
#   Cy:  selling 8+2 = 10 of 20 -> 0.5; back office 4+6 = 10
ACTIVITY = pd.DataFrame(
    [
        (1, "call", 10.0, 20),
        (1, "meeting", 5.0, 4),
        (1, "quote", 6.0, 3),
        (1, "proposal", 8.0, 2),
        (1, "order_processing", 4.0, 8),
        (1, "travel", 7.0, None),
        (2, "call", 6.0, 15),
        (2, "quote", 9.0, 3),
        (2, "proposal", 12.0, 3),
        (2, "order_processing", 3.0, 0),
        (2, "admin", 10.0, None),
        (3, "call", 8.0, 16),
        (3, "meeting", 2.0, 1),
        (3, "quote", 4.0, 2),
        (3, "order_processing", 6.0, 4),
    ],
    columns=["rep_id", "activity", "hours", "count"],
).astype({"count": "Int64"})

# Bookings: revenue per selling hour Ann 30000/15 = 2000, Bob 6000/6 = 1000, Cy 10000/10 = 1000.
# Team: 62000 / 31 selling hours = 2000.
BOOKINGS = pd.DataFrame({"rep_id": [1, 2, 3, 4], "bookings": [30000.0, 6000.0, 10000.0, 16000.0]})


@pytest.fixture()
def classified() -> ta.Classified:
    return ta.classify_activities(ACTIVITY, TYPES)


@pytest.fixture()
def summary(classified: ta.Classified) -> pd.DataFrame:
    return ta.rep_time_summary(classified, REPS, BOOKINGS)


@pytest.fixture()
def costs() -> pd.DataFrame:
    return ta.loaded_hourly_cost(REPS)


@pytest.fixture()
def base(classified, summary, costs) -> ta.WhatIfBase:
    return ta.what_if_base(classified, summary, costs, REPS, period_weeks=1)


# Classification ------------------------------------------------------------------------------


def test_classify_adds_category_and_back_office(classified):
    frame = classified.frame
    assert len(frame) == len(ACTIVITY)
    assert classified.unknown_activities == ()
    assert classified.warning is None
    quote = frame[(frame["rep_id"] == 1) & (frame["activity"] == "quote")].iloc[0]
    assert quote["category"] == "non_selling" and bool(quote["is_back_office"])
    travel = frame[frame["activity"] == "travel"].iloc[0]
    assert travel["category"] == "non_selling" and not bool(travel["is_back_office"])


def test_unknown_activities_raise_listing_every_one():
    rows = pd.concat(
        [
            ACTIVITY,
            pd.DataFrame(
                [(1, "golf", 3.0, None), (2, "crm_cleanup", 2.0, None), (3, "golf", 1.0, None)],
                columns=["rep_id", "activity", "hours", "count"],
            ),
        ]
    )
    with pytest.raises(ta.UnknownActivityError) as err:
        ta.classify_activities(rows, TYPES)
    assert err.value.activities == ("crm_cleanup", "golf")
    assert err.value.hours == 6.0  # 3 + 2 + 1
    assert str(err.value) == (
        "2 logged activities are not in activity_types ('crm_cleanup', 'golf'; 6 hours): "
        "add them to activity_types with a category (selling / non_selling)."
    )


def test_unknown_activities_kept_count_as_unknown_not_dropped():
    rows = pd.concat([ACTIVITY, pd.DataFrame([(1, "golf", 10.0, None)], columns=ACTIVITY.columns)])
    result = ta.classify_activities(rows, TYPES, on_unknown="keep")
    assert result.unknown_activities == ("golf",)
    assert "'golf'" in result.warning and "unknown" in result.warning
    summary = ta.rep_time_summary(result, REPS)
    ann = summary.set_index("rep_id").loc[1]
    # Ann now has 40 + 10 = 50 hours, 15 selling -> 0.30; the unknown 10 hours stay in the total.
    assert ann["hours"] == 50.0
    assert ann["unknown_hours"] == 10.0
    assert ann["selling_share"] == pytest.approx(0.30)


def test_bad_category_in_catalogue_is_rejected():
    types = TYPES.assign(category=TYPES["category"].replace({"selling": "Selling"}))
    with pytest.raises(ValueError, match="'Selling'"):
        ta.classify_activities(ACTIVITY, types)


def test_on_unknown_option_is_checked():
    with pytest.raises(ValueError, match="on_unknown"):
        ta.classify_activities(ACTIVITY, TYPES, on_unknown="drop")


# Shares --------------------------------------------------------------------------------------


def test_rep_shares_by_hand(summary):
    s = summary.set_index("rep_id")
    assert s.loc[1, "selling_share"] == pytest.approx(15 / 40)  # 0.375
    assert s.loc[2, "selling_share"] == pytest.approx(6 / 40)  # 0.15
    assert s.loc[3, "selling_share"] == pytest.approx(10 / 20)  # 0.5
    assert s.loc[1, "back_office_hours"] == 18.0  # 6 + 8 + 4 (travel is not back office)
    assert s.loc[1, "non_selling_hours"] == 25.0  # 6 + 8 + 4 + 7
    assert s.loc[2, "back_office_hours"] == 34.0  # 9 + 12 + 3 + 10
    assert s.loc[2, "gap_to_benchmark"] == pytest.approx(0.15 - 1 / 3)
    assert s.loc[1, "revenue_per_selling_hour"] == pytest.approx(2000.0)  # 30000 / 15
    assert s.loc[2, "revenue_per_selling_hour"] == pytest.approx(1000.0)  # 6000 / 6


def test_rep_without_time_is_included_with_reason_not_zero(summary):
    dee = summary.set_index("rep_id").loc[4]
    assert dee["hours"] == 0.0
    assert pd.isna(dee["selling_share"])
    assert dee["share_reason"] == "no time logged in period"
    assert pd.isna(dee["revenue_per_selling_hour"])
    assert dee["rpsh_reason"].startswith("no selling hours logged")
    assert dee["bookings"] == 16000.0


def test_undefined_share_notes(summary):
    assert ta.undefined_share_notes(summary) == ["Dee (no time logged in period)"]


def test_rep_with_zero_hour_rows_gets_its_own_reason():
    rows = pd.DataFrame([(1, "call", 0.0, 0), (1, "quote", 0.0, 0)], columns=ACTIVITY.columns)
    summary = ta.rep_time_summary(ta.classify_activities(rows, TYPES), REPS)
    ann = summary.set_index("rep_id").loc[1]
    assert pd.isna(ann["selling_share"])
    assert ann["share_reason"] == "zero hours logged"
    assert summary.set_index("rep_id").loc[2, "share_reason"] == "no time logged in period"


def test_team_share_is_hours_weighted(summary):
    team = ta.team_time_summary(summary)
    assert team.hours == 100.0  # 40 + 40 + 20
    assert team.selling_hours == 31.0  # 15 + 6 + 10
    assert team.selling_share.value == pytest.approx(0.31)
    assert team.back_office_share.value == pytest.approx(0.62)  # (18 + 34 + 10) / 100
    assert team.gap_to_benchmark.value == pytest.approx(0.31 - 1 / 3)
    # Mean of the three defined rep shares (Dee has none): (0.375 + 0.15 + 0.5) / 3
    assert team.mean_rep_share.value == pytest.approx(1.025 / 3)
    assert team.reps == 4 and team.reps_with_time == 3
    assert team.reps_below_benchmark == 1  # Bob
    assert team.revenue_per_selling_hour.value == pytest.approx(2000.0)  # 62000 / 31
    payload = team.to_json()
    json.dumps(payload)
    assert payload["selling_share"] == pytest.approx(0.31)
    assert payload["selling_share_reason"] is None


def test_team_with_no_time_at_all():
    empty = ta.classify_activities(ACTIVITY.iloc[0:0], TYPES)
    summary = ta.rep_time_summary(empty, REPS)
    team = ta.team_time_summary(summary)
    assert len(summary) == 4
    assert summary["share_reason"].eq("no time logged in period").all()
    assert team.selling_share.value is None
    assert team.selling_share.reason == "no time logged in period"
    assert team.gap_to_benchmark.value is None
    assert team.revenue_per_selling_hour.value is None


def test_custom_benchmark(classified):
    summary = ta.rep_time_summary(classified, REPS, benchmark=0.4)
    team = ta.team_time_summary(summary, benchmark=0.4)
    assert team.reps_below_benchmark == 2  # Ann 0.375 and Bob 0.15
    assert team.gap_to_benchmark.value == pytest.approx(0.31 - 0.4)


def test_hours_by_activity_team_and_rep(classified):
    team = ta.hours_by_activity(classified).set_index("activity")
    assert team.loc["quote", "hours"] == 19.0  # 6 + 9 + 4
    assert team.loc["quote", "count"] == 8.0  # 3 + 3 + 2
    assert team.loc["quote", "share_of_hours"] == pytest.approx(0.19)  # 19 / 100
    assert pd.isna(team.loc["admin", "count"])  # admin never counts units: NA, not 0
    assert team.loc["order_processing", "count"] == 12.0  # 8 + 0 + 4: a counted 0 stays 0
    assert team["hours"].sum() == 100.0
    per_rep = ta.hours_by_activity(classified, by=["rep_id"])
    cy = per_rep[per_rep["rep_id"] == 3].set_index("activity")
    assert cy.loc["order_processing", "share_of_hours"] == pytest.approx(6 / 20)
    # selling activities come first within a rep
    assert list(per_rep[per_rep["rep_id"] == 1]["category"])[:2] == ["selling", "selling"]


def test_furthest_below_and_above(summary):
    out = ta.furthest_from_benchmark(summary, n=1)
    assert list(out["side"]) == ["below", "above"]
    assert list(out["name"]) == ["Bob", "Cy"]  # gaps -0.1833 and +0.1667; Ann +0.0417
    both = ta.furthest_from_benchmark(summary, n=5)
    assert list(both["name"]) == ["Bob", "Cy", "Ann"]  # Dee (no time) in neither list


# Trend ---------------------------------------------------------------------------------------

TREND_ROWS = pd.DataFrame(
    [
        ("2025-01-06", "call", 6.0),
        ("2025-01-06", "quote", 4.0),  # week 1: 6 / 10 = 0.6
        ("2025-01-13", "call", 0.0),
        ("2025-01-13", "quote", 0.0),  # week 2: zero hours -> no share
        # week 3 (2025-01-20): no rows at all -> no share
        ("2025-01-27", "call", 3.0),
        ("2025-01-27", "admin", 9.0),  # week 4: 3 / 12 = 0.25
        ("2025-02-03", "meeting", 5.0),
        ("2025-02-03", "proposal", 5.0),  # week 5 (February): 5 / 10 = 0.5
    ],
    columns=["period", "activity", "hours"],
).assign(period=lambda d: pd.to_datetime(d["period"]))


def test_weekly_trend_shows_gaps_not_zeros():
    trend = ta.selling_share_trend(ta.classify_activities(TREND_ROWS, TYPES), freq="W")
    assert list(trend["period"].dt.strftime("%m-%d")) == [
        "01-06",
        "01-13",
        "01-20",
        "01-27",
        "02-03",
    ]
    shares = trend["selling_share"]
    assert shares.iloc[0] == pytest.approx(0.6)
    assert pd.isna(shares.iloc[1]) and pd.isna(shares.iloc[2])
    assert trend["share_reason"].iloc[1] == "no hours logged in this period"
    assert trend["hours"].iloc[2] == 0.0
    assert shares.iloc[3] == pytest.approx(0.25)
    assert shares.iloc[4] == pytest.approx(0.5)
    assert trend["back_office_hours"].iloc[3] == 9.0


def test_monthly_trend_and_range_padding():
    trend = ta.selling_share_trend(
        ta.classify_activities(TREND_ROWS, TYPES), freq="M", start="2024-12-15", end="2025-03-31"
    )
    assert list(trend["period"].dt.strftime("%Y-%m")) == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    # January: (6 + 0 + 3) selling of (10 + 0 + 12) hours = 9 / 22
    assert trend["selling_share"].iloc[1] == pytest.approx(9 / 22)
    assert trend["selling_share"].iloc[2] == pytest.approx(0.5)
    assert pd.isna(trend["selling_share"].iloc[0]) and pd.isna(trend["selling_share"].iloc[3])


def test_trend_of_nothing_is_empty_not_an_error():
    empty = ta.classify_activities(TREND_ROWS.iloc[0:0], TYPES)
    assert ta.selling_share_trend(empty).empty
    padded = ta.selling_share_trend(empty, start="2025-01-01", end="2025-01-31")
    # Mondays 2025-01-06 .. 2025-01-27: the week of Monday 2024-12-30 began before the period
    assert list(padded["period"].dt.day) == [6, 13, 20, 27]
    assert padded["selling_share"].isna().all()


def test_trend_rejects_unknown_freq():
    with pytest.raises(ValueError, match="freq"):
        ta.selling_share_trend(ta.classify_activities(TREND_ROWS, TYPES), freq="D")


# Unit costs ----------------------------------------------------------------------------------


def test_loaded_hourly_cost(costs):
    c = costs.set_index("rep_id")["hourly_cost"]
    assert list(c) == pytest.approx([50.0, 40.0, 30.0, 50.0])
    odd = pd.DataFrame(
        {
            "id": [7, 8, 9],
            "annual_cost": [50000.0, None, 60000.0],
            "weekly_capacity_hours": [0.0, 40.0, None],
        }
    )
    out = ta.loaded_hourly_cost(odd).set_index("rep_id")
    assert out["hourly_cost"].isna().all()
    assert list(out["cost_reason"]) == [
        "weekly capacity is 0",
        "no annual_cost recorded",
        "no weekly capacity recorded",
    ]
    # 45 working weeks instead of 46: 92000 / (40 x 45) = 51.11
    assert ta.loaded_hourly_cost(REPS, working_weeks=45)["hourly_cost"].iloc[0] == pytest.approx(
        92000 / 1800
    )


def test_unit_costs_by_hand(classified, costs):
    out = ta.unit_costs(classified, costs, names=REPS)
    team = out[out["scope"] == "team"].set_index("activity")
    rep = out[out["scope"] == "rep"].set_index(["rep_id", "activity"])
    # Quotes: Ann 6h/3 = 2h x 50 = 100; Bob 9/3 = 3h x 40 = 120; Cy 4/2 = 2h x 30 = 60
    assert rep.loc[(1, "quote"), "hours_per_unit"] == pytest.approx(2.0)
    assert rep.loc[(1, "quote"), "cost_per_unit"] == pytest.approx(100.0)
    assert rep.loc[(2, "quote"), "cost_per_unit"] == pytest.approx(120.0)
    assert rep.loc[(3, "quote"), "cost_per_unit"] == pytest.approx(60.0)
    assert rep.loc[(1, "quote"), "name"] == "Ann"
    # Team quotes: 19h / 8 = 2.375h; (300 + 360 + 120) / 8 = 97.5; hourly 780 / 19
    assert team.loc["quote", "hours_per_unit"] == pytest.approx(2.375)
    assert team.loc["quote", "cost_per_unit"] == pytest.approx(97.5)
    assert team.loc["quote", "hourly_cost"] == pytest.approx(780 / 19)
    # Proposals: 20h / 5 = 4h; (8 x 50 + 12 x 40) / 5 = 880 / 5 = 176
    assert team.loc["proposal", "hours_per_unit"] == pytest.approx(4.0)
    assert team.loc["proposal", "cost_per_unit"] == pytest.approx(176.0)
    # Orders: Bob logged 3h with count 0 -> undefined for Bob, still in the team's hours:
    # team 13h / 12 orders; cost (4 x 50 + 3 x 40 + 6 x 30) / 12 = 500 / 12
    assert pd.isna(rep.loc[(2, "order_processing"), "hours_per_unit"])
    assert rep.loc[(2, "order_processing"), "reason"] == "no units counted (count is 0)"
    assert rep.loc[(1, "order_processing"), "hours_per_unit"] == pytest.approx(0.5)
    assert team.loc["order_processing", "hours_per_unit"] == pytest.approx(13 / 12)
    assert team.loc["order_processing", "cost_per_unit"] == pytest.approx(500 / 12)
    # Admin has no counts at all
    assert pd.isna(team.loc["admin", "hours_per_unit"])
    assert team.loc["admin", "reason"] == "no units counted (count is 0)"
    # Default activities = back-office only (no call, travel)
    assert set(out["activity"]) == {"quote", "proposal", "order_processing", "admin"}
    assert list(out["scope"])[:4] == ["team"] * 4


def test_unit_costs_rep_without_known_cost():
    reps = REPS.assign(weekly_capacity_hours=[40.0, 0.0, 30.0, 40.0])  # Bob: capacity 0
    costs = ta.loaded_hourly_cost(reps)
    out = ta.unit_costs(ta.classify_activities(ACTIVITY, TYPES), costs, activities=["quote"])
    rep = out[out["scope"] == "rep"].set_index("rep_id")
    assert rep.loc[2, "hours_per_unit"] == pytest.approx(3.0)  # time is still known
    assert pd.isna(rep.loc[2, "cost_per_unit"])
    assert rep.loc[2, "reason"] == "weekly capacity is 0"
    team = out[out["scope"] == "team"].iloc[0]
    # Team cost over reps with a known cost only: (300 + 120) / (3 + 2) = 84
    assert team["cost_per_unit"] == pytest.approx(84.0)
    assert team["hours_per_unit"] == pytest.approx(19 / 8)


# What-if -------------------------------------------------------------------------------------


def test_what_if_base_pre_aggregates(base):
    assert base.activity_hours == {
        "admin": 10.0,
        "order_processing": 13.0,
        "proposal": 20.0,
        "quote": 19.0,
    }
    # cost = sum(hours x rate): quote 300 + 360 + 120; admin 10 x 40
    assert base.activity_cost["quote"] == pytest.approx(780.0)
    assert base.activity_cost["admin"] == pytest.approx(400.0)
    assert base.selling_hours == 31.0 and base.bookings == 62000.0
    # SG&A for one week: (92000 + 73600 + 41400 + 92000) / 52 = 299000 / 52 = 5750
    assert base.sga == pytest.approx(5750.0)
    assert base.mean_hourly_cost == pytest.approx(42.5)  # (50 + 40 + 30 + 50) / 4
    assert ta.default_sales_ops_hourly_cost(base) == pytest.approx(21.25)


def test_what_if_linear_by_hand(base):
    scenario = ta.WhatIfScenario(
        shift_share=0.5,
        activities=("quote", "proposal"),
        sales_ops_hourly_cost=30.0,
        selling_conversion=0.4,
    )
    r = ta.what_if(base, scenario)
    assert r.moved_hours == pytest.approx(19.5)  # 0.5 x (19 + 20)
    assert r.extra_selling_hours == pytest.approx(7.8)  # 19.5 x 0.4
    assert r.revenue_per_selling_hour.value == pytest.approx(2000.0)
    assert r.extra_revenue.value == pytest.approx(15600.0)  # 7.8 x 2000
    assert r.sales_ops_cost == pytest.approx(585.0)  # 19.5 x 1.0 x 30
    assert r.released_rep_cost == 0.0
    assert r.net_gain.value == pytest.approx(15015.0)  # 15600 - 585
    assert r.revenue_lift.value == pytest.approx(15600 / 62000)
    assert r.sga_change.value == pytest.approx(585 / 5750)
    # SG&A per revenue: (6335 / 77600) / (5750 / 62000) - 1
    assert r.sga_to_revenue_change.value == pytest.approx((6335 / 77600) / (5750 / 62000) - 1)
    assert list(r.by_activity["moved_hours"]) == pytest.approx([9.5, 10.0])


def test_what_if_diminishing_returns_and_release_by_hand(base):
    scenario = ta.WhatIfScenario(
        shift_share=0.5,
        activities=None,  # all back office: 10 + 13 + 20 + 19 = 62 hours
        sales_ops_hourly_cost=25.0,
        sales_ops_time_factor=0.8,
        selling_conversion=0.5,
        elasticity=0.5,
        release_unconverted=True,
    )
    r = ta.what_if(base, scenario)
    assert r.moved_hours == pytest.approx(31.0)  # 0.5 x 62
    assert r.extra_selling_hours == pytest.approx(15.5)
    # R(S) = 62000 x (S / 31) ^ 0.5 -> extra = 62000 x (sqrt(46.5 / 31) - 1) = 62000 x 0.224745
    assert r.extra_revenue.value == pytest.approx(62000 * (math.sqrt(1.5) - 1))
    assert r.extra_revenue.value == pytest.approx(13934.18, abs=0.01)
    assert r.sales_ops_hours == pytest.approx(24.8)  # 31 x 0.8
    assert r.sales_ops_cost == pytest.approx(620.0)  # 24.8 x 25
    # released = (1 - 0.5) x 0.5 x (780 + 880 + 500 + 400) = 0.25 x 2560 = 640
    assert r.released_rep_cost == pytest.approx(640.0)
    assert r.net_gain.value == pytest.approx(13934.18 - 620 + 640, abs=0.01)
    assert r.sga_change.value == pytest.approx(-20 / 5750)  # (620 - 640) / 5750
    linear = ta.what_if(base, ta.WhatIfScenario(**{**scenario.__dict__, "elasticity": 1.0}))
    assert linear.extra_revenue.value == pytest.approx(31000.0)  # 15.5 x 2000
    assert linear.revenue_lift.value == pytest.approx(0.5)
    # (5730 / 93000) / (5750 / 62000) - 1 = -0.335652
    assert linear.sga_to_revenue_change.value == pytest.approx(-0.335652, abs=1e-6)
    lit = ta.literature_comparison(linear).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "above"  # 50% > 20%
    assert lit.loc["SG&A reduction", "value"] == pytest.approx(20 / 5750)
    assert lit.loc["SG&A reduction", "status"] == "below"  # 0.35% < 20%
    assert lit.loc["SG&A-to-revenue reduction", "status"] == "above"  # 33.6% > 30%


def test_what_if_zero_move_changes_nothing(base):
    r = ta.what_if(base, ta.WhatIfScenario(shift_share=0.0))
    assert r.moved_hours == 0 and r.extra_revenue.value == 0 and r.sales_ops_cost == 0
    assert r.revenue_lift.value == 0 and r.sga_change.value == 0
    lit = ta.literature_comparison(r).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "below"


def test_what_if_zero_selling_hours_is_undefined_not_zero():
    rows = ACTIVITY[ACTIVITY["activity"].isin(["quote", "admin"])]
    classified = ta.classify_activities(rows, TYPES)
    summary = ta.rep_time_summary(classified, REPS, BOOKINGS)
    base = ta.what_if_base(classified, summary, ta.loaded_hourly_cost(REPS), REPS, period_weeks=4)
    r = ta.what_if(base, ta.WhatIfScenario(shift_share=0.5))
    assert r.moved_hours == pytest.approx(0.5 * (19 + 10))
    assert r.revenue_per_selling_hour.value is None
    assert r.extra_revenue.value is None
    assert "revenue per selling hour undefined" in r.extra_revenue.reason
    assert r.revenue_lift.value is None and r.net_gain.value is None
    assert r.sga_to_revenue_change.value is None
    assert r.sga_change.value is not None  # the cost side is still defined
    payload = r.to_json()
    text = json.dumps(payload)
    assert "NaN" not in text and "Infinity" not in text
    assert payload["extra_revenue"] is None and payload["extra_revenue_reason"]
    lit = ta.literature_comparison(r).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "undefined"


def test_what_if_no_bookings_lift_undefined(classified, costs):
    summary = ta.rep_time_summary(classified, REPS)  # no bookings at all
    base = ta.what_if_base(classified, summary, costs, REPS, period_weeks=1)
    r = ta.what_if(base, ta.WhatIfScenario())
    assert r.revenue_per_selling_hour.value == 0.0
    assert r.extra_revenue.value == 0.0
    assert r.revenue_lift.value is None
    assert r.revenue_lift.reason == "no bookings in period: revenue lift undefined"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shift_share": 1.5}, "shift_share must be between 0 and 1"),
        ({"selling_conversion": -0.1}, "selling_conversion must be between 0 and 1"),
        ({"elasticity": 0.0}, "elasticity"),
        ({"sales_ops_hourly_cost": -1.0}, "cannot be negative"),
        ({"activities": ("call",)}, "not: call"),
    ],
)
def test_what_if_rejects_bad_sliders(base, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ta.what_if(base, ta.WhatIfScenario(**kwargs))


# Moving the middle ---------------------------------------------------------------------------


def _ten_reps() -> pd.DataFrame:
    # Productivity (bookings / selling hour) = 100, 200, ..., 1000 with 10 selling hours each,
    # so bookings are 1000, 2000, ..., 10000 (total 55000). Rep 11 has no selling hours.
    return pd.DataFrame(
        {
            "rep_id": list(range(1, 12)),
            "name": [f"R{i}" for i in range(1, 12)],
            "bookings": [1000.0 * i for i in range(1, 11)] + [500.0],
            "selling_hours": [10.0] * 10 + [0.0],
        }
    )


def test_distribution_groups_middle_sixty_percent():
    dist = ta.productivity_distribution(_ten_reps())
    # n = 10 ranked -> k = floor(10 x 0.4 / 2) = 2 bottom, 2 top, 6 middle
    assert list(dist["group"]) == ["bottom"] * 2 + ["middle"] * 6 + ["top"] * 2 + ["excluded"]
    assert dist.loc[dist["top_performer"], "name"].tolist() == ["R10"]
    assert dist["productivity"].iloc[0] == pytest.approx(100.0)
    assert dist["reason"].iloc[-1].startswith("no selling hours")
    assert pd.isna(dist["rank"].iloc[-1])


def test_middle_lift_by_hand():
    dist = ta.productivity_distribution(_ten_reps())
    lift = ta.middle_lift(dist, 0.10)
    # Middle = R3..R8: bookings 3000 + ... + 8000 = 33000 -> +3300; top R10: 10000 -> +1000
    assert lift.middle_reps == 6
    assert lift.middle_bookings == pytest.approx(33000.0)
    assert lift.middle_gain == pytest.approx(3300.0)
    assert lift.top_rep == "R10"
    assert lift.top_gain == pytest.approx(1000.0)
    assert lift.middle_to_top_ratio.value == pytest.approx(3.3)
    # Share of ranked bookings: 3300 / 55000 (R11 is excluded from the ranking)
    assert lift.middle_gain_share_of_total.value == pytest.approx(0.06)
    json.dumps(lift.to_json())


def test_distribution_per_rep_basis_and_small_teams():
    reps = _ten_reps()
    per_rep = ta.productivity_distribution(reps, basis="per_rep")
    # per rep, R11 (500 bookings, no selling hours) is ranked, lowest
    assert per_rep["name"].iloc[0] == "R11"
    assert (per_rep["group"] != "excluded").all()
    # n = 11 -> k = floor(11 x 0.2) = 2: middle 7
    assert (per_rep["group"] == "middle").sum() == 7
    three = ta.productivity_distribution(reps.head(3))
    # n = 3 -> k = floor(0.6) = 0: everybody is middle, the best is also the top performer
    assert (three["group"] == "middle").all()
    lift = ta.middle_lift(three, 0.2)
    assert lift.middle_gain == pytest.approx(0.2 * 6000)  # (1000 + 2000 + 3000) x 0.2
    assert lift.top_gain == pytest.approx(600.0)


def test_middle_lift_with_no_reps_is_undefined_not_error():
    empty = _ten_reps().iloc[0:0]
    lift = ta.middle_lift(ta.productivity_distribution(empty), 0.1)
    assert lift.middle_reps == 0 and lift.top_rep is None
    assert lift.middle_to_top_ratio.value is None
    assert lift.middle_gain_share_of_total.value is None


# Ramp ----------------------------------------------------------------------------------------


def _ramp_reps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "hire_date": pd.to_datetime(["2024-01-10", "2023-06-01", "2024-11-20"]),
            "end_date": pd.to_datetime([None, None, None]),
        }
    )


def _ramp_bookings() -> pd.DataFrame:
    rows = [(1, "2024-02-01", 50.0)]  # rep 1: January nothing, February 50
    rows += [(1, f"2024-{m:02d}-01", 100.0) for m in range(3, 13)]  # March..December 100
    rows += [(2, f"2024-{m:02d}-15", 100.0) for m in range(1, 13)]  # rep 2: tenure 8..19
    rows += [(3, "2024-11-01", 20.0), (3, "2024-12-01", 70.0)]  # rep 3: tenure 1, 2
    return pd.DataFrame(rows, columns=["rep_id", "month", "bookings"])


def test_ramp_curve_by_hand():
    ramp = ta.ramp_curve(
        _ramp_bookings(),
        _ramp_reps(),
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        max_tenure=4,
    )
    c = ramp.curve.set_index("tenure_month")
    # t1: rep 1 January 0 (no row counts as 0) and rep 3 November 20 -> 10
    assert c.loc[1, "reps"] == 2 and c.loc[1, "bookings_per_rep"] == pytest.approx(10.0)
    assert c.loc[2, "bookings_per_rep"] == pytest.approx(60.0)  # (50 + 70) / 2
    assert c.loc[3, "bookings_per_rep"] == pytest.approx(100.0)
    # Ramped level = plateau at tenure 3..4: rep 1 March and April, 100 each -> 100
    # (rep 2, at tenure 8..19, is beyond the curve and another cohort).
    assert ramp.ramped_level.value == pytest.approx(100.0)
    assert c.loc[4, "reps"] == 1
    assert ramp.months_to_ramp.value == 3  # first month >= 90
    json.dumps(ramp.to_json())


def test_ramp_shortening_value_by_hand():
    ramp = ta.ramp_curve(
        _ramp_bookings(),
        _ramp_reps(),
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        max_tenure=4,
    )
    one = ta.ramp_shortening_value(ramp, 1, hires_per_year=6)
    # window W = 2: (c2 - c1) + (ramped - c2) = (60 - 10) + (100 - 60) = 90 per hire
    assert one.gain_per_hire.value == pytest.approx(90.0)
    assert one.gain_per_year.value == pytest.approx(540.0)
    two = ta.ramp_shortening_value(ramp, 2, hires_per_year=6)
    assert two.gain_per_hire.value == pytest.approx(130.0)  # (100 - 10) + (100 - 60)
    assert ta.ramp_shortening_value(ramp, 0, 6).gain_per_hire.value == 0.0
    json.dumps(two.to_json())


def test_ramp_respects_end_date_and_window():
    reps = pd.concat(
        [
            _ramp_reps(),
            pd.DataFrame(
                {
                    "id": [4],
                    "hire_date": pd.to_datetime(["2024-01-01"]),
                    "end_date": pd.to_datetime(["2024-01-31"]),
                }
            ),
        ],
        ignore_index=True,
    )
    ramp = ta.ramp_curve(
        _ramp_bookings(), reps, window_start="2024-01-01", window_end="2024-12-31", ramped_from=3
    )
    c = ramp.curve.set_index("tenure_month")
    # rep 4 adds one zero month at tenure 1 only: (0 + 20 + 0) / 3
    assert c.loc[1, "reps"] == 3 and c.loc[1, "bookings_per_rep"] == pytest.approx(20 / 3)
    assert c.loc[2, "reps"] == 2


def test_ramp_without_new_hires_is_undefined():
    reps = _ramp_reps().iloc[[1]]  # only rep 2, hired long before the window
    ramp = ta.ramp_curve(
        _ramp_bookings(), reps, window_start="2024-01-01", window_end="2024-12-31", ramped_from=3
    )
    # rep 2 is seen at tenure 8..19 only: plateau 3..24 is 100, the ramp months 1-2 unseen
    assert ramp.ramped_level.value == pytest.approx(100.0)
    value = ta.ramp_shortening_value(ramp, 1, hires_per_year=10)
    assert value.gain_per_hire.value is None
    assert value.gain_per_hire.reason == "no rep observed at tenure month(s) 1, 2"
    nobody = ta.ramp_curve(
        _ramp_bookings().iloc[0:0],
        reps.iloc[0:0],
        window_start="2024-01-01",
        window_end="2024-12-31",
    )
    assert nobody.ramped_level.value is None
    assert ta.ramp_shortening_value(nobody, 1, 5).gain_per_year.value is None


# The whole report ----------------------------------------------------------------------------


def _inputs(**overrides) -> ta.TimeInputs:
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
    return ta.TimeInputs(**values)


def test_build_report_and_json_contract():
    report = ta.build_time_report(_inputs())
    assert report.inputs.period_weeks == 5.0
    assert report.team.selling_share.value == pytest.approx(0.31)
    assert report.back_office_activities == ["proposal", "quote", "order_processing", "admin"]
    assert report.what_if_base.sga == pytest.approx(299000 * 5 / 52)
    assert len(report.trend) == 5 and report.has_time
    doc = ta.time_report_json(report, ta.WhatIfScenario(shift_share=0.5, selling_conversion=0.5))
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
    report = ta.build_time_report(_inputs(rep_activity=rows))
    assert report.unknown_activities == ("golf",)
    assert "'golf'" in report.warning
    assert report.team.hours == 104.0  # kept, not dropped
    assert report.team.unknown_hours == 4.0
    doc = ta.time_report_json(report, ta.WhatIfScenario())
    assert doc["unknown_activities"] == ["golf"] and doc["warnings"]


def test_build_report_on_an_empty_database():
    empty_reps = REPS.iloc[0:0]
    report = ta.build_time_report(
        _inputs(
            reps=empty_reps,
            rep_activity=ACTIVITY.iloc[0:0],
            trend_activity=TREND_ROWS.iloc[0:0],
            bookings=BOOKINGS.iloc[0:0],
            monthly_bookings=pd.DataFrame(columns=["rep_id", "month", "bookings"]),
            activity_types=TYPES.iloc[0:0],
        )
    )
    assert not report.has_time
    assert report.team.selling_share.value is None
    assert report.back_office_activities == []
    doc = ta.time_report_json(report, ta.WhatIfScenario())
    json.dumps(doc, allow_nan=False)
    assert doc["what_if"]["moved_hours"] == 0.0
    assert doc["what_if"]["extra_revenue"] is None


def test_employed_during_and_leavers_left_out_of_the_team():
    reps = REPS.assign(
        hire_date=pd.to_datetime(["2020-01-01", "2025-03-01", None, "2020-01-01"]),
        end_date=pd.to_datetime([None, None, None, "2024-12-31"]),
    )
    # Bob joins after the period, Dee left before it; Cy's unknown hire date counts as employed
    assert list(ta.employed_during(reps, "2025-01-06", "2025-02-09")["id"]) == [1, 3]
    report = ta.build_time_report(
        _inputs(
            reps=reps,
            rep_activity=ACTIVITY[ACTIVITY["rep_id"] != 2],
            bookings=BOOKINGS[BOOKINGS["rep_id"] != 2],
        )
    )
    # Bob logged and booked nothing and was not employed -> out; Dee booked 16000 -> kept
    assert list(report.rep_summary["rep_id"]) == [1, 3, 4]


def test_reps_in_scope_and_hires_per_year():
    reps = REPS.assign(manager=["M1", "M1", "M2", "M2"])
    assert list(ta.reps_in_scope(reps, territory_ids=[10])["id"]) == [1, 2]
    assert list(ta.reps_in_scope(reps, managers=["M2"], rep_ids=[3])["id"]) == [3]
    assert len(ta.reps_in_scope(reps)) == 4
    # _ramp_reps: hires 2023-06-01, 2024-01-10, 2024-11-20 inside 2023-01-01..2024-12-31,
    # a window of 730 days = 730 / 365.25 years -> 3 / 1.9986 = 1.501 hires a year
    hires = ta.observed_hires_per_year(_ramp_reps(), "2023-01-01", "2024-12-31")
    assert hires.value == pytest.approx(3 / (730 / 365.25))
    assert ta.observed_hires_per_year(_ramp_reps(), "2024-01-01", "2023-01-01").value is None


def test_formula_names_are_escaped_in_downloads():
    from salesops.export import to_safe_csv

    reps = REPS.assign(name=['=HYPERLINK("http://x")', "Bob", "@SUM(1+1)", "-2+3"])
    summary = ta.rep_time_summary(ta.classify_activities(ACTIVITY, TYPES), reps, BOOKINGS)
    text = to_safe_csv(summary).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and "'-2+3" in text
    assert ",-0.18333" in text  # Bob's negative gap stays a number
