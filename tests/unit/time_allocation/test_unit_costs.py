"""Loaded hourly cost and the cost per quote, proposal and order, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.time_allocation.classification import classify_activities
from salesops.time_allocation.unit_costs import loaded_hourly_cost, unit_costs
from tests.unit.time_allocation.company import ACTIVITY, REPS, TYPES, WORKING_WEEKS


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
    out = loaded_hourly_cost(odd, working_weeks=WORKING_WEEKS).set_index("rep_id")
    assert out["hourly_cost"].isna().all()
    assert list(out["cost_reason"]) == [
        "weekly capacity is 0",
        "no annual_cost recorded",
        "no weekly capacity recorded",
    ]
    # 45 working weeks instead of 46: 92000 / (40 x 45) = 51.11
    assert loaded_hourly_cost(REPS, working_weeks=45)["hourly_cost"].iloc[0] == pytest.approx(
        92000 / 1800
    )


def test_unit_costs_by_hand(classified, costs):
    out = unit_costs(classified, costs, names=REPS)
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
    costs = loaded_hourly_cost(reps, working_weeks=WORKING_WEEKS)
    out = unit_costs(classify_activities(ACTIVITY, TYPES), costs, activities=["quote"])
    rep = out[out["scope"] == "rep"].set_index("rep_id")
    assert rep.loc[2, "hours_per_unit"] == pytest.approx(3.0)  # time is still known
    assert pd.isna(rep.loc[2, "cost_per_unit"])
    assert rep.loc[2, "reason"] == "weekly capacity is 0"
    team = out[out["scope"] == "team"].iloc[0]
    # Team cost over reps with a known cost only: (300 + 120) / (3 + 2) = 84
    assert team["cost_per_unit"] == pytest.approx(84.0)
    assert team["hours_per_unit"] == pytest.approx(19 / 8)
