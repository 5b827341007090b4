"""Sign-in and roles: users, what each viewer sees, server-side role checks, the audit log.

Modules: roles (what each role sees and may change), users (add, list, set, remove),
viewer (a signed-in email -> Viewer with its scope, or a clear refusal), audit (who changed
what, when). The scope is enforced in salesops.repository.access, below every page.
"""

from __future__ import annotations

from sqlalchemy import Engine

from salesops.access.roles import CAPABILITIES, IMPORT, ROLES, SETTINGS, USERS
from salesops.access.viewer import LOCAL_VIEWER, AccessRefused, Viewer, resolve_viewer
from salesops.repository import AccessDenied, Repository


def require(viewer: Viewer, capability: str) -> None:
    """Returns None when the viewer may do `capability`; raises AccessDenied otherwise."""
    if not viewer.can(capability):
        what = {IMPORT: "import or undo data", SETTINGS: "change settings", USERS: "manage users"}
        raise AccessDenied(
            f"Your role ({viewer.role}) may not {what.get(capability, capability)}: ask an admin."
        )


def repository_for(engine: Engine, viewer: Viewer) -> Repository:
    """Returns a Repository limited to what `viewer` may see."""
    return Repository(engine, visible=viewer.scope, team=viewer.team)


__all__ = [
    "CAPABILITIES",
    "IMPORT",
    "LOCAL_VIEWER",
    "ROLES",
    "SETTINGS",
    "USERS",
    "AccessDenied",
    "AccessRefused",
    "Viewer",
    "repository_for",
    "require",
    "resolve_viewer",
]
