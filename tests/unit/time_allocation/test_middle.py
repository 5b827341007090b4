"""Moving the middle: the productivity distribution and the middle lift, by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesops.time_allocation.middle import middle_lift, productivity_distribution

# Settings' defaults: rank by bookings per selling hour, the middle 60% of reps.
PER_SELLING_HOUR = {"basis": "per_selling_hour", "middle_share": 0.6}


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
    dist = productivity_distribution(_ten_reps(), **PER_SELLING_HOUR)
    # n = 10 ranked -> k = floor(10 x 0.4 / 2) = 2 bottom, 2 top, 6 middle
    assert list(dist["group"]) == ["bottom"] * 2 + ["middle"] * 6 + ["top"] * 2 + ["excluded"]
    assert dist.loc[dist["top_performer"], "name"].tolist() == ["R10"]
    assert dist["productivity"].iloc[0] == pytest.approx(100.0)
    assert dist["reason"].iloc[-1].startswith("no selling hours")
    assert pd.isna(dist["rank"].iloc[-1])


def test_middle_lift_by_hand():
    dist = productivity_distribution(_ten_reps(), **PER_SELLING_HOUR)
    lift = middle_lift(dist, 0.10)
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
    per_rep = productivity_distribution(reps, basis="per_rep", middle_share=0.6)
    # per rep, R11 (500 bookings, no selling hours) is ranked, lowest
    assert per_rep["name"].iloc[0] == "R11"
    assert (per_rep["group"] != "excluded").all()
    # n = 11 -> k = floor(11 x 0.2) = 2: middle 7
    assert (per_rep["group"] == "middle").sum() == 7
    three = productivity_distribution(reps.head(3), **PER_SELLING_HOUR)
    # n = 3 -> k = floor(0.6) = 0: everybody is middle, the best is also the top performer
    assert (three["group"] == "middle").all()
    lift = middle_lift(three, 0.2)
    assert lift.middle_gain == pytest.approx(0.2 * 6000)  # (1000 + 2000 + 3000) x 0.2
    assert lift.top_gain == pytest.approx(600.0)


def test_middle_lift_with_no_reps_is_undefined_not_error():
    empty = _ten_reps().iloc[0:0]
    lift = middle_lift(productivity_distribution(empty, **PER_SELLING_HOUR), 0.1)
    assert lift.middle_reps == 0 and lift.top_rep is None
    assert lift.middle_to_top_ratio.value is None
    assert lift.middle_gain_share_of_total.value is None
