"""The typer application every command registers on, and the console script's entry."""

from __future__ import annotations

import logging

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
    """Runs the command line (the `salesops` console script)."""
    from salesops.redact import install_log_masking

    install_log_masking()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
