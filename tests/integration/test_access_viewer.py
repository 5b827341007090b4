"""Signed-in email -> viewer, and every refusal: unknown, inactive, no email, gone bindings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.access import AccessRefused, resolve_viewer
from salesops.access.users import User, add_user, remove_user, set_user
from salesops.db import schema as s
from salesops.db.engine import DatabaseUnavailable, SchemaMissing, make_engine
from salesops.repository import EVERYTHING
from salesops.repository.base import NO_ID

ADMIN = "admin@example.com"


@pytest.fixture
def engine(demo_url: str, tmp_path: Path) -> sa.Engine:
    """Returns a writing engine on a private copy of the demo company, with one admin."""
    copy = tmp_path / "viewer.db"
    shutil.copy(make_url(demo_url).database, copy)
    eng = make_engine(f"sqlite:///{copy}")
    add_user(eng, User(email=ADMIN, role="admin"), "test")
    return eng


def _reps(engine: sa.Engine, **where: object) -> list[int]:
    r = s.reps.c
    stmt = sa.select(r.id).where(*(r[k] == v for k, v in where.items())).order_by(r.id)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def refusal(engine: sa.Engine, email: str | None) -> AccessRefused:
    with pytest.raises(AccessRefused) as caught:
        resolve_viewer(engine, email)
    return caught.value


@pytest.mark.parametrize("role", ["admin", "leader", "analyst"])
def test_whole_company_roles_see_everything(engine, role):
    add_user(engine, User(email=f"{role}2@example.com", role=role), ADMIN)
    viewer = resolve_viewer(engine, f"{role.upper()}2@Example.com")  # any case
    assert viewer.scope == EVERYTHING and viewer.role == role


def test_a_manager_sees_their_teams_reps_and_territories(engine):
    add_user(engine, User(email="m@example.com", role="manager", team="Manager A"), ADMIN)
    viewer = resolve_viewer(engine, "m@example.com")
    team = _reps(engine, manager="Manager A")
    assert viewer.scope.rep_ids == tuple(team)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(s.reps.c.territory_id).where(s.reps.c.id.in_(team))).scalars()
        assert set(viewer.scope.territory_ids) == set(ids)


def test_a_rep_sees_themselves_and_totals_of_their_team(engine):
    rep = _reps(engine)[0]
    add_user(engine, User(email="r@example.com", role="rep", rep_id=rep), ADMIN)
    viewer = resolve_viewer(engine, "r@example.com")
    assert viewer.scope.rep_ids == (rep,)
    assert rep in viewer.team.rep_ids and len(viewer.team.rep_ids) > 1


def test_an_unknown_email_is_asked_to_see_an_admin(engine):
    refused = refusal(engine, "stranger@example.com")
    assert refused.kind == "unknown"
    assert str(refused) == (
        "stranger@example.com has no access to salesops. "
        "Ask an admin of salesops to give you access."
    )


@pytest.mark.parametrize("email", [None, "", "   "])
def test_a_missing_email_claim_is_refused(engine, email):
    refused = refusal(engine, email)
    assert refused.kind == "no_email" and "did not send an email address" in str(refused)


def test_an_inactive_user_is_refused(engine):
    add_user(engine, User(email="x@example.com", role="leader", active=False), ADMIN)
    assert refusal(engine, "x@example.com").kind == "inactive"


def test_a_user_removed_while_signed_in_is_refused_at_the_next_look_up(engine):
    add_user(engine, User(email="gone@example.com", role="leader"), ADMIN)
    resolve_viewer(engine, "gone@example.com")
    remove_user(engine, "gone@example.com", ADMIN)
    assert refusal(engine, "gone@example.com").kind == "unknown"


def test_a_manager_bound_to_a_deleted_team_is_refused(engine):
    add_user(engine, User(email="m@example.com", role="manager", team="Manager A"), ADMIN)
    with engine.begin() as conn:  # the team is dissolved: its reps move to another manager
        conn.execute(s.reps.update().where(s.reps.c.manager == "Manager A").values(manager="Z"))
    refused = refusal(engine, "m@example.com")
    assert refused.kind == "binding"
    assert str(refused) == (
        "Your access is bound to team 'Manager A', which has no reps any more. "
        "Ask an admin to update your access."
    )


def test_a_manager_bound_to_a_deleted_territory_is_refused(engine):
    add_user(engine, User(email="m@example.com", role="manager", territory_ids=(1,)), ADMIN)
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
        conn.execute(s.territories.delete().where(s.territories.c.id == 1))
    refused = refusal(engine, "m@example.com")
    assert refused.kind == "binding" and "territory 1, which no longer exists" in str(refused)


def test_a_rep_user_whose_rep_was_deleted_is_refused(engine):
    rep = _reps(engine)[0]
    add_user(engine, User(email="r@example.com", role="rep", rep_id=rep), ADMIN)
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
        conn.execute(s.reps.delete().where(s.reps.c.id == rep))
    refused = refusal(engine, "r@example.com")
    assert refused.kind == "binding" and f"rep {rep}, who is no longer in the data" in str(refused)


def test_a_manager_of_territories_without_reps_sees_no_rep(engine):
    with engine.begin() as conn:
        conn.execute(s.territories.insert().values(id=900, name="Empty", source="manual"))
    add_user(engine, User(email="m@example.com", role="manager", territory_ids=(900,)), ADMIN)
    viewer = resolve_viewer(engine, "m@example.com")
    assert viewer.scope.rep_ids == (NO_ID,) and viewer.scope.territory_ids == (900,)


def test_role_changes_apply_at_the_next_look_up(engine):
    add_user(engine, User(email="x@example.com", role="leader"), ADMIN)
    set_user(engine, "x@example.com", ADMIN, role="manager", team="Manager B")
    assert resolve_viewer(engine, "x@example.com").scope.rep_ids == tuple(
        _reps(engine, manager="Manager B")
    )


def test_a_database_without_the_users_table_asks_for_a_migration(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE users"))
    with pytest.raises(SchemaMissing, match="run `salesops db upgrade`"):
        resolve_viewer(engine, ADMIN)


def test_an_unreachable_database_is_one_sentence(tmp_path):
    engine = make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable, match="Can't reach the database") as caught:
        resolve_viewer(engine, ADMIN)
    assert "secret" not in str(caught.value)
