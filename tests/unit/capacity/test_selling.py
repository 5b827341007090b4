"""Selling shares: own time logs, the team's, or the stated default (labelled)."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.capacity.selling import (
    ASSUMED,
    OWN,
    TEAM,
    selling_hours_by_rep,
    selling_shares,
)

TYPES = pd.DataFrame({"activity": ["calls", "admin"], "category": ["selling", "non_selling"]})


def test_own_share_with_enough_hours_else_the_team_share():
    activity = pd.DataFrame(
        {
            "rep_id": [1, 1, 2, 2, 3],
            "activity": ["calls", "admin", "calls", "admin", "mystery"],
            "hours": [100.0, 100.0, 30.0, 270.0, 10.0],
        }
    )
    hours = selling_hours_by_rep(activity, TYPES)
    shares = selling_shares(pd.Series([1, 2, 3, 4]), hours, 150.0, 1 / 3)
    r = shares.reps.set_index("rep_id")
    assert r.loc[1, "selling_share"] == pytest.approx(0.5) and r.loc[1, "share_source"] == OWN
    assert r.loc[2, "selling_share"] == pytest.approx(0.1)
    # rep 3 logged 10 h (an unknown activity counts as not selling); rep 4 nothing: team share
    team = 130 / 510
    assert shares.team_share.value == pytest.approx(team)
    assert r.loc[3, "selling_share"] == pytest.approx(team) and r.loc[3, "share_source"] == TEAM
    assert r.loc[4, "selling_share"] == pytest.approx(team)


def test_no_time_logs_at_all_uses_the_labelled_default():
    empty = selling_hours_by_rep(pd.DataFrame(columns=["rep_id", "activity", "hours"]), TYPES)
    shares = selling_shares(pd.Series([1, 2]), empty, 150.0, 0.3)
    assert shares.team_source == ASSUMED
    assert shares.team_share.value == 0.3 and "default_selling_share" in shares.team_share.reason
    assert set(shares.reps["share_source"]) == {ASSUMED}
    assert "No time logs" in shares.describe()
