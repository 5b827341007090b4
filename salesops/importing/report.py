"""Importing CSV exports into the database: the one entry the Data page, the CLI and bench call.

`import_files` plans and validates the files (`salesops.importing.pipeline`) with what the
database knows (stages, lead dates, files already imported), then, unless it is a dry run,
hands each validated chunk to the writer (`salesops.importing.writing`) inside one
transaction: every row is written, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from salesops.config import Settings
from salesops.db.engine import DatabaseError, require_current_schema
from salesops.importing import batches, known, writing
from salesops.importing.issues import ERROR
from salesops.importing.layouts import Layout
from salesops.importing.pipeline import (
    PlannedFile,
    Progress,
    file_sha256,
    plan_files,
    validate_planned,
)
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput, ImportRejected, ReadSettings
from salesops.importing.results import ImportOutcome, ImportReport


def parse_as_of(text: str | None) -> date | None:
    """Returns an ISO date from text, None for empty; raises ImportRejected when unreadable."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ImportRejected(f"As-of date '{text}' is not a date like 2024-12-31.") from exc


def validation_context(
    settings: Settings, as_of: date | None, duplicates: str
) -> ValidationContext:
    """Returns the context an import validates against.

    That is the as-of date, the database currency and the duplicate-id rule ("error", or
    "last" row wins).
    """
    return ValidationContext(as_of=as_of, currency=settings.currency, duplicates=duplicates)


def _with_lead_dates(
    engine: Engine, planned: Sequence[PlannedFile], context: ValidationContext
) -> ValidationContext:
    """Returns the context with the stored leads' dates of sources whose deals need them."""
    lead_sources = {
        p.plan.layout.source
        for p in planned
        if p.plan is not None and p.plan.layout.options.get("created_at_from_lead")
    }
    if not lead_sources:
        return context
    lead_dates = dict(context.lead_created)
    for lead_source in lead_sources:
        lead_dates.update(known.lead_created_dates(engine, lead_source))
    return replace(context, lead_created=lead_dates)


def _already_imported(engine: Engine, planned: Sequence[PlannedFile]) -> dict[str, datetime]:
    """Returns {file name: when} for the planned files whose bytes were imported before."""
    skipped: dict[str, datetime] = {}
    with engine.connect() as conn:
        for item in planned:
            if item.plan is None:
                continue
            when = batches.already_imported(conn, file_sha256(item.inp), item.plan.layout.entity)
            if when is not None:
                skipped[item.inp.name] = when
    return skipped


def _blocked(report: ImportReport, valid_rows_only: bool) -> bool:
    """Returns True when a file stops the import.

    Any error does; with `valid_rows_only`, only a file rejected, empty or with a
    file-level error does.
    """
    return any(
        not f.ok
        and (
            not valid_rows_only
            or f.rows_read == 0
            or f.label == "rejected"
            or any(i.row is None and i.severity == ERROR for i in f.issues)
        )
        for f in report.files
    )


def _record_batches(
    conn: Connection,
    to_write: Sequence[PlannedFile],
    report: ImportReport,
    sink: writing.BatchWriter,
) -> None:
    """Records every written file in the import_batches ledger."""
    for item in to_write:
        assert item.plan is not None
        file_report = next(f for f in report.files if f.file == item.inp.name)
        batches.record_batch(
            conn,
            source=item.plan.layout.source,
            entity=item.plan.layout.entity,
            file_name=item.inp.name,
            sha256=file_sha256(item.inp),
            rows_read=file_report.rows_read,
            counts=sink.counts.get(item.inp.name, writing.WriteCounts()),
        )


def _imported_message(counts: dict[str, writing.WriteCounts], skipped: dict[str, datetime]) -> str:
    """Returns the sentence saying what was written (and which files were skipped)."""
    inserted = sum(c.inserted for c in counts.values())
    updated = sum(c.updated for c in counts.values())
    unchanged = sum(c.unchanged for c in counts.values())
    message = f"Imported {inserted:,} new and {updated:,} updated rows ({unchanged:,} unchanged)"
    if skipped:
        message += "; skipped already imported " + ", ".join(skipped)
    return message + "."


def _write(
    engine: Engine,
    to_write: Sequence[PlannedFile],
    source: str,
    settings: ReadSettings,
    context: ValidationContext,
    valid_rows_only: bool,
    skipped: dict[str, datetime],
    progress: Progress | None,
) -> ImportOutcome:
    """Returns the outcome of validating and writing the files in one transaction.

    The transaction rolls back (and the outcome says why) when a file is blocked or, unless
    `valid_rows_only`, any row has an error.
    """
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # A larger page cache keeps index pages in memory during a big upsert.
                conn.exec_driver_sql("PRAGMA cache_size=-65536")
            sink = writing.BatchWriter(conn, valid_rows_only=valid_rows_only)
            report = validate_planned(
                to_write, source, settings, context, progress, sink, "Importing"
            )
            if _blocked(report, valid_rows_only) or sink.errors_seen:
                raise writing.ImportAborted
            sink.finish()
            _record_batches(conn, to_write, report, sink)
    except writing.ImportAborted:
        first = report.first_error() or "the import was stopped"
        return ImportOutcome(
            report, False, already_imported=skipped, message=f"Nothing imported: {first}"
        )
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseError(f"The import failed and was rolled back: {detail}") from exc
    return ImportOutcome(
        report, True, dict(sink.counts), skipped, _imported_message(sink.counts, skipped)
    )


def import_files(
    engine: Engine,
    inputs: Sequence[CsvInput],
    source: str,
    *,
    settings: ReadSettings | None = None,
    context: ValidationContext | None = None,
    layout: Layout | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Returns what importing the files did: validated and, unless `dry_run`, written at once.

    Nothing is written if any file is rejected or any row has an error (unless
    `valid_rows_only`, which writes the clean rows and counts the rest as rejected). Files
    whose sha256 was already imported are skipped with a notice unless `force`. Rollups
    are rebuilt after a successful write.
    """
    from salesops.db.rollups import refresh_rollups

    require_current_schema(engine)  # an older schema lacks what imports maintain
    settings = settings or ReadSettings()
    context = context or ValidationContext()
    context = replace(
        context, known_stages={**known.known_stages(engine), **dict(context.known_stages)}
    )
    planned = plan_files(
        inputs, source, settings=settings, context=context, layout=layout, progress=progress
    )
    context = _with_lead_dates(engine, planned, context)
    skipped = {} if force else _already_imported(engine, planned)
    to_write = [p for p in planned if p.plan is None or p.inp.name not in skipped]
    if dry_run:
        report = validate_planned(to_write, source, settings, context, progress)
        return ImportOutcome(
            report, False, already_imported=skipped, message="Dry run: nothing written."
        )
    if not to_write:
        report = validate_planned(planned, source, settings, context, progress)
        names = ", ".join(f"{n} on {d:%Y-%m-%d %H:%M} UTC" for n, d in skipped.items())
        message = f"Already imported: {names}. Nothing to do."
        return ImportOutcome(report, False, already_imported=skipped, message=message)
    outcome = _write(
        engine, to_write, source, settings, context, valid_rows_only, skipped, progress
    )
    if outcome.written:
        if progress is not None:
            progress(1.0, "Refreshing KPI rollups")
        refresh_rollups(engine, history_spans=False)  # the import kept the spans up to date
    return outcome
