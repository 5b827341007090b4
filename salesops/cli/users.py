"""`salesops users add|list|set|remove`: who may sign in, with which role and binding.

The command line runs with the database's own credentials, so it needs no sign-in; every
change is recorded in the audit log as "cli:<operating-system user>". The first admin of
a team deployment is added here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from salesops.cli.app import app
from salesops.cli.common import OutputFormat, UrlOption, cli_actor, emit, friendly_errors
from salesops.config import load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from salesops.access.users import User

users_app = typer.Typer(
    help="Who may sign in: users, roles and what they see.", no_args_is_help=True
)
app.add_typer(users_app, name="users")

RoleOption = Annotated[
    str | None, typer.Option("--role", help="admin, leader, manager, rep or analyst.")
]
TeamOption = Annotated[
    str | None, typer.Option("--team", help="A manager's team: the reps whose manager is this.")
]
TerritoriesOption = Annotated[
    str | None, typer.Option("--territories", help="A manager's territory ids, e.g. 3,5.")
]
RepOption = Annotated[int | None, typer.Option("--rep", help="The rep id a rep user is.")]
NameOption = Annotated[str | None, typer.Option("--name", help="Shown in the sidebar.")]


def _engine(url: str | None) -> Engine:
    """Returns a writing engine on a current schema (else one sentence: init or upgrade)."""
    from salesops.db.engine import SchemaMissing, make_engine, outdated_schema
    from salesops.repository import Repository

    engine = make_engine(load_settings(url).database_url)
    problem = outdated_schema(Repository(engine).schema_state())
    if problem:
        raise SchemaMissing(problem)
    return engine


def _show(user: User) -> str:
    state = "" if user.active else ", inactive"
    return f"{user.email}: {user.role} ({user.binding()}{state})"


@users_app.command("add")
@friendly_errors
def users_add(
    email: Annotated[str, typer.Argument(help="The email the sign-in provider sends.")],
    role: RoleOption = None,
    name: NameOption = None,
    team: TeamOption = None,
    territories: TerritoriesOption = None,
    rep: RepOption = None,
    url: UrlOption = None,
) -> None:
    """Add a user (the first admin of a deployment is added this way)."""
    from salesops.access.users import User, add_user, parse_territories

    if role is None:
        raise ValueError("--role is required: admin, leader, manager, rep or analyst.")
    user = User(
        email=email,
        role=role,
        name=name,
        team=team,
        territory_ids=parse_territories(territories),
        rep_id=rep,
    )
    typer.echo("Added " + _show(add_user(_engine(url), user, cli_actor())))


@users_app.command("list")
@friendly_errors
def users_list(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """List every user with role, binding and whether they are active."""
    import pandas as pd

    from salesops.access.users import list_users, parse_territories

    frame = list_users(_engine(url))
    rows = [
        {
            "email": r["email"],
            "name": r["name"],
            "role": r["role"],
            "team": r["team"],
            "territory_ids": list(parse_territories(r["territory_ids"])),
            "rep_id": None if pd.isna(r["rep_id"]) else int(r["rep_id"]),
            "active": bool(r["active"]),
        }
        for r in frame.to_dict("records")
    ]
    if fmt is OutputFormat.table and frame.empty:
        typer.echo(
            "No users yet: add the first admin with `salesops users add EMAIL --role admin`."
        )
        return
    emit({"users": rows}, frame.drop(columns=["updated_at"]), fmt)


@users_app.command("set")
@friendly_errors
def users_set(
    email: Annotated[str, typer.Argument(help="The user to change.")],
    role: RoleOption = None,
    name: NameOption = None,
    team: TeamOption = None,
    territories: TerritoriesOption = None,
    rep: RepOption = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Switch access on or off.")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Change a user's role, binding, name or active flag (only the options given change)."""
    from salesops.access.users import parse_territories, set_user

    changes: dict[str, object] = {}
    if role is not None:
        changes["role"] = role
    if name is not None:
        changes["name"] = name
    if team is not None:
        changes["team"] = team or None
    if territories is not None:
        changes["territory_ids"] = parse_territories(territories)
    if rep is not None:
        changes["rep_id"] = rep
    if active is not None:
        changes["active"] = active
    if not changes:
        raise ValueError(
            "Nothing to change: give --role, --team, --territories, --rep, --name "
            "or --active/--inactive."
        )
    typer.echo("Changed " + _show(set_user(_engine(url), email, cli_actor(), **changes)))


@users_app.command("remove")
@friendly_errors
def users_remove(
    email: Annotated[str, typer.Argument(help="The user to remove.")],
    url: UrlOption = None,
) -> None:
    """Remove a user: they lose access at their next step in the app."""
    from salesops.access.users import remove_user

    remove_user(_engine(url), email, cli_actor())
    typer.echo(f"Removed {email.strip().lower()}.")
