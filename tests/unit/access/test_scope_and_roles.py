"""Scope intersection and role capabilities, without a database."""

from __future__ import annotations

import pytest

from salesops.access import IMPORT, LOCAL_VIEWER, SETTINGS, USERS, AccessDenied, Viewer, require
from salesops.access.roles import ROLES, can, role
from salesops.repository import EVERYTHING, NOTHING, Scope
from salesops.repository.base import NO_ID, NO_SEGMENT


def test_everything_is_the_identity():
    scope = Scope(territory_ids=(1, 2), segments=("SMB",), rep_ids=(7,))
    assert EVERYTHING.intersect(scope) == scope
    assert scope.intersect(EVERYTHING) == scope


def test_the_meet_keeps_common_values_per_dimension():
    asked = Scope(territory_ids=(3, 1, 2), rep_ids=(5, 6))
    visible = Scope(territory_ids=(2, 3), rep_ids=(6, 9))
    assert asked.intersect(visible) == Scope(territory_ids=(3, 2), rep_ids=(6,))


def test_nothing_in_common_matches_nothing_never_everything():
    mine = Scope(rep_ids=(4,))
    theirs = Scope(rep_ids=(5,), segments=("SMB",))
    met = theirs.intersect(Scope(rep_ids=(4,), segments=("Enterprise",)))
    assert met == Scope(segments=(NO_SEGMENT,), rep_ids=(NO_ID,))
    assert not met.is_everything
    assert mine.intersect(NOTHING).rep_ids == (NO_ID,)


def test_only_admins_change_data_settings_and_users():
    for capability in (IMPORT, SETTINGS, USERS):
        assert [name for name in ROLES if can(name, capability)] == ["admin"]
    assert not can("nobody", IMPORT)


def test_who_sees_the_whole_company():
    assert {n for n, r in ROLES.items() if r.sees_everything} == {"admin", "leader", "analyst"}


def test_require_refuses_with_a_sentence():
    analyst = Viewer(email="a@example.com", role="analyst")
    with pytest.raises(AccessDenied, match=r"^Your role \(analyst\) may not import or undo data"):
        require(analyst, IMPORT)
    require(LOCAL_VIEWER, IMPORT)  # the single local user is the admin of their laptop


def test_an_unknown_role_names_the_valid_ones():
    with pytest.raises(ValueError, match="use one of admin, leader, manager, rep, analyst"):
        role("owner")
