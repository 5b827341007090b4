"""The viewer: who is looking, their role, and the scope every query is limited to.

`resolve_viewer` turns a signed-in email into a Viewer, or refuses with one clear sentence
(unknown, inactive, no email, a binding to a team, territory or rep that no longer
exists). A manager sees the reps of their team (reps.manager) or territories and the
accounts of those reps' territories; a rep sees their own deals, the accounts of their
territory, and their team's totals (salesops.repository.access TEAM_TOTALS).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from salesops.access.roles import ROLES, can
from salesops.access.users import User, get_user
from salesops.db import schema as s
from salesops.repository.base import EVERYTHING, NO_ID, RepositoryBase, Scope

LOCAL_EMAIL = "local"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: email, name, role, the scope they see and their team's scope."""

    email: str
    role: str
    scope: Scope = EVERYTHING
    team: Scope = EVERYTHING
    name: str | None = None
    rep_id: int | None = None
    signed_in: bool = True

    def can(self, capability: str) -> bool:
        """Returns True when the viewer's role may do `capability` (roles.IMPORT, ...)."""
        return can(self.role, capability)

    @property
    def label(self) -> str:
        """Returns how the sidebar names the viewer, e.g. "ann@example.com (manager)"."""
        return f"{self.name or self.email} ({self.role})"


# The app without [auth]: one local person, who is the admin of their own laptop.
LOCAL_VIEWER = Viewer(email=LOCAL_EMAIL, role="admin", signed_in=False, name="Local user")


class AccessRefused(Exception):
    """The person may not see any data; `kind` names why and the message says what to do."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


ASK = "Ask an admin of salesops to give you access."


def resolve_viewer(engine: Engine, email: str | None) -> Viewer:
    """Returns the Viewer for a signed-in email; raises AccessRefused when they see nothing."""
    if not email or not str(email).strip():
        raise AccessRefused(
            "no_email",
            "Your sign-in provider did not send an email address, so salesops cannot tell "
            f"who you are. {ASK} (the provider must release the `email` claim).",
        )
    # Through the repository's connection handling: an unreachable database or a schema
    # without the users table becomes one clear sentence (DatabaseError), never a traceback.
    return RepositoryBase(engine)._on_connection(lambda conn: _viewer(conn, str(email)))


def _viewer(conn: Connection, email: str) -> Viewer:
    user = get_user(conn, email)
    if user is None:
        raise AccessRefused("unknown", f"{email} has no access to salesops. {ASK}")
    if not user.active:
        raise AccessRefused("inactive", f"Access for {user.email} is switched off. {ASK}")
    if user.role not in ROLES:
        raise AccessRefused("binding", f"{user.email} has an unknown role {user.role!r}. {ASK}")
    scope, team = _scopes(conn, user)
    return Viewer(
        email=user.email,
        role=user.role,
        scope=scope,
        team=team,
        name=user.name,
        rep_id=user.rep_id,
    )


def _scopes(conn: Connection, user: User) -> tuple[Scope, Scope]:
    """Returns (what the user sees, what their team totals cover) from their binding."""
    if ROLES[user.role].sees_everything:
        return EVERYTHING, EVERYTHING
    if user.role == "manager":
        reps = _manager_reps(conn, user)
        scope = Scope(territory_ids=_territories_of(conn, reps, user.territory_ids), rep_ids=reps)
        return scope, scope
    return _rep_scopes(conn, user)


def _manager_reps(conn: Connection, user: User) -> tuple[int, ...]:
    r = s.reps.c
    reps: set[int] = set()
    if user.team:
        reps |= set(conn.execute(select(r.id).where(r.manager == user.team)).scalars())
        if not reps:
            raise AccessRefused(
                "binding",
                f"Your access is bound to team {user.team!r}, which has no reps any more. "
                "Ask an admin to update your access.",
            )
    if user.territory_ids:
        _require_territories(conn, user.territory_ids)
        in_territories = select(r.id).where(r.territory_id.in_(user.territory_ids))
        reps |= set(conn.execute(in_territories).scalars())
    return tuple(sorted(reps)) or (NO_ID,)


def _require_territories(conn: Connection, ids: tuple[int, ...]) -> None:
    t = s.territories.c
    known = set(conn.execute(select(t.id).where(t.id.in_(ids))).scalars())
    missing = sorted(set(ids) - known)
    if missing:
        raise AccessRefused(
            "binding",
            f"Your access is bound to territory {', '.join(map(str, missing))}, which no longer "
            "exists. Ask an admin to update your access.",
        )


def _territories_of(
    conn: Connection, reps: tuple[int, ...], bound: tuple[int, ...]
) -> tuple[int, ...]:
    r = s.reps.c
    rows = conn.execute(select(r.territory_id).where(r.id.in_(reps)).distinct()).scalars()
    ids = {t for t in rows if t is not None} | set(bound)
    return tuple(sorted(ids)) or (NO_ID,)


def _rep_scopes(conn: Connection, user: User) -> tuple[Scope, Scope]:
    r = s.reps.c
    row = conn.execute(select(r.territory_id, r.manager).where(r.id == user.rep_id)).first()
    if user.rep_id is None or row is None:
        raise AccessRefused(
            "binding",
            f"Your access is bound to rep {user.rep_id}, who is no longer in the data. "
            "Ask an admin to update your access.",
        )
    territory, manager = row
    own = Scope(
        territory_ids=(territory if territory is not None else NO_ID,), rep_ids=(user.rep_id,)
    )
    if manager:
        mates = select(r.id).where(r.manager == manager)
    else:
        mates = select(r.id).where(r.territory_id == territory)
    team_reps = tuple(sorted(conn.execute(mates).scalars())) or (user.rep_id,)
    return own, Scope(territory_ids=_territories_of(conn, team_reps, ()), rep_ids=team_reps)
