"""The organisation: territories with unequal potential per rep."""

from __future__ import annotations


def test_territories_are_unequal_per_rep(tiny):
    reps = tiny["reps"].merge(tiny["territories"], left_on="territory_id", right_on="id")
    potential = tiny["accounts"].groupby("territory_id")["annual_potential"].sum()
    per_rep = potential / tiny["reps"].groupby("territory_id").size()
    assert per_rep.max() / per_rep.min() > 2  # unequal territories
    assert len(reps) == len(tiny["reps"])
