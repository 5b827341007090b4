"""`salesops import` and `salesops quality`: CRM exports in, data-quality checks out."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    cli_actor,
    emit,
    fail,
    friendly_errors,
    open_repository,
    parse_date,
    record_cli_change,
)
from salesops.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from salesops.importing.layouts import Layout


class DuplicateRule(StrEnum):
    """What to do with an external id that appears twice in one file."""

    error = "error"
    last = "last"


def _is_file_name(source: str) -> bool:
    """Returns whether `source` names a file (a CSV given where the source belongs)."""
    return Path(source).suffix.lower() in {".csv", ".tsv", ".txt"} or Path(source).is_file()


def _import_layout(source: str, files: list[Path], mapping: Path | None) -> Layout | None:
    """Returns the generic layout of --mapping (None without); fails on a folder or missing file."""
    from salesops.importing.mapping import layout_from_mapping

    folders = [str(f) for f in files if f.is_dir()]
    if folders:
        fail(f"Not a file but a folder: {', '.join(folders)}. Name the CSV files in it.")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"File not found: {', '.join(missing)}.")
    if source == "generic" and mapping is None:
        fail("The generic source needs --mapping FILE (YAML or JSON).")
    return layout_from_mapping(mapping) if mapping is not None else None


def _import_engine(url: str) -> Engine:
    """Returns a writing engine on `url`, creating the schema in an empty database."""
    from salesops.db.engine import has_schema, init_schema, make_engine

    engine = make_engine(url)
    if not has_schema(engine):
        init_schema(engine)
    return engine


def _record_import(engine: Engine, files: list[Path], outcome: Any) -> None:
    """Records a written import in the audit log (who: the command line's user)."""
    from salesops.access import audit

    if outcome.written:
        names = ", ".join(f.name for f in files)
        record_cli_change(engine, audit.IMPORTED, names, outcome.message)


def _progress_to(bar: Any) -> Callable[[float, str], None]:
    """Returns a progress callback advancing a typer progress bar (0-100) to each fraction."""
    done = [0]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 100) - done[0]
        if step > 0:
            bar.update(step)
            done[0] += step

    return progress


@contextmanager
def _import_progress_bar() -> Iterator[Any]:
    """Yields a progress bar on stderr when it is a terminal, else one that draws nothing."""
    if sys.stderr.isatty():
        with typer.progressbar(length=100, label="import", file=sys.stderr) as bar:
            yield bar
    else:
        yield SimpleNamespace(update=lambda step: None)


@app.command("import")
@friendly_errors
def import_(
    source: Annotated[
        str | None,
        typer.Argument(
            help="salesforce, hubspot, maven, ibm, olist, salesops (templates: orders, spend, "
            "quotas, reps, timesheet), odoo, stripe, generic (needs --mapping), or a layout key "
            "such as salesforce-leads."
        ),
    ] = None,
    files: Annotated[list[Path] | None, typer.Argument(help="One or more CSV files.")] = None,
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
    undo: Annotated[
        int | None,
        typer.Option(
            "--undo",
            metavar="BATCH",
            help="Roll back import batch BATCH (the newest not yet undone) in one transaction.",
        ),
    ] = None,
    url: UrlOption = None,
) -> None:
    """Import CRM CSV exports: validate every row, then write all rows or none (or --undo)."""
    from salesops.importing.reading import ReadSettings, parse_delimiter
    from salesops.importing.report import parse_as_of, validation_context

    if undo is not None:
        if source or files:
            fail("--undo BATCH takes no SOURCE or FILE.")
        _undo(undo, fmt, url)
        return
    source, files = _source_and_files(source, files)
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
    write = {"dry_run": dry_run, "valid_rows_only": valid_rows_only, "force": force}
    _import_and_report(config, source, files, read, context, layout, write, fmt)


def _source_and_files(source: str | None, files: list[Path] | None) -> tuple[str, list[Path]]:
    """Returns SOURCE and FILEs; fails with one sentence when a file is given as the source."""
    if source is not None and _is_file_name(source):
        fail(
            f"'{source}' is a file, but the first argument is the source: salesops import "
            f"SOURCE FILE... (for example: salesops import salesforce {source})."
        )
    if source is None or not files:
        fail("Give a SOURCE and one or more FILEs, or --undo BATCH.")
    return source, files


def _import_and_report(
    config: Settings,
    source: str,
    files: list[Path],
    read: Any,
    context: Any,
    layout: Layout | None,
    write: dict[str, bool],
    fmt: OutputFormat,
) -> None:
    """Imports the files with a progress bar, audits a written import, prints the outcome."""
    from salesops.forecast.stored import store_page_forecasts
    from salesops.importing.reading import CsvInput
    from salesops.importing.report import import_files

    engine = _import_engine(config.database_url)
    # In a terminal a bar; in a log or a pipe, click would print only the label ("import")
    # ahead of the outcome or the error, so nothing is drawn there.
    with _import_progress_bar() as bar:
        outcome = import_files(
            engine,
            [CsvInput.from_path(f) for f in files],
            source,
            settings=read,
            context=context,
            layout=layout,
            progress=_progress_to(bar),
            actor=cli_actor(),
            **write,
        )
    _record_import(engine, files, outcome)
    if outcome.written:
        typer.echo(store_page_forecasts(engine, config)[1], err=True)
    if fmt is OutputFormat.json:
        emit(outcome.to_dict(config.import_issues_listed), None, fmt)
    else:
        typer.echo("\n".join(outcome.text_lines(config.import_issues_printed)))
    if outcome.failed:
        fail(outcome.message)


def _undo(batch: int, fmt: OutputFormat, url: str | None) -> None:
    """Rolls back one import batch and prints what it did (audited as the CLI's user)."""
    from salesops.forecast.stored import store_page_forecasts
    from salesops.importing.undo import undo_import

    engine = _import_engine(load_settings(url).database_url)
    outcome = undo_import(engine, batch, cli_actor())
    typer.echo(store_page_forecasts(engine, load_settings(url))[1], err=True)
    if fmt is OutputFormat.json:
        payload = {
            "batch": outcome.batch,
            "restored": outcome.restored,
            "deleted": outcome.deleted,
            "reinserted": outcome.reinserted,
            "message": outcome.message,
        }
        emit(payload, None, fmt)
    else:
        typer.echo(outcome.message)


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
    if rows < 1:
        fail(f"--rows must be at least 1 (got {rows}).")
    # Only the rows listed are read (counts and the trend are totals either way).
    report = quality_report(open_repository(url), judged_at, load_settings(url), row_limit=rows)
    emit(report.to_dict(max_rows=rows), summary_frame(report.checks), fmt)
