"""`salesops review`: the weekly pipeline review, as on its page."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    fail,
    friendly_errors,
    number_option,
    open_repository,
)
from salesops.config import load_settings
from salesops.numbers import AMOUNT


@app.command()
@friendly_errors
def review(
    week: Annotated[
        str | None,
        typer.Option(
            help="Any day of the ISO week (YYYY-MM-DD) or YYYY-Www; default: last complete."
        ),
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only this manager's team.")] = None,
    territory: Annotated[int | None, typer.Option(help="Only this territory's reps (id).")] = None,
    rep: Annotated[int | None, typer.Option(help="Only this rep (id).")] = None,
    stale_days: Annotated[
        int | None, typer.Option(help="Days without change that make an open deal stale.")
    ] = None,
    big_change: Annotated[
        float | None,
        number_option(
            AMOUNT,
            "Amount change that counts as big (currency); default: the setting.",
        ),
    ] = None,
    html: Annotated[
        str | None, typer.Option(help="Also write the printable meeting pack to this HTML file.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help="Rows per deal list and of movements in JSON (0: every row); "
            "default: the review_rows_listed setting.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Weekly pipeline review: waterfall and deal lists for one week, as on the page."""
    from dataclasses import replace

    from salesops.db.engine import require_current_schema
    from salesops.pipeline_review.report import review_report
    from salesops.pipeline_review.scope import resolve_scope

    chosen = [(k, v) for k, v in (("team", team), ("territory", territory), ("rep", rep)) if v]
    if len(chosen) > 1:
        fail("Give at most one of --team, --territory and --rep.")
    settings = load_settings(url)
    if limit is not None and limit < 0:
        fail(f"--limit must be 0 or more (got {limit}).")
    if stale_days is not None and stale_days < 1:
        fail(f"--stale-days must be at least 1 (got {stale_days}).")
    if big_change is not None and big_change <= 0:
        fail(f"--big-change must be positive (got {big_change}).")
    repo = open_repository(url)
    # Older schemas lack the history spans the review reads (or hold them unbuilt).
    require_current_schema(repo.engine)
    the_week = _week(repo, week)
    kind, value = chosen[0] if chosen else ("company", None)
    scope = resolve_scope(kind, value, repo.reps(), repo.territories())
    thresholds = replace(
        settings,
        stale_days=stale_days or settings.stale_days,
        big_change=settings.big_change if big_change is None else big_change,
    )
    report = review_report(repo, the_week, scope, thresholds)
    if html is not None:
        from salesops.cash.pack import pack_cash_report
        from salesops.pipeline_review.meeting_pack import write_meeting_pack

        cash = pack_cash_report(repo, the_week, scope.repository_scope, thresholds)
        try:
            write_meeting_pack(report, html, thresholds, cash)
        except OSError as exc:
            fail(f"Can't write the meeting pack to {html}: {exc.strerror or exc}.")
        typer.echo(f"Meeting pack written to {html}.", err=True)
    cap = settings.review_rows_listed if limit is None else limit
    emit(report.to_dict(limit=cap), report.tables()["waterfall"], fmt)


def _week(repo: Any, week: str | None) -> Any:
    """Returns the --week asked for, or the last complete week the history covers."""
    from datetime import UTC, datetime

    from salesops.calendar import parse_week
    from salesops.pipeline_review.report import default_week

    if week is None:
        return default_week(datetime.now(UTC).date(), repo.history_bounds()["last"])
    try:
        return parse_week(week)
    except ValueError as exc:
        fail(f"--week {exc}")
