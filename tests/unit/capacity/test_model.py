"""Rep capacity: weekly hours x working weeks x selling share x ramp, by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesops.capacity.model import ASSUMED_HOURS, CapacityModel, rep_capacity
from salesops.capacity.ramp import default_ramp
from salesops.capacity.selling import TEAM, SellingShares
from salesops.figures import Figure

AS_OF = date(2026, 6, 30)


def model(ramp_months: int = 4) -> CapacityModel:
    shares = pd.DataFrame(
        {"rep_id": [1], "logged_hours": [900.0], "selling_hours": [450.0],
         "selling_share": [0.5], "share_source": ["own time logs"]}
    )  # fmt: skip
    return CapacityModel(
        as_of=AS_OF,
        ramp=default_ramp(ramp_months, 0.9, "stated"),  # 0.125, 0.375, 0.625, 0.875
        shares=SellingShares(shares, Figure(0.25), TEAM),
        working_weeks=46.0,
        default_weekly_hours=40.0,
    )


def reps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "weekly_capacity_hours": [40.0, None, 0.0, 40.0, 40.0],
            "hire_date": pd.to_datetime(
                ["2020-01-01", "2020-01-01", "2020-01-01", "2026-05-10", "2020-01-01"]
            ),  # fmt: skip
            "end_date": pd.to_datetime([None, None, None, None, "2026-03-31"]),
        }
    )


def test_capacity_by_hand():
    out = rep_capacity(reps(), model()).set_index("id")
    # rep 1: 40 x 46 x 0.5 (own share) x ramp 1 = 920
    assert out.loc[1, "capacity_hours"] == pytest.approx(920.0)
    # rep 2: no weekly hours -> the stated 40, labelled; the team's share 0.25 -> 460
    assert out.loc[2, "weekly_hours_source"] == ASSUMED_HOURS
    assert out.loc[2, "capacity_hours"] == pytest.approx(460.0)
    # rep 3: 0 weekly hours -> no capacity
    assert out.loc[3, "capacity_hours"] == 0.0
    # rep 4: hired in May -> June is tenure month 2 -> 0.375 x 40 x 46 x 0.25 = 172.5
    assert out.loc[4, "tenure_month"] == 2 and out.loc[4, "ramp"] == pytest.approx(0.375)
    assert out.loc[4, "capacity_hours"] == pytest.approx(172.5)
    # the year ahead: months 3..14 -> (0.625 + 0.875 + 10 x 1) / 12
    assert out.loc[4, "year_ramp"] == pytest.approx((0.625 + 0.875 + 10) / 12)
    # rep 5 left in March: inactive, nothing now or ahead
    assert not out.loc[5, "active"] and out.loc[5, "capacity_hours"] == 0
    assert out.loc[5, "year_capacity_hours"] == 0
    assert not np.isinf(out.select_dtypes("number").to_numpy(dtype=float)).any()


def test_a_known_end_date_ends_the_year_ahead():
    leaving = reps().iloc[[0]].assign(end_date=pd.to_datetime(["2026-09-15"]))
    out = rep_capacity(leaving, model())
    assert out["year_ramp"].iloc[0] == pytest.approx(2 / 12)  # July and August
    assert "Capacity = weekly hours × 46 working weeks" in model().describe()
