"""`salesops call`: the quarter call as of a date, its range, track record and roll-up."""

from __future__ import annotations

from typing import Annotated

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    fail,
    friendly_errors,
    open_repository,
    parse_date,
)


@app.command()
@friendly_errors
def call(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Call as of this date (YYYY-MM-DD): only rows dated before it count; "
            "default: the day after the last history row.",
        ),
    ] = None,
    quarter: Annotated[
        str | None, typer.Option(help="The quarter to call (2026Q4); default: the as-of date's.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only this manager's team.")] = None,
    territory: Annotated[int | None, typer.Option(help="Only this territory's reps (id).")] = None,
    by: Annotated[
        str | None, typer.Option(help="Also the call per team or per territory (the roll-up).")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """The quarter call: won, commit, best case, the call with its range, quota and gap."""
    from salesops.call.model import parse_quarter
    from salesops.call.report import call_report
    from salesops.call.summary import report_json, table_frame, track_frame
    from salesops.db.engine import require_current_schema
    from salesops.pipeline_review.scope import resolve_scope
    from salesops.repository.call import CALL_UNITS

    if team is not None and territory is not None:
        fail("Give at most one of --team and --territory.")
    if by is not None and by not in CALL_UNITS:
        fail(f"--by {by!r} is not a roll-up: use team or territory.")
    day = parse_date(as_of, "--as-of")
    the_quarter = parse_quarter(quarter) if quarter is not None else None
    repo = open_repository(url)
    require_current_schema(repo.engine)
    kind: str = "company"
    value: str | int | None = None
    if team is not None:
        kind, value = "team", team
    elif territory is not None:
        kind, value = "territory", territory
    scope = resolve_scope(kind, value, repo.reps(), repo.territories())
    report = call_report(repo, day, the_quarter, by, scope.repository_scope, scope.label)
    for note in [*report.notes, *([report.bookings_reason] if report.bookings_reason else [])]:
        typer.echo(f"Note: {note}", err=True)
    emit(report_json(report), table_frame(report), fmt)
    if fmt is OutputFormat.table:
        typer.echo(f"\nTrack record at day {report.day} of past quarters:")
        defined = report.bookings_reason is None
        typer.echo(track_frame(report.company, defined).to_string(index=False))
