"""Hires: coverage hires rounding to the target utilisation, bookings hires filling the gap."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.capacity.ramp import default_ramp
from salesops.plan.hires import HireProfile, bookings_hires, coverage_hires, ramped_months


def profile(segment: str, full: float, quota: float) -> HireProfile:
    start = date(2027, 1, 1)
    return HireProfile(segment, start, start, full, full / 2, quota * 1.5, quota, 50_000.0)


PROFILES = {
    "SMB": profile("SMB", 500.0, 100_000.0),
    "Enterprise": profile("Enterprise", 500.0, 1_000_000.0),
    "(team)": profile("(team)", 500.0, 200_000.0),
}


def territories() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["SMB", "SMB", "Enterprise", None],
            "workload_hours": [1_800.0, 300.0, 900.0, 0.0],
            "kept_capacity_hours": [1_000.0, 500.0, 500.0, 0.0],
            "potential": [1e6, 1e6, 9e6, 0.0],
        }
    )


def test_ramped_months_of_a_hire_starting_two_months_in():
    ramp = default_ramp(4, 0.9, "stated")  # 0.125 .375 .625 .875, then 1
    assert ramped_months(ramp, 2) == pytest.approx(0.125 + 0.375 + 0.625 + 0.875 + 6)
    assert ramped_months(ramp, 0) == pytest.approx(10.0)


def test_coverage_hires_bring_utilisation_nearest_the_target():
    hires = coverage_hires(territories(), PROFILES, target=0.9, over=1.1)
    # SMB 1: 1800 / 0.9 = 2000 needed, keeps 1000 -> 2 hires of 500 (utilisation 90%)
    # SMB 2: 300 / 0.9 = 333 < 500 kept -> none. Enterprise: 1000 - 500 -> 1 hire.
    assert hires.tolist() == [2, 0, 1, 0]
    # Rounding down must not leave a territory over-loaded: 1200 h on 1000 kept at 100% -> 1
    over = territories().assign(workload_hours=[1_200.0, 0.0, 0.0, 0.0])
    assert coverage_hires(over, PROFILES, target=1.0, over=1.1).tolist() == [1, 0, 0, 0]


def test_bookings_hires_go_where_potential_per_hour_is_highest_until_the_gap_closes():
    terr = territories()
    none = pd.Series([0, 0, 0, 0])
    more, left, idle = bookings_hires(terr, PROFILES, none, 1_500_000.0, (100, 0.7))
    # Enterprise has the most potential per hour and 900 h keep a second rep busy at 70%:
    # the first hire (1M) goes there. A third Enterprise rep would fall below 70%, so SMB 1
    # (1800 h of workload) takes the next three (100k each) until it too is full; then no
    # territory keeps another hire busy: the most potential per hour again, Enterprise.
    assert more.tolist() == [3, 0, 2, 0] and left == 0
    assert idle == 1  # that last one goes beyond what the workload supports
    capped, left, _ = bookings_hires(terr, PROFILES, none, 5_000_000.0, (3, 0.7))
    assert capped.sum() == 3 and left == pytest.approx(5_000_000 - 1_000_000 - 200_000)
