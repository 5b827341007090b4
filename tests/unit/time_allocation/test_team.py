"""Who is in the team: reps in scope, employed in the period, narrowed to chosen teams."""

from __future__ import annotations

import pandas as pd

from salesops.repository import EVERYTHING, Scope
from salesops.time_allocation.team import employed_during, reps_in_scope, team_scope
from tests.unit.time_allocation.company import REPS


def test_reps_in_scope():
    reps = REPS.assign(manager=["M1", "M1", "M2", "M2"])
    assert list(reps_in_scope(reps, territory_ids=[10])["id"]) == [1, 2]
    assert list(reps_in_scope(reps, managers=["M2"], rep_ids=[3])["id"]) == [3]
    assert len(reps_in_scope(reps)) == 4


def test_employed_during_counts_unknown_dates_as_employed():
    reps = REPS.assign(
        hire_date=pd.to_datetime(["2020-01-01", "2025-03-01", None, "2020-01-01"]),
        end_date=pd.to_datetime([None, None, None, "2024-12-31"]),
    )
    # Bob joins after the period, Dee left before it; Cy's unknown hire date counts as employed
    assert list(employed_during(reps, "2025-01-06", "2025-02-09")["id"]) == [1, 3]
    assert list(
        employed_during(reps.drop(columns="end_date"), "2025-01-06", "2025-02-09")["id"]
    ) == [
        1,
        3,
        4,
    ]


def test_team_scope_narrows_to_the_chosen_managers():
    reps = REPS.assign(manager=["M1", "M1", "M2", None])
    assert team_scope(EVERYTHING, reps, []) is EVERYTHING  # no team chosen: unchanged
    assert team_scope(EVERYTHING, reps, ["M1"]) == Scope(rep_ids=(1, 2))
    both = team_scope(Scope(territory_ids=(10,), rep_ids=(2, 3)), reps, ["M1", "M2"])
    assert both == Scope(territory_ids=(10,), rep_ids=(2, 3))  # rep filter and teams intersect
    assert team_scope(Scope(rep_ids=(3,)), reps, ["M1"]) is None  # nobody left
