"""Users: who may sign in, their role and what they are bound to (add, list, set, remove).

Every change is checked first (a clear sentence on bad input, nothing written) and written
in one transaction with its audit entry. `actor` is who made the change (an admin's email,
or "cli:<os user>" for the command line, which runs with the database's own credentials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from salesops.access import audit
from salesops.access.roles import ROLES, role
from salesops.db import schema as s
from salesops.repository.frames import BOOL, DATE, INT, STR, coerce

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_COLUMNS = {
    "email": STR,
    "name": STR,
    "role": STR,
    "team": STR,
    "territory_ids": STR,
    "rep_id": INT,
    "active": BOOL,
    "updated_at": DATE,
}


class UserError(ValueError):
    """A user change that cannot be made; the message is one sentence saying why."""


@dataclass(frozen=True)
class User:
    """One row of the users table: email (lower-case), role and binding, active or not."""

    email: str
    role: str
    name: str | None = None
    team: str | None = None
    territory_ids: tuple[int, ...] = ()
    rep_id: int | None = None
    active: bool = True

    def binding(self) -> str:
        """Returns what the user is bound to in words ("team Ann Lee", "rep 12", "-")."""
        parts = []
        if self.team:
            parts.append(f"team {self.team}")
        if self.territory_ids:
            parts.append("territories " + ", ".join(str(t) for t in self.territory_ids))
        if self.rep_id is not None:
            parts.append(f"rep {self.rep_id}")
        return "; ".join(parts) or "-"


def normalise_email(email: str | None) -> str:
    """Returns the email trimmed and lower-cased; raises UserError when it is not an email."""
    value = (email or "").strip().lower()
    if not EMAIL.match(value):
        raise UserError(f"{email!r} is not an email address.")
    return value


def parse_territories(text: str | None) -> tuple[int, ...]:
    """Returns territory ids from "3,5" (blank: none); raises UserError on anything else."""
    if text is None or not str(text).strip():
        return ()
    try:
        ids = tuple(sorted({int(part) for part in str(text).split(",") if part.strip()}))
    except ValueError:
        raise UserError(f"Territories must be ids separated by commas, not {text!r}.") from None
    if any(i <= 0 for i in ids):
        raise UserError(f"Territory ids are positive numbers, not {text!r}.")
    return ids


def _from_row(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(
        email=m["email"],
        role=m["role"],
        name=m["name"],
        team=m["team"],
        territory_ids=parse_territories(m["territory_ids"]),
        rep_id=m["rep_id"],
        active=bool(m["active"]),
    )


def get_user(conn: Connection, email: str) -> User | None:
    """Returns the user with this email (any case), or None."""
    u = s.users.c
    row = conn.execute(select(s.users).where(u.email == email.strip().lower())).first()
    return None if row is None else _from_row(row)


def list_users(engine: Engine) -> pd.DataFrame:
    """Returns every user, ordered by email.

    Columns: email, name, role, team, territory_ids, rep_id, active, updated_at.
    """
    u = s.users.c
    with engine.connect() as conn:
        rows = conn.execute(select(*(u[c] for c in USER_COLUMNS)).order_by(u.email)).all()
    return coerce([tuple(r) for r in rows], USER_COLUMNS)


def _check_binding(conn: Connection, user: User) -> None:
    """Raises UserError unless the role's binding is complete and points at existing rows."""
    if user.role == "manager" and not (user.team or user.territory_ids):
        raise UserError("A manager needs a team (--team) or territories (--territories).")
    if user.role == "rep" and user.rep_id is None:
        raise UserError("A rep needs the rep they are (--rep ID).")
    if user.role not in ("manager", "rep") and (user.team or user.territory_ids or user.rep_id):
        raise UserError(f"A {user.role} sees everything: leave team, territories and rep empty.")
    if user.team:
        r = s.reps.c
        found = conn.execute(select(func.count()).where(r.manager == user.team)).scalar()
        if not found:
            raise UserError(f"No rep has manager {user.team!r}: check the team name.")
    if user.territory_ids:
        t = s.territories.c
        known = set(conn.execute(select(t.id).where(t.id.in_(user.territory_ids))).scalars())
        missing = sorted(set(user.territory_ids) - known)
        if missing:
            raise UserError(f"No territory with id {', '.join(map(str, missing))}.")
    if user.rep_id is not None:
        r = s.reps.c
        if conn.execute(select(r.id).where(r.id == user.rep_id)).first() is None:
            raise UserError(f"No rep with id {user.rep_id}.")


def _values(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "team": user.team,
        "territory_ids": ",".join(str(t) for t in user.territory_ids) or None,
        "rep_id": user.rep_id,
        "active": user.active,
    }


def _describe(user: User) -> str:
    state = "active" if user.active else "inactive"
    return f"role {user.role}; {user.binding()}; {state}"


def add_user(engine: Engine, user: User, actor: str) -> User:
    """Adds a user (email checked, role valid, binding existing); returns it as stored."""
    user = replace(user, email=normalise_email(user.email))
    role(user.role)
    with engine.begin() as conn:
        if get_user(conn, user.email) is not None:
            raise UserError(f"{user.email} is already a user: change it with `users set`.")
        _check_binding(conn, user)
        stamp = audit.now()
        conn.execute(s.users.insert().values(**_values(user), created_at=stamp, updated_at=stamp))
        audit.record(conn, actor, audit.USER_ADDED, user.email, _describe(user))
    return user


UNSET = object()


def set_user(engine: Engine, email: str, actor: str, **changes: object) -> User:
    """Changes a user's role, binding, name or active flag; returns the user as stored.

    Only the given fields change (team/territory_ids/rep_id set to None clears them). The last
    active admin cannot be demoted or deactivated, so someone can always manage users.
    """
    email = normalise_email(email)
    with engine.begin() as conn:
        before = get_user(conn, email)
        if before is None:
            raise UserError(f"{email} is not a user: add them with `users add`.")
        after = replace(before, **changes)  # type: ignore[arg-type]
        role(after.role)
        if after.role not in ("manager",):
            after = replace(after, team=None, territory_ids=())
        if after.role != "rep":
            after = replace(after, rep_id=None)
        _check_binding(conn, after)
        if (
            before.role == "admin"
            and before.active
            and not (after.role == "admin" and after.active)
        ):
            _keep_one_admin(conn, email)
        conn.execute(
            s.users.update()
            .where(s.users.c.email == email)
            .values(**_values(after), updated_at=audit.now())
        )
        audit.record(
            conn, actor, audit.USER_CHANGED, email, f"{_describe(before)} -> {_describe(after)}"
        )
    return after


def remove_user(engine: Engine, email: str, actor: str) -> None:
    """Removes a user (they lose access at their next page view); never the last admin."""
    email = normalise_email(email)
    with engine.begin() as conn:
        user = get_user(conn, email)
        if user is None:
            raise UserError(f"{email} is not a user.")
        if user.role == "admin" and user.active:
            _keep_one_admin(conn, email)
        conn.execute(s.users.delete().where(s.users.c.email == email))
        audit.record(conn, actor, audit.USER_REMOVED, email, _describe(user))


def _keep_one_admin(conn: Connection, leaving: str) -> None:
    u = s.users.c
    others = conn.execute(
        select(func.count()).where(u.role == "admin", u.active.is_(True), u.email != leaving)
    ).scalar()
    if not others:
        raise UserError(f"{leaving} is the last active admin: make someone else admin first.")


__all__ = [
    "ROLES",
    "USER_COLUMNS",
    "User",
    "UserError",
    "add_user",
    "get_user",
    "list_users",
    "normalise_email",
    "parse_territories",
    "remove_user",
    "set_user",
]
