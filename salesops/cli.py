"""`salesops` command line: a thin shell over the package (typer).

Errors print one clear sentence to stderr and exit non-zero; nothing is half-written.
JSON output (`--format json`) is a stable contract (see DESIGN.md).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import pandas as pd
import typer

from salesops.calendar import Period, parse_week
from salesops.config import Settings, load_settings, masked_url
from salesops.db.engine import (
    DatabaseError,
    init_schema,
    make_engine,
    record_schema_version,
    require_current_schema,
)
from salesops.export import to_safe_csv
from salesops.formatting import format_value
from salesops.kpis.metrics import KPIS
from salesops.repository import Repository, Scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from salesops.importing.layouts import Layout

app = typer.Typer(
    help="salesops: sales-operations analytics over your CRM database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Database URL (default: SALESOPS_DATABASE_URL, secrets, SQLite)."),
]


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
    """Wraps a command so expected failures print one sentence to stderr and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (CliError, DatabaseError, ValueError) as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def open_repository(url: str | None = None) -> Repository:
    """Returns a read-only repository on the resolved database URL."""
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
    from salesops.kpis.report import default_period

    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start is None or end is None:
        bounds = repo.data_bounds()
        if bounds["last"] is None:
            fail(
                "The database has no opportunities or leads yet: import a CSV or run salesops demo."
            )
        months = load_settings().default_period_months
        fallback = default_period(pd.Timestamp(bounds["last"]), months)
        assert fallback is not None  # the database has a last date
        start, end = start or fallback.start, end or fallback.end
    if end < start:
        fail(f"--to {end} is before --from {start}.")
    return start, end


def emit(payload: dict, frame: pd.DataFrame | None, fmt: OutputFormat) -> None:
    """Prints a report as JSON, as formula-safe CSV of `frame`, or as a plain table."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(payload, indent=2, default=str))
    elif fmt is OutputFormat.csv:
        sys.stdout.buffer.write(to_safe_csv(frame if frame is not None else pd.DataFrame()))
        sys.stdout.flush()
    else:
        typer.echo(frame.to_string(index=False) if frame is not None else json.dumps(payload))


@db_app.command("init")
@friendly_errors
def db_init(url: UrlOption = None) -> None:
    """Create every table and index that does not exist yet (safe to re-run)."""
    resolved = load_settings(url).database_url
    init_schema(make_engine(resolved))
    typer.echo(f"Schema ready in {masked_url(resolved)}.")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(url: UrlOption = None) -> None:
    """Bring an older salesops schema up to date: add missing tables, rebuild rollups."""
    from salesops.db.rollups import refresh_rollups

    resolved = load_settings(url).database_url
    engine = make_engine(resolved)
    init_schema(engine)
    refresh_rollups(engine)
    with engine.begin() as conn:
        record_schema_version(conn)
    typer.echo(f"Schema and rollups up to date in {masked_url(resolved)}.")


@app.command()
@friendly_errors
def demo(
    url: UrlOption = None,
    scale: Annotated[
        str, typer.Option(help="small (default), medium, large, or a number of opportunities.")
    ] = Settings().demo_scale,
    seed: Annotated[
        int, typer.Option(help="Random seed: same seed, same company.")
    ] = Settings().demo_seed,
) -> None:
    """Replace the database's content with a generated demo company."""
    from salesops.demo import generate_demo, resolve_scale

    resolve_scale(scale)  # reject a bad scale before touching the database
    resolved = load_settings(url).database_url
    typer.echo(f"Generating the {scale} demo company into {masked_url(resolved)}…", err=True)
    with typer.progressbar(length=100, label="demo", file=sys.stderr) as bar:
        done = [0]

        def progress(fraction: float, message: str) -> None:
            step = max(0, int(fraction * 100) - done[0])
            done[0] += step
            bar.label = f"{message[:44]:44}"
            bar.update(step)  # renders the new label even when no step was made

        counts = generate_demo(make_engine(resolved), scale, seed, progress=progress)
    typer.echo(
        f"Demo company ready: {counts['opportunities']:,} opportunities, "
        f"{counts['leads']:,} leads, {counts['reps']:,} reps.",
        err=True,
    )


class Breakdown(StrEnum):
    """What `kpis --by` groups on."""

    rep = "rep"
    territory = "territory"
    segment = "segment"
    channel = "channel"
    month = "month"


@app.command()
@friendly_errors
def kpis(
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[Breakdown | None, typer.Option(help="Break the KPIs down.")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    rep: Annotated[list[int] | None, typer.Option(help="Rep id (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """KPIs for a period (default: the last 12 whole months of data), as on the KPIs page."""
    from salesops.kpis.report import kpi_report

    repo = open_repository(url)
    start, end = resolve_period(repo, from_, to)
    scope = Scope(tuple(territory or ()), tuple(segment or ()), tuple(rep or ()))
    settings = load_settings(url)
    by_name = by.value if by is not None else None
    breakdowns = (by_name,) if by_name not in (None, "month") else ()
    report = kpi_report(repo, Period(start, end), scope, settings, breakdowns=breakdowns)
    payload = report.to_dict(by=by_name if by_name != "month" else None)
    if by_name == "month":
        frame = _monthly_frame(report)
        payload["breakdown"] = {
            "by": "month",
            "rows": json.loads(frame.to_json(orient="records", date_format="iso")),
        }
    elif by_name is not None:
        frame = report.breakdowns[by_name].drop(columns=["key"]).rename(columns={"name": by_name})
    else:
        frame = pd.DataFrame(
            [
                {
                    "kpi": kpi.label,
                    "value": format_value(report.current[n].value, kpi.unit, settings.currency),
                    "previous": format_value(report.prior[n].value, kpi.unit, settings.currency),
                    "note": report.current[n].reason or "",
                }
                for n, kpi in KPIS.items()
            ]
        )
    emit(payload, frame, fmt)


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
        typer.Option(help="Amount change that counts as big (currency); default: the setting."),
    ] = None,
    html: Annotated[
        str | None, typer.Option(help="Also write the printable meeting pack to this HTML file.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Weekly pipeline review: waterfall and deal lists for one week, as on the page."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from salesops.pipeline_review.report import default_week, review_report
    from salesops.pipeline_review.scope import resolve_scope

    chosen = [(k, v) for k, v in (("team", team), ("territory", territory), ("rep", rep)) if v]
    if len(chosen) > 1:
        fail("Give at most one of --team, --territory and --rep.")
    settings = load_settings(url)
    if stale_days is not None and stale_days < 1:
        fail(f"--stale-days must be at least 1 (got {stale_days}).")
    if big_change is not None and big_change <= 0:
        fail(f"--big-change must be positive (got {big_change}).")
    repo = open_repository(url)
    # Older schemas lack the history spans the review reads (or hold them unbuilt).
    require_current_schema(repo.engine)
    if week is not None:
        try:
            the_week = parse_week(week)
        except ValueError as exc:
            fail(f"--week {exc}")
    else:
        today = datetime.now(UTC).date()
        the_week = default_week(today, repo.history_bounds()["last"])
    kind, value = chosen[0] if chosen else ("company", None)
    scope = resolve_scope(kind, value, repo.reps(), repo.territories())
    thresholds = replace(
        settings,
        stale_days=stale_days or settings.stale_days,
        big_change=settings.big_change if big_change is None else big_change,
    )
    report = review_report(repo, the_week, scope, thresholds)
    if html is not None:
        from salesops.pipeline_review.meeting_pack import write_meeting_pack

        try:
            write_meeting_pack(report, html, thresholds)
        except OSError as exc:
            fail(f"Can't write the meeting pack to {html}: {exc.strerror or exc}.")
        typer.echo(f"Meeting pack written to {html}.", err=True)
    emit(report.to_dict(), report.tables()["waterfall"], fmt)


class Peer(StrEnum):
    """Whom `territory` compares each territory with."""

    segment = "segment"
    team = "team"


TERRITORY_DEFAULTS = Settings()  # the `territory` options' defaults, shown by --help
TERRITORY_PEER = Peer(TERRITORY_DEFAULTS.peer_group)


@app.command()
@friendly_errors
def territory(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Analysis date, YYYY-MM-DD (default: last data).")
    ] = None,
    peer: Annotated[
        Peer, typer.Option(help="Compare with the segment or the team.")
    ] = TERRITORY_PEER,
    threshold: Annotated[
        float, typer.Option(help="Flag beyond this fraction of the peer median (0.25 = 25%).")
    ] = TERRITORY_DEFAULTS.flag_threshold,
    max_moves: Annotated[
        int, typer.Option(help="Most account moves to propose.")
    ] = TERRITORY_DEFAULTS.rebalance_max_moves,
    max_share: Annotated[
        float | None, typer.Option(help="Most accounts moved, as a fraction of all accounts.")
    ] = TERRITORY_DEFAULTS.rebalance_max_share,
    same_region: Annotated[
        bool, typer.Option(help="Move accounts within a region only.")
    ] = TERRITORY_DEFAULTS.rebalance_same_region,
    same_segment: Annotated[
        bool, typer.Option(help="Move accounts to their segment only.")
    ] = TERRITORY_DEFAULTS.rebalance_same_segment,
    keep_largest: Annotated[
        int, typer.Option(help="Keep each territory's N largest accounts where they are.")
    ] = TERRITORY_DEFAULTS.rebalance_keep_largest,
    target: Annotated[
        float | None, typer.Option(help="Team quota target (default: sum of current quotas).")
    ] = None,
    territory_id: Annotated[
        list[int] | None, typer.Option("--territory", help="Territory id (repeatable).")
    ] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Territory balance, flags, a rebalancing proposal and quota suggestions (as on the page)."""
    from salesops.territory.assumptions import TerritorySettings
    from salesops.territory.rebalance import Constraints
    from salesops.territory.report import (
        proposal_accounts,
        report_from_data,
        report_to_json,
        territory_data,
    )

    if not 0 <= threshold <= 10:
        fail(f"--threshold {threshold} is out of range: use a fraction such as 0.25.")
    if max_share is not None and not 0 <= max_share <= 1:
        fail(f"--max-share {max_share} is out of range: use a fraction between 0 and 1.")
    if max_moves < 0 or keep_largest < 0:
        fail("--max-moves and --keep-largest must not be negative.")
    repo = open_repository(url)
    scope = Scope(tuple(territory_id or ()), tuple(segment or ()), ())
    data = territory_data(repo, scope, parse_date(as_of, "--as-of"))
    if data.is_empty:
        fail("The database has no territories or accounts yet: import a CSV or run salesops demo.")
    defaults = load_settings(url)
    settings = TerritorySettings.from_settings(defaults, threshold=threshold, peer=peer.value)
    constraints = Constraints.from_settings(
        defaults,
        same_region=same_region,
        same_segment=same_segment,
        max_moves=max_moves,
        max_share=max_share,
        keep_largest=keep_largest,
    )
    rows = proposal_accounts(repo, scope)
    report = report_from_data(data, rows, settings, constraints, team_target=target)
    payload = {"as_of": data.as_of.isoformat(), **report_to_json(report)}
    frame = report.territories[
        ["territory", "segment", "accounts", "reps", "potential", "capacity_hours",
         "potential_per_capacity_hour", "deviation", "flag"]
    ]  # fmt: skip
    emit(payload, frame, fmt)


def _monthly_frame(report: Any) -> pd.DataFrame:
    frame = report.trends["win_rate"][["month"]].copy()
    frame = frame[frame["month"] >= pd.Timestamp(report.period.start.replace(day=1))]
    for name in KPIS:
        frame[name] = report.trends[name]["value"]
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)


class DuplicateRule(StrEnum):
    """What to do with an external id that appears twice in one file."""

    error = "error"
    last = "last"


def _import_layout(source: str, files: list[Path], mapping: Path | None) -> Layout | None:
    """Returns the generic layout of --mapping (None without); fails on missing files."""
    from salesops.importing.mapping import layout_from_mapping

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"File not found: {', '.join(missing)}.")
    if source == "generic" and mapping is None:
        fail("The generic source needs --mapping FILE (YAML or JSON).")
    return layout_from_mapping(mapping) if mapping is not None else None


def _import_engine(url: str) -> Engine:
    """Returns a writing engine on `url`, creating the schema in an empty database."""
    from salesops.db.engine import has_schema

    engine = make_engine(url)
    if not has_schema(engine):
        init_schema(engine)
    return engine


def _progress_to(bar: Any) -> Callable[[float, str], None]:
    """Returns a progress callback advancing a typer progress bar (0-100) to each fraction."""
    done = [0]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 100) - done[0]
        if step > 0:
            bar.update(step)
            done[0] += step

    return progress


@app.command("import")
@friendly_errors
def import_(
    source: Annotated[
        str,
        typer.Argument(
            help="salesforce, hubspot, maven, ibm, olist, generic (needs --mapping), or a "
            "layout key such as salesforce-leads."
        ),
    ],
    files: Annotated[list[Path], typer.Argument(help="One or more CSV files.")],
    mapping: Annotated[
        Path | None, typer.Option(help="YAML/JSON column mapping (for the generic source).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; write nothing.")
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detect).")] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="Field delimiter: , ; tab | (default: detect).")
    ] = None,
    decimal: Annotated[str | None, typer.Option(help="Decimal separator: . or ,")] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strptime date format, e.g. %d/%m/%Y (default: detect).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="As-of date for layouts without dates, YYYY-MM-DD.")
    ] = None,
    duplicates: Annotated[
        DuplicateRule, typer.Option(help="Same id twice in a file: error, or last row wins.")
    ] = DuplicateRule.error,
    valid_rows_only: Annotated[
        bool, typer.Option("--valid-rows-only", help="Write the clean rows, skip rows in error.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Re-import files already imported (same sha256).")
    ] = False,
    max_rows: Annotated[
        int, typer.Option(help="Row limit per file.")
    ] = Settings().import_cli_max_rows,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format (table or json).")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Import CRM CSV exports: validate every row, then write all rows or none."""
    from salesops.importing.reading import CsvInput, ReadSettings, parse_delimiter
    from salesops.importing.report import import_files, parse_as_of, validation_context

    layout = _import_layout(source, files, mapping)
    read = ReadSettings(
        encoding=encoding,
        delimiter=parse_delimiter(delimiter),
        decimal=decimal,
        date_format=date_format,
        max_bytes=None,
        max_rows=max_rows,
    )
    config = load_settings(url)
    context = validation_context(config, parse_as_of(as_of), duplicates.value)
    engine = _import_engine(config.database_url)
    with typer.progressbar(length=100, label="import", file=sys.stderr) as bar:
        outcome = import_files(
            engine,
            [CsvInput.from_path(f) for f in files],
            source,
            settings=read,
            context=context,
            layout=layout,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            force=force,
            progress=_progress_to(bar),
        )
    if fmt is OutputFormat.json:
        emit(outcome.to_dict(config.import_issues_listed), None, fmt)
    else:
        typer.echo("\n".join(outcome.text_lines(config.import_issues_printed)))
    if not outcome.report.ok and not (valid_rows_only and outcome.written):
        fail(outcome.message)


class Frequency(StrEnum):
    """`forecast --freq`: weeks (starting Monday) or months."""

    W = "W"
    M = "M"


FORECAST_FREQ_DEFAULT = Frequency(Settings.forecast_freq)


class TrendFreq(StrEnum):
    """Trend bucket for `time --freq`."""

    W = "W"
    M = "M"


class ForecastBy(StrEnum):
    """What `forecast --by` forecasts separately."""

    territory = "territory"
    segment = "segment"


@app.command()
@friendly_errors
def quality(
    as_of: Annotated[
        str | None, typer.Option(help="Judge overdue deals against this date (default today).")
    ] = None,
    rows: Annotated[
        int, typer.Option(help="Offending rows listed per check (json).")
    ] = Settings().quality_rows_listed,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Data-quality checks: duplicates, impossible dates, gaps; counts and offending rows."""
    from salesops.quality.checks import summary_frame
    from salesops.quality.report import quality_report

    judged_at = parse_date(as_of, "--as-of")
    report = quality_report(open_repository(url), judged_at, load_settings(url))
    emit(report.to_dict(max_rows=rows), summary_frame(report.checks), fmt)


@app.command()
@friendly_errors
def forecast(
    freq: Annotated[
        Frequency, typer.Option(help="W (weekly) or M (monthly).")
    ] = FORECAST_FREQ_DEFAULT,
    horizon: Annotated[
        int, typer.Option(help=f"Periods to forecast (1-{Settings.forecast_max_horizon}).")
    ] = Settings.forecast_horizon,
    by: Annotated[ForecastBy | None, typer.Option(help="Also forecast each one.")] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest/--no-backtest", help="Rolling-origin backtest.")
    ] = False,
    holidays: Annotated[
        str | None, typer.Option(help="Country code for Prophet's holidays, e.g. US.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Bookings forecast (Prophet or the seasonal-naive fallback), as on the Forecast page."""
    from salesops.forecast.params import ProphetParams
    from salesops.forecast.report import forecast_report

    settings = load_settings(url)
    if not 1 <= horizon <= settings.forecast_max_horizon:
        fail(
            f"--horizon {horizon} is out of range: "
            f"use 1 to {settings.forecast_max_horizon} periods."
        )
    repo = open_repository(url)
    if repo.data_bounds()["last"] is None:
        fail("The database has no opportunities or leads yet: import a CSV or run salesops demo.")
    params = ProphetParams(country_holidays=holidays or None).validate()
    scope = Scope(tuple(territory or ()), tuple(segment or ()))
    report = forecast_report(
        repo,
        freq.value,
        horizon,
        by.value if by is not None else None,
        scope,
        backtest=backtest,
        params=params,
        settings=settings,
    )
    frame = report.forecast_table()
    frame["ds"] = frame["ds"].dt.strftime("%Y-%m-%d")
    emit(report.to_dict(), frame, fmt)


@app.command("time")
@friendly_errors
def time_allocation(
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    rep: Annotated[list[int] | None, typer.Option(help="Rep id (repeatable).")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Manager's team (repeatable).")] = None,
    freq: Annotated[TrendFreq, typer.Option(help="Trend by week or month.")] = TrendFreq[
        Settings.time_trend_freq
    ],
    shift: Annotated[
        float, typer.Option(min=0, max=1, help="Share of back-office hours moved to sales ops.")
    ] = Settings.what_if_shift_share,
    activity: Annotated[
        list[str] | None, typer.Option(help="Back-office activity to move (default: all).")
    ] = None,
    conversion: Annotated[
        float, typer.Option(min=0, max=1, help="Share of freed hours that become selling.")
    ] = Settings.what_if_selling_conversion,
    ops_cost: Annotated[
        float | None,
        typer.Option(min=0, help="Sales-ops hourly cost (default: a share of the reps' mean)."),
    ] = None,
    ops_factor: Annotated[
        float, typer.Option(min=0, help="Sales-ops hours per rep hour moved.")
    ] = Settings.what_if_sales_ops_time_factor,
    elasticity: Annotated[
        float,
        typer.Option(min=0.01, max=1, help="Revenue curve exponent: 1 linear, <1 diminishing."),
    ] = Settings.what_if_elasticity,
    release: Annotated[
        bool, typer.Option(help="Count unconverted freed hours as released rep cost.")
    ] = Settings.what_if_release_unconverted,
    lift: Annotated[
        float, typer.Option(min=0, help="Productivity lift for moving the middle.")
    ] = Settings.middle_lift,
    ramp_months: Annotated[
        int, typer.Option(min=0, help="Months to shorten the ramp by.")
    ] = Settings.ramp_months_shorter,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Rep time allocation: selling share vs benchmark, unit costs and the freed-time what-if."""
    from dataclasses import replace

    from salesops.time_allocation.report import time_report, time_report_json
    from salesops.time_allocation.team import team_scope
    from salesops.time_allocation.what_if import default_scenario

    settings = load_settings(url)
    repo = open_repository(url)
    start, end = resolve_period(repo, from_, to)
    scope = Scope(tuple(territory or ()), tuple(segment or ()), tuple(rep or ()))
    if team:
        unknown = sorted(set(team) - set(repo.time_reps()["manager"].dropna()))
        if unknown:
            fail(f"--team {', '.join(unknown)} is not a manager in the database.")
        if (team_only := team_scope(scope, repo.time_reps(), team)) is None:
            fail("No rep is in both the chosen --team and --rep.")
        scope = team_only
    report = time_report(repo, Period(start, end), scope, settings, freq.value)
    scenario = replace(
        default_scenario(report.what_if_base, settings),
        shift_share=shift,
        activities=tuple(activity) if activity else None,
        sales_ops_time_factor=ops_factor,
        selling_conversion=conversion,
        elasticity=elasticity,
        release_unconverted=release,
    )
    if ops_cost is not None:
        scenario = replace(scenario, sales_ops_hourly_cost=ops_cost)
    payload = time_report_json(report, scenario, lift=lift, ramp_months=ramp_months)
    if report.warning:
        typer.echo(f"Warning: {report.warning}", err=True)
    emit(payload, report.rep_table(), fmt)


@app.command("settings")
@friendly_errors
def settings_(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Every default and assumption behind the numbers, with what it means."""
    from salesops.config import SECTIONS, describe_settings

    rows = describe_settings(load_settings(url))
    frame = pd.DataFrame(rows, columns=["section", "name", "value", "help"])
    if fmt is OutputFormat.table:
        for key, title in SECTIONS.items():
            chosen = frame[frame["section"] == key]
            if chosen.empty:
                continue
            typer.echo(f"\n{title}")
            for row in chosen.itertuples():
                typer.echo(f"  {row.name} = {row.value!r}\n      {row.help}")
        return
    payload = {"settings": [dict(zip(frame.columns, row, strict=True)) for row in rows]}
    emit(payload, frame, fmt)


def main() -> None:
    """Runs the command line (the `salesops` console script)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
