"""The typer application every command registers on, and the console script's entry."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from typing import NoReturn

import typer

app = typer.Typer(
    help="salesops: sales-operations analytics over your CRM database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def main() -> None:
    """Runs the command line (the `salesops` console script); returns only by ending the process."""
    from salesops.redact import install_log_masking

    install_log_masking()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except SystemExit as stop:
        exit_without_teardown(stop.code)
    exit_without_teardown(0)


def exit_without_teardown(code: object) -> NoReturn:
    """Ends the process with `code` as sys.exit would, skipping the interpreter's teardown.

    Freeing pandas', pyarrow's and SQLAlchemy's modules and objects took 0.12-0.15 s after
    only importing them, and 0.2 s of `salesops quality` on the large demo (0.75-0.92 s with
    the teardown, 0.59-0.69 s without, interleaved runs). What a normal exit does that
    matters still happens: atexit handlers (logging's flush, multiprocessing, temporary
    directories) run, and stdout and stderr are flushed. Rows are committed before a command
    returns, and connections left in the pool hold no transaction. While another thread is
    alive the interpreter exits normally, so that thread can finish.
    """
    if threading.active_count() > 1:
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `salesops ... | head`: the reader left; nothing more to say
        status = status or 1
    sys.stderr.flush()
    os._exit(status)
