"""Roles: what each one may see and do, declared once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """One role: its name, what it sees, what it may change, and how it is described."""

    name: str
    sees_everything: bool
    capabilities: frozenset[str]
    description: str


# What a role may change. Every write path checks one of these server-side.
IMPORT = "import"  # import files, undo an import
SETTINGS = "settings"  # change settings
USERS = "users"  # add, change and remove users; read the audit log
CAPABILITIES = (IMPORT, SETTINGS, USERS)

ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "admin",
            True,
            frozenset(CAPABILITIES),
            "everything: every page, imports and undo, settings, users and the audit log",
        ),
        Role("leader", True, frozenset(), "reads everything; changes nothing"),
        Role(
            "manager",
            False,
            frozenset(),
            "their team's reps and territories (bound to a team or to territories)",
        ),
        Role(
            "rep",
            False,
            frozenset(),
            "their own deals and numbers, and team totals without colleagues' names",
        ),
        Role("analyst", True, frozenset(), "reads everything; no imports"),
    )
}


def role(name: str) -> Role:
    """Returns the Role called `name`; raises ValueError naming the valid roles otherwise."""
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"Unknown role {name!r}: use one of {', '.join(ROLES)}.") from None


def can(role_name: str, capability: str) -> bool:
    """Returns True when the role may do `capability` (IMPORT, SETTINGS or USERS)."""
    found = ROLES.get(role_name)
    return found is not None and capability in found.capabilities
