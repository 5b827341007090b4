"""The account potential the Rep time what-if is capped by: the scope's, or its reps' part."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.time_allocation.potential import scope_potential

FACTS = pd.DataFrame(
    {
        "territory_id": [1, 1, 2],
        "segment": ["SMB", "Enterprise", "SMB"],
        "annual_potential": [100_000.0, 500_000.0, None],  # missing potential counts as 0
    }
)
PEERS = pd.DataFrame(
    {"id": [1, 2, 3, 4], "territory_id": [1, 1, 1, 2], "weekly_capacity_hours": [40, 20, None, 40]}
)


def test_without_a_rep_filter_every_account_counts():
    assert scope_potential(FACTS, None, None, 40.0) == 600_000.0


def test_a_rep_gets_their_weekly_hours_share_of_their_territory():
    # territory 1: 40 + 20 + 40 (missing: the default) = 100 hours; rep 2 holds 20%
    assert scope_potential(FACTS, PEERS[PEERS["id"] == 2], PEERS, 40.0) == pytest.approx(120_000)
    both = PEERS[PEERS["id"].isin([1, 2])]
    assert scope_potential(FACTS, both, PEERS, 40.0) == pytest.approx(360_000)
    assert scope_potential(FACTS, PEERS[PEERS["id"] == 4], PEERS, 40.0) == 0.0
    assert scope_potential(FACTS, PEERS[PEERS["id"] == 2], PEERS.iloc[:0], 40.0) == 0.0
