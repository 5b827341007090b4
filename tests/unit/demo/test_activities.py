"""Rep activities: every rep sells between 15% and 50% of their hours."""

from __future__ import annotations


def test_reps_sell_a_minority_of_their_hours(tiny):
    activities = tiny["activities"].merge(tiny["activity_types"], on="activity")
    hours = activities.groupby(["rep_id", "category"])["hours"].sum().unstack()
    share = hours["selling"] / hours.sum(axis=1)
    assert share.between(0.15, 0.5).all()
