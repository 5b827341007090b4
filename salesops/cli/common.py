"""What every command shares: options, output formats, one-sentence errors, the period."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from salesops.config import load_settings
from salesops.numbers import NumberRange
from salesops.redact import mask_secrets

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from salesops.repository import Repository

# Nothing heavy (pandas, SQLAlchemy, the repository) is imported at module level here or in
# any command module: `salesops --help` must start in well under half a second.

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Database URL (default: SALESOPS_DATABASE_URL, secrets, SQLite)."),
]

# The analysis date of the planning commands (plan, territory); read with parse_date.
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Analysis date, YYYY-MM-DD (default: last data)."),
]


def number_option(kind: NumberRange, help: str, *names: str) -> Any:
    """Returns a typer option read by the one numeric parser (finite, within `kind`'s range).

    `inf`, `nan`, `1e300` and values outside the range are refused with one sentence naming
    the option, before the command runs.
    """

    def parse(text: str | float) -> float:
        try:
            return kind.parse(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return typer.Option(*names, help=help, parser=parse, metavar="NUMBER")


class OutputFormat(StrEnum):
    """How a report is printed."""

    table = "table"
    json = "json"
    csv = "csv"


class CliError(Exception):
    """A user-facing error: printed as one sentence, exit code 1."""


def fail(message: str) -> NoReturn:
    """Raises the CliError that prints `message` and exits 1."""
    raise CliError(message)


def friendly_errors(fn: Callable) -> Callable:
    """Wraps a command so expected failures print one sentence to stderr and exit 1.

    Any database failure not yet explained is explained by salesops.db.errors.translate.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:  # `salesops ... | head`: the reader left, nothing went wrong
            _silence_stdout()
            raise typer.Exit(1) from None
        except Exception as exc:
            problem = _user_problem(exc, kwargs.get("url"))
            if problem is None:
                raise
            typer.echo(f"Error: {mask_secrets(problem)}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def _silence_stdout() -> None:
    """Points stdout at /dev/null, so the exit's flush of what the reader left unread is quiet.

    As Python's documentation advises for SIGPIPE; the status stays 1.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _user_problem(exc: Exception, url: str | None) -> str | None:
    """Returns the one sentence for a failure the user can fix, None for a bug.

    A database failure not yet explained is explained by salesops.db.errors.translate
    (imported here, on failure only, to keep start-up light).
    """
    from salesops.db.errors import DATABASE_FAILURES, DatabaseError, translate

    if isinstance(exc, DATABASE_FAILURES):
        return str(translate(exc, load_settings(url).database_url))
    if isinstance(exc, (CliError, DatabaseError, ValueError)):
        return str(exc)
    return None


def cli_actor() -> str:
    """Returns who the audit log names for a command-line change: "cli:<os user>"."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def record_cli_change(engine: Engine, action: str, target: str, detail: str = "") -> None:
    """Records a command-line change in the audit log (salesops.access.audit)."""
    from salesops.access import audit

    with engine.begin() as conn:
        audit.record(conn, cli_actor(), action, target, detail)


def open_repository(url: str | None = None) -> Repository:
    """Returns a read-only repository on the resolved database URL."""
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    return Repository(make_engine(load_settings(url).database_url, read_only=True))


def parse_date(text: str | None, option: str) -> date | None:
    """Returns the ISO date in `text` (None if empty); a bad date fails naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date: expected YYYY-MM-DD.")
    return None


def resolve_period(repo: Repository, from_: str | None, to: str | None) -> tuple[date, date]:
    """Returns (start, end) from --from/--to, defaulting to the last 12 whole months of data.

    Fails with one sentence on a bad date, a reversed range or an empty database.
    """
    import pandas as pd

    from salesops.kpis.report import default_period

    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start is None or end is None:
        bounds = repo.data_bounds()
        if bounds["last"] is None:
            fail(
                "The database has no opportunities or leads yet: import a CSV or run salesops demo."
            )
        months = load_settings().default_period_months
        fallback = default_period(pd.Timestamp(bounds["last"]), months, bounds["first_closed"])
        assert fallback is not None  # the database has a last date
        start, end = start or fallback.start, end or fallback.end
    if end < start:
        fail(f"--to {end} is before --from {start}.")
    return start, end


def emit(payload: dict, frame: pd.DataFrame | None, fmt: OutputFormat) -> None:
    """Prints a report as JSON, as formula-safe CSV of `frame`, or as a plain table."""
    import pandas as pd

    from salesops.export import to_safe_csv

    if fmt is OutputFormat.json:
        typer.echo(json.dumps(payload, indent=2, default=str))
    elif fmt is OutputFormat.csv:
        sys.stdout.buffer.write(to_safe_csv(frame if frame is not None else pd.DataFrame()))
        sys.stdout.flush()
    else:
        typer.echo(frame.to_string(index=False) if frame is not None else json.dumps(payload))
