"""The Data page's admin section: users and roles (add, change, remove) and the audit log.

Every action checks the role again on the server (salesops.access.require) before it
writes, whatever the page showed, and is recorded in the audit log with the admin's email.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from salesops.access import ROLES, USERS, Viewer, require
from salesops.access import audit as audit_log
from salesops.access.users import (
    User,
    UserError,
    add_user,
    get_user,
    list_users,
    remove_user,
    set_user,
)
from salesops.db.engine import make_engine
from salesops.tables import Col
from salesops.ui.auth import current_viewer
from salesops.ui.cache import cached_call, settings
from salesops.ui.download import download_csv
from salesops.ui.tables import show_table

NONE = "—"


@st.cache_resource(show_spinner=False)
def _writer(url: str) -> Engine:
    return make_engine(url)


USER_COLUMNS = {
    "email": Col("Email"),
    "name": Col("Name"),
    "role": Col("Role"),
    "team": Col("Team"),
    "territory_ids": Col("Territories"),
    "rep_id": Col("Rep"),
    "active": Col("Active", "bool"),
    "updated_at": Col("Updated (UTC)", "datetime"),
}
AUDIT_COLUMNS = {
    "at": Col("When (UTC)", "datetime"),
    "actor": Col("By"),
    "action": Col("Action"),
    "target": Col("Target"),
    "detail": Col("Detail"),
}


def _engine() -> Engine:
    return _writer(settings().database_url)


def _choices() -> tuple[list[str], dict[int, str], dict[int, str]]:
    """Returns (teams, territory id -> name, rep id -> name) for the binding pickers."""
    from salesops.repository import Repository

    reps = cached_call(Repository.reps)
    territories = cached_call(Repository.territories)
    teams = sorted({m for m in reps["manager"].dropna().tolist() if m})
    territory_names = dict(zip(territories["id"].astype(int), territories["name"], strict=True))
    rep_names = dict(zip(reps["id"].astype(int), reps["name"], strict=True))
    return teams, territory_names, rep_names


def _run(action: str, write: Callable[[Viewer], object]) -> None:
    """Runs one user change after checking the role server-side; reruns to show the outcome."""
    viewer = current_viewer()
    require(viewer, USERS)
    try:
        write(viewer)
    except UserError as exc:
        st.error(str(exc))
        return
    st.session_state["data.users_done"] = action
    st.rerun()


def _binding_inputs(prefix: str, user: User | None = None) -> dict[str, object]:
    """Draws the team, territories and rep pickers; returns them as User fields."""
    teams, territories, reps = _choices()
    c1, c2, c3 = st.columns(3)
    team_options = [NONE, *teams]
    team = c1.selectbox(
        "Team (managers)",
        team_options,
        index=team_options.index(user.team) if user and user.team in teams else 0,
        key=f"{prefix}_team",
    )
    bound = c2.multiselect(
        "Territories (managers)",
        list(territories),
        default=[t for t in (user.territory_ids if user else ()) if t in territories],
        format_func=lambda t: territories[t],
        key=f"{prefix}_territories",
    )
    rep_options: list[int | None] = [None, *reps]
    rep = c3.selectbox(
        "Rep (reps)",
        rep_options,
        index=rep_options.index(user.rep_id) if user and user.rep_id in reps else 0,
        format_func=lambda r: NONE if r is None else reps[r],
        key=f"{prefix}_rep",
    )
    return {
        "team": None if team == NONE else team,
        "territory_ids": tuple(sorted(bound)),
        "rep_id": rep,
    }


def users_section() -> None:
    """Draws the users table, the add form and the change/remove controls (admins only)."""
    viewer = current_viewer()
    require(viewer, USERS)
    done = st.session_state.pop("data.users_done", None)
    if done:
        st.success(done)
    users = list_users(_engine())
    if users.empty:
        st.caption("No users yet: add the first people below.")
    else:
        show_table(
            users,
            key="data.users",
            currency=settings().currency,
            columns=USER_COLUMNS,
            order=list(USER_COLUMNS),
        )
    roles_help = "; ".join(f"{r.name}: {r.description}" for r in ROLES.values())
    with st.form("data.add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        c1, c2, c3 = st.columns(3)
        email = c1.text_input("Email", key="data.user_email")
        name = c2.text_input("Name (optional)", key="data.user_name")
        role = c3.selectbox("Role", list(ROLES), key="data.user_role", help=roles_help)
        binding = _binding_inputs("data.user")
        if st.form_submit_button("Add user", type="primary"):
            user = User(email=email, role=role, name=name or None, **binding)  # type: ignore[arg-type]
            _run(f"Added {email}.", lambda v: add_user(_engine(), user, v.email))
    if not users.empty:
        _change_controls(users, viewer)


def _change_controls(users: pd.DataFrame, viewer: Viewer) -> None:
    """Draws the role / active / remove controls for one chosen user."""
    st.markdown("**Change or remove a user**")
    c1, c2, c3 = st.columns(3)
    email = c1.selectbox("User", users["email"].tolist(), key="data.change_user")
    with _writer(settings().database_url).connect() as conn:
        current = get_user(conn, email)
    if current is None:
        return
    roles = list(ROLES)
    index = roles.index(current.role) if current.role in roles else 0
    role = c2.selectbox("Role", roles, index=index, key=f"data.change_role_{email}")
    active = c3.toggle("Active", value=current.active, key=f"data.change_active_{email}")
    binding = _binding_inputs(f"data.change_{email}", current)
    left, right = st.columns(2)
    if left.button("Save changes", key="data.change_save"):
        _run(
            f"Changed {email}.",
            lambda v: set_user(_engine(), email, v.email, role=role, active=active, **binding),
        )
    if right.button("Remove user", key="data.change_remove", disabled=email == viewer.email):
        _run(f"Removed {email}.", lambda v: remove_user(_engine(), email, v.email))


def audit_section(limit: int) -> None:
    """Draws the newest audit-log entries (admins only) with a download."""
    require(current_viewer(), USERS)
    entries = audit_log.recent(_engine(), limit)
    if entries.empty:
        st.caption("Nothing recorded yet: imports, undos and user changes appear here.")
        return
    show_table(
        entries,
        key="data.audit",
        currency=settings().currency,
        columns=AUDIT_COLUMNS,
        order=list(AUDIT_COLUMNS),
    )
    download_csv(entries, "audit_log.csv", key="data.download_audit")
