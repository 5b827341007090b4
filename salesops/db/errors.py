"""The one translation of database failures into a sentence a user can act on.

The CLI (salesops.cli.common.friendly_errors), every page (salesops.ui.states) and the
repository call `translate`: a file that is not a database, a truncated or corrupt SQLite
file, a read-only file system, a malformed URL, a missing driver, a server that does not
answer, a missing PostgreSQL database or role, wrong credentials, missing tables. The URL
is always shown through salesops.config.masked_url (no password).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from salesops.config import masked_url
from salesops.redact import mask_secrets


class DatabaseError(RuntimeError):
    """A database problem explained in one sentence a user can act on."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached (server down, file missing, bad credentials)."""


class DatabaseDamaged(DatabaseError):
    """The SQLite file is not a database, or is truncated or corrupt."""


class DatabaseReadOnly(DatabaseError):
    """A write was refused: the file, its folder or the file system is read-only."""


class BadDatabaseUrl(DatabaseError):
    """The URL cannot be parsed, or names a dialect or driver that is not installed."""


class SchemaMissing(DatabaseError):
    """The database answers but has no salesops tables, or an older schema."""


URL_EXAMPLE = "postgresql+psycopg://user@host:5432/database or sqlite:///path/to/salesops.db"

_DAMAGED = ("file is not a database", "malformed", "disk image", "file is encrypted")
_READ_ONLY = ("readonly database", "read-only", "read only file system", "permission denied")


def _text(exc: BaseException) -> str:
    """Returns the driver's own message (SQLAlchemy wraps it in .orig), on one line."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip() or type(inner).__name__
    return " ".join(text.split())


def _shown_url(url: str) -> str:
    shown = masked_url(url)
    return shown if not shown.startswith("<") else mask_secrets(url)


def _sqlite_file(url: str) -> str | None:
    try:
        parsed = make_url(url)
    except Exception:  # an unparseable URL names no file
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return parsed.database.removeprefix("file:")


def _url_problem(exc: BaseException, url: str) -> DatabaseError | None:
    """Returns the sentence for a malformed URL or a missing dialect or driver, else None."""
    if isinstance(exc, NoSuchModuleError):
        scheme = url.split("://", 1)[0]
        return BadDatabaseUrl(
            f"The database URL names an unknown database or driver ({scheme!r}): "
            f"write it as {URL_EXAMPLE}."
        )
    if isinstance(exc, ImportError):
        module = exc.name or _text(exc)
        return BadDatabaseUrl(
            f"The database driver {module!r} for {_shown_url(url)} is not installed: "
            f"install it (pip install {module.split('.')[0]}) or use a URL whose driver is."
        )
    # make_url raises ArgumentError, or ValueError for a port that is not a number.
    if isinstance(exc, ArgumentError) or type(exc) is ValueError:
        return BadDatabaseUrl(
            f"The database URL is malformed ({mask_secrets(url)}): write it as {URL_EXAMPLE}."
        )
    return None


def _server_problem(text: str, shown: str) -> DatabaseError | None:
    """Returns the sentence for a PostgreSQL login refusal (database, role, password)."""
    lowered = text.lower()
    if 'database "' in lowered and "does not exist" in lowered:
        name = text.split('database "', 1)[1].split('"', 1)[0]
        return DatabaseUnavailable(
            f"The database {name!r} does not exist on the server ({shown}): create it "
            f"(createdb {name}) or correct the database name in the URL."
        )
    if 'role "' in lowered and "does not exist" in lowered:
        name = text.split('role "', 1)[1].split('"', 1)[0]
        return DatabaseUnavailable(
            f"The database user {name!r} does not exist on the server ({shown}): create "
            "the role or correct the user in the URL."
        )
    if "authentication failed" in lowered or "no password supplied" in lowered:
        return DatabaseUnavailable(
            f"The database refused the credentials ({shown}): check the user and password."
        )
    return None


def translate(exc: BaseException, url: str) -> DatabaseError:
    """Returns the DatabaseError explaining `exc` (raised while using the database at `url`).

    An error that already is a DatabaseError is returned as it is.
    """
    if isinstance(exc, DatabaseError):
        return exc
    problem = _url_problem(exc, url)
    if problem is not None:
        return problem
    text = _text(exc)
    lowered = text.lower()
    shown = _shown_url(url)
    path = _sqlite_file(url)
    if path is not None and any(marker in lowered for marker in _DAMAGED):
        return DatabaseDamaged(
            f"The database file {path} is not a readable SQLite database ({text}): it is "
            "damaged, truncated or another kind of file. Restore it from a backup, or "
            "point salesops at another file (`salesops demo` builds a new one)."
        )
    refused = isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    if path is not None and "unable to open database file" in lowered:
        refused = refused or not os.access(Path(path).resolve().parent, os.W_OK)
    if refused or any(marker in lowered for marker in _READ_ONLY):
        return DatabaseReadOnly(
            f"Can't write to the database ({shown}): the file, its folder or the file "
            f"system is read-only ({text})."
        )
    if "no such table" in lowered or ("relation " in lowered and "does not exist" in lowered):
        return SchemaMissing(
            f"The database ({shown}) lacks salesops tables ({text}): run `salesops db upgrade` "
            "(or `salesops db init` on a new database)."
        )
    login = _server_problem(text, shown)
    if login is not None:
        return login
    if path is not None and "unable to open database file" in lowered:
        return DatabaseUnavailable(
            f"Can't open the database file {path}: check that it and its folder exist and "
            "are readable."
        )
    return DatabaseUnavailable(
        f"Can't reach the database ({shown}): check the connection settings."
    )


# What callers catch to translate: every way a database call fails.
DATABASE_FAILURES: tuple[type[BaseException], ...] = (
    SQLAlchemyError,
    sqlite3.Error,
    OSError,
    ImportError,
)
__all__ = [
    "DATABASE_FAILURES",
    "BadDatabaseUrl",
    "DatabaseDamaged",
    "DatabaseError",
    "DatabaseReadOnly",
    "DatabaseUnavailable",
    "SchemaMissing",
    "translate",
]
