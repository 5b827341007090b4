"""Whose pipeline: resolving a scope kind and value against reps and territories."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.pipeline_review.scope import COMPANY, resolve_scope

REPS = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "name": ["Ann", "Bob", "Cy"],
        "territory_id": [1, 1, 2],
        "manager": ["Mia", "Mia", "Noa"],
    }
)
TERRITORIES = pd.DataFrame({"id": [1, 2], "name": ["North", "South"]})


def test_each_kind_resolves_to_its_people():
    assert resolve_scope("company", None, REPS, TERRITORIES) == COMPANY
    team = resolve_scope("team", "Mia", REPS, TERRITORIES)
    assert (team.label, team.rep_ids, team.value) == ("Team Mia", (1, 2), "Mia")
    south = resolve_scope("territory", "2", REPS, TERRITORIES)
    assert (south.label, south.territory_ids, south.value) == ("South", (2,), 2)
    bob = resolve_scope("rep", 2, REPS, TERRITORIES)
    assert (bob.label, bob.rep_ids) == ("Bob", (2,))
    assert bob.to_dict() == {"kind": "rep", "value": 2, "label": "Bob"}


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("region", None, "Unknown scope 'region'"),
        ("team", "Zed", "No team is managed by 'Zed'."),
        ("territory", "x", "There is no territory with id 'x'."),
        ("rep", 99, "There is no rep with id 99."),
        ("rep", True, "There is no rep with id True."),
    ],
)
def test_unknown_scope_is_one_sentence(kind, value, message):
    with pytest.raises(ValueError, match=message):
        resolve_scope(kind, value, REPS, TERRITORIES)
