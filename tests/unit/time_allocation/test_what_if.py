"""The freed-time what-if, worked by hand: hours, revenue, SG&A, the literature."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from salesops.config import Settings
from salesops.time_allocation.classification import classify_activities
from salesops.time_allocation.shares import rep_time_summary
from salesops.time_allocation.unit_costs import loaded_hourly_cost
from salesops.time_allocation.what_if import (
    default_sales_ops_hourly_cost,
    default_scenario,
    literature_comparison,
    potential_headroom,
    what_if,
    what_if_base,
)
from tests.unit.time_allocation.company import (
    ACTIVITY,
    BENCHMARK,
    BOOKINGS,
    LITERATURE,
    REPS,
    TYPES,
    WORKING_WEEKS,
    scenario,
)


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
    assert default_sales_ops_hourly_cost(base, ratio=0.5, fallback=40.0) == pytest.approx(21.25)


def test_what_if_linear_by_hand(base):
    chosen = scenario(
        shift_share=0.5,
        activities=("quote", "proposal"),
        sales_ops_hourly_cost=30.0,
        selling_conversion=0.4,
    )
    r = what_if(base, chosen)
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
    chosen = scenario(
        shift_share=0.5,
        activities=None,  # all back office: 10 + 13 + 20 + 19 = 62 hours
        sales_ops_hourly_cost=25.0,
        sales_ops_time_factor=0.8,
        selling_conversion=0.5,
        elasticity=0.5,
        release_unconverted=True,
    )
    r = what_if(base, chosen)
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
    linear = what_if(base, scenario(**{**chosen.__dict__, "elasticity": 1.0}))
    assert linear.extra_revenue.value == pytest.approx(31000.0)  # 15.5 x 2000
    assert linear.revenue_lift.value == pytest.approx(0.5)
    # (5730 / 93000) / (5750 / 62000) - 1 = -0.335652
    assert linear.sga_to_revenue_change.value == pytest.approx(-0.335652, abs=1e-6)
    lit = literature_comparison(linear, **LITERATURE).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "above"  # 50% > 20%
    # the same sign as the tile: a cut is negative, beside the literature's -30% .. -20%
    assert lit.loc["SG&A change", "value"] == pytest.approx(-20 / 5750)
    assert (lit.loc["SG&A change", "low"], lit.loc["SG&A change", "high"]) == (-0.3, -0.2)
    assert lit.loc["SG&A change", "status"] == "below"  # a 0.35% cut < 20%
    assert lit.loc["SG&A-to-revenue change", "status"] == "above"  # a 33.6% cut > 30%


def test_what_if_zero_move_changes_nothing(base):
    r = what_if(base, scenario(shift_share=0.0))
    assert r.moved_hours == 0 and r.extra_revenue.value == 0 and r.sales_ops_cost == 0
    assert r.revenue_lift.value == 0 and r.sga_change.value == 0
    lit = literature_comparison(r, **LITERATURE).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "below"


def test_what_if_zero_selling_hours_is_undefined_not_zero():
    rows = ACTIVITY[ACTIVITY["activity"].isin(["quote", "admin"])]
    classified = classify_activities(rows, TYPES)
    summary = rep_time_summary(classified, REPS, BOOKINGS, benchmark=BENCHMARK)
    base = what_if_base(
        classified,
        summary,
        loaded_hourly_cost(REPS, working_weeks=WORKING_WEEKS),
        REPS,
        period_weeks=4,
    )
    r = what_if(base, scenario(shift_share=0.5))
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
    lit = literature_comparison(r, **LITERATURE).set_index("metric")
    assert lit.loc["revenue lift", "status"] == "undefined"


def test_what_if_no_bookings_lift_undefined(classified, costs):
    summary = rep_time_summary(classified, REPS, benchmark=BENCHMARK)  # no bookings
    base = what_if_base(classified, summary, costs, REPS, period_weeks=1)
    r = what_if(base, scenario())
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
        what_if(base, scenario(**kwargs))


def test_default_scenario_starts_from_the_settings(base):
    settings = Settings()
    start = default_scenario(base, settings)
    assert start.shift_share == settings.what_if_shift_share == 0.25
    assert start.selling_conversion == settings.what_if_selling_conversion == 0.5
    assert start.activities is None  # every back-office activity
    # half the reps' mean loaded hourly cost: 0.5 x 42.5
    assert start.sales_ops_hourly_cost == pytest.approx(21.25)
    # diminishing returns by default; the net gain counts margin, not bookings
    assert (start.sales_ops_time_factor, start.elasticity) == (1.0, 0.6)
    assert start.gross_margin == settings.default_gross_margin == 0.65
    assert start.release_unconverted is False
    unknown_costs = replace(base, mean_hourly_cost=None)
    assert default_scenario(unknown_costs, settings).sales_ops_hourly_cost == 40.0


def test_net_gain_weighs_the_cost_against_margin_not_bookings(base):
    chosen = scenario(
        shift_share=0.5,
        activities=("quote", "proposal"),
        sales_ops_hourly_cost=30.0,
        selling_conversion=0.4,
        gross_margin=0.65,
    )
    r = what_if(base, chosen)
    assert r.extra_revenue.value == pytest.approx(15600.0)  # as the linear case
    assert r.extra_margin.value == pytest.approx(10140.0)  # 15600 x 0.65
    assert r.net_gain.value == pytest.approx(10140.0 - 585.0)


def test_extra_revenue_is_capped_by_the_open_pipeline(base):
    chosen = scenario(
        shift_share=0.5,
        activities=("quote", "proposal"),
        sales_ops_hourly_cost=30.0,
        selling_conversion=0.4,
    )
    # uncapped it is 15,600 (the linear case); only 10,000 of pipeline is open
    r = what_if(replace(base, revenue_cap=10_000.0), chosen)
    assert r.extra_revenue.value == 10_000.0
    assert r.extra_revenue.reason == "capped by the open pipeline (10,000 left)"
    assert (r.cap_binding, r.cap) == ("open pipeline", 10_000.0)
    assert r.net_gain.value == pytest.approx(10_000.0 - 585.0)
    assert r.revenue_lift.value == pytest.approx(10_000 / 62_000)
    roomy = what_if(replace(base, revenue_cap=1e9), chosen)
    assert roomy.extra_revenue.value == pytest.approx(15_600.0)
    assert roomy.extra_revenue.reason is None
    assert roomy.cap_binding is None and roomy.cap is None


def test_potential_headroom_is_the_period_potential_less_bookings_and_pipeline():
    # 520,000 a year over 13 weeks is 130,000; 62,000 booked and 40,000 open leave 28,000
    assert potential_headroom(520_000.0, 13.0, 62_000.0, 40_000.0) == pytest.approx(28_000.0)
    assert potential_headroom(520_000.0, 13.0, 100_000.0, 40_000.0) == 0.0  # never negative
    assert potential_headroom(None, 13.0, 62_000.0, 40_000.0) is None


def test_extra_revenue_is_capped_by_what_the_accounts_can_still_yield(base):
    chosen = scenario(
        shift_share=0.5,
        activities=("quote", "proposal"),
        sales_ops_hourly_cost=30.0,
        selling_conversion=0.4,
    )
    # uncapped 15,600 (the linear case); the pipeline leaves 50,000, the potential 9,000
    r = what_if(replace(base, revenue_cap=50_000.0, potential_headroom=9_000.0), chosen)
    assert r.extra_revenue.value == 9_000.0
    assert r.extra_revenue.reason == "capped by the account potential (9,000 left)"
    assert (r.cap_binding, r.cap) == ("account potential", 9_000.0)
    assert r.extra_margin.value == pytest.approx(9_000.0 * chosen.gross_margin)
    assert r.revenue_lift.value == pytest.approx(9_000 / 62_000)
    # the lower ceiling binds: here the pipeline
    r = what_if(replace(base, revenue_cap=5_000.0, potential_headroom=9_000.0), chosen)
    assert (r.extra_revenue.value, r.cap_binding) == (5_000.0, "open pipeline")
    # accounts worth nothing more: no extra revenue at all
    r = what_if(replace(base, potential_headroom=0.0), chosen)
    assert (r.extra_revenue.value, r.cap_binding) == (0.0, "account potential")
    # a ceiling above the extra revenue does not bind
    r = what_if(replace(base, potential_headroom=1e9), chosen)
    assert r.extra_revenue.value == pytest.approx(15_600.0) and r.cap_binding is None


def test_what_if_base_reads_the_potential_headroom():
    summary = rep_time_summary(
        classify_activities(ACTIVITY, TYPES).frame, REPS, BOOKINGS, benchmark=BENCHMARK
    )
    costs = loaded_hourly_cost(REPS, working_weeks=WORKING_WEEKS)
    rows = classify_activities(ACTIVITY, TYPES)
    made = what_if_base(
        rows, summary, costs, REPS, period_weeks=52.0, revenue_cap=8_000.0,
        account_potential=100_000.0,
    )  # fmt: skip
    assert made.potential_headroom == pytest.approx(100_000.0 - 62_000.0 - 8_000.0)
    assert what_if_base(rows, summary, costs, REPS, period_weeks=52.0).potential_headroom is None
