"""Importing CSV exports into the database: the one entry the Data page, the CLI and bench call.

`import_files` plans and validates the files (`salesops.importing.pipeline`) with what the
database knows (stages, lead dates, files already imported), then, unless it is a dry run,
hands each validated chunk to the writer (`salesops.importing.writing`) inside one
transaction: every row is written, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from salesops.config import Settings
from salesops.db.engine import DatabaseError, has_schema, init_schema, require_current_schema
from salesops.db.rollups import rebuild_rollups
from salesops.importing import batches, known, memory, writing
from salesops.importing.beside import writing_beside
from salesops.importing.change_log import ChangeLog
from salesops.importing.issues import ERROR
from salesops.importing.key_dates import KeyDates
from salesops.importing.layouts import Layout
from salesops.importing.lock import BUSY_MESSAGE, ImportBusy, hold_import_lock
from salesops.importing.memory import sqlite_cache
from salesops.importing.pipeline import (
    PlannedFile,
    Progress,
    plan_headers,
    scan_planned,
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
    """Returns the context with the stored leads' and deals' dates the files need.

    Leads for sources whose deals start at their lead; deals for history files.
    """
    layouts = [p.plan.layout for p in planned if p.plan is not None]
    lead_sources = {lay.source for lay in layouts if lay.options.get("created_at_from_lead")}
    deal_sources = {lay.source for lay in layouts if lay.entity == "opportunity_history"}
    if lead_sources:
        lead_dates = KeyDates.of(context.lead_created)
        for lead_source in lead_sources:
            lead_dates.update(known.lead_created_dates(engine, lead_source))
        context = replace(context, lead_created=lead_dates)
    if deal_sources:
        deal_dates = KeyDates.of(context.deal_created)
        for deal_source in deal_sources:
            deal_dates.update(known.deal_created_dates(engine, deal_source))
        context = replace(context, deal_created=deal_dates)
    return context


def _with_known(
    engine: Engine, planned: Sequence[PlannedFile], context: ValidationContext
) -> ValidationContext:
    """Returns the context with the stages, rep names and activity types the database holds.

    And the order ids, only when a file updates orders (invoices): there may be millions.
    """
    updates_orders = any(
        p.plan is not None
        and p.plan.layout.entity == "orders"
        and p.plan.layout.options.get("updates_only")
        for p in planned
    )
    names = known.known_names(engine, orders=updates_orders)
    return replace(
        context,
        known_stages={**known.known_stages(engine), **dict(context.known_stages)},
        known_reps=context.known_reps | names["reps"],
        known_orders=context.known_orders | names["orders"],
        activity_types=context.activity_types | names["activity_types"],
    )


def _already_imported(
    conn: Connection, planned: Sequence[PlannedFile], since: dict[str, datetime] | None = None
) -> dict[str, datetime]:
    """Returns {file name: when} for the planned files whose bytes were imported before."""
    skipped: dict[str, datetime] = dict(since or {})
    for item in planned:
        if item.plan is None or item.inp.name in skipped:
            continue
        when = batches.already_imported(conn, item.sha256(), item.plan.layout.entity)
        if when is not None:
            skipped[item.inp.name] = when
    return skipped


def _nothing_to_do(skipped: dict[str, datetime]) -> ImportOutcome:
    """Returns the outcome of an import whose every file was already imported."""
    names = ", ".join(f"{n} on {d:%Y-%m-%d %H:%M} UTC" for n, d in skipped.items())
    message = f"Already imported: {names}. Nothing to do."
    return ImportOutcome(ImportReport([]), False, already_imported=skipped, message=message)


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
            sink.log,
            source=item.plan.layout.source,
            entity=item.plan.layout.entity,
            file_name=item.inp.name,
            sha256=item.sha256(),
            rows_read=file_report.rows_read,
            counts=sink.counts.get(item.inp.name, writing.WriteCounts()),
        )


def _imported_message(
    counts: dict[str, writing.WriteCounts], skipped: dict[str, datetime], notes: Sequence[str] = ()
) -> str:
    """Returns the sentence saying what was written (which files were skipped, and notes)."""
    inserted = sum(c.inserted for c in counts.values())
    updated = sum(c.updated for c in counts.values())
    unchanged = sum(c.unchanged for c in counts.values())
    message = f"Imported {inserted:,} new and {updated:,} updated rows ({unchanged:,} unchanged)"
    if skipped:
        message += "; skipped already imported " + ", ".join(skipped)
    return " ".join([message + ".", *notes])


class _AllImportedMeanwhile(Exception):
    """Every file was imported by another run while this one waited: nothing to write."""


def _write_in(
    conn: Connection,
    to_write: list[PlannedFile],
    source: str,
    settings: ReadSettings,
    context: ValidationContext,
    options: _WriteOptions,
) -> tuple[ImportReport, writing.BatchWriter]:
    """Validates and writes the files on the import's connection; returns (report, writer).

    Takes the import lock first, then drops the files another import wrote meanwhile, and
    ends with the rollups rebuilt, so everything commits (or rolls back) together. Raises
    ImportAborted when a file is blocked or, unless `valid_rows_only`, a row has an error.
    """
    hold_import_lock(conn)
    if not options.force:
        options.skipped.update(_already_imported(conn, to_write, options.skipped))
        to_write[:] = [p for p in to_write if p.inp.name not in options.skipped]
        if not to_write:
            raise _AllImportedMeanwhile
    sqlite_cache(conn, memory.WRITE_CACHE_KIB)
    memory.sqlite_sort_threads(conn, memory.SQLITE_SORT_THREADS)
    memory.postgres_work_mem(conn)
    log = ChangeLog(conn, [p.inp.name for p in to_write], options.actor)
    sink = writing.BatchWriter(conn, log, valid_rows_only=options.valid_rows_only)
    # the chunks are written in a thread while the next ones are read and validated
    with writing_beside(sink) as chunks:
        report = validate_planned(
            to_write, source, settings, context, options.progress, chunks, "Importing"
        )
    if _blocked(report, options.valid_rows_only) or sink.errors_seen:
        raise writing.ImportAborted(report.first_error() or "the import was stopped", report)
    memory.release_unused()  # what the chunks left freed, before indexes and spans
    sink.finish()
    _record_batches(conn, to_write, report, sink)
    if options.progress is not None:
        options.progress(1.0, "Refreshing KPI rollups")
    sqlite_cache(conn, memory.ROLLUP_CACHE_KIB)
    memory.release_unused()
    # a rebuild of the call rollups (a first import) sweeps the spans beside the rollups'
    # SQL; nothing below changes the spans, the deals' reps or the reps before it ends
    sink.call.sweep_ahead()
    try:
        # the import kept the spans up to date, and the call rollups with them; rollups over
        # tables it did not write are left as they are, others refreshed where its rows fall
        rebuild_rollups(conn, history_spans=False, call=sink.call, changes=log.row_changes())
    finally:  # a rollup that failed leaves the sweep waiting for a finish that never comes
        sink.call.close()
    options.batch = log.finish(_imported_message(sink.counts, options.skipped, sink.notes))
    return report, sink


@dataclass
class _WriteOptions:
    """How a write runs: the rules chosen by the caller and the files skipped so far."""

    valid_rows_only: bool
    force: bool
    skipped: dict[str, datetime]
    progress: Progress | None
    actor: str | None = None
    batch: int | None = None  # the run's id, once written


def _write(
    engine: Engine,
    to_write: list[PlannedFile],
    source: str,
    settings: ReadSettings,
    context: ValidationContext,
    options: _WriteOptions,
) -> ImportOutcome:
    """Returns the outcome of validating and writing the files in one transaction.

    The transaction rolls back (and the outcome says why) when a file is blocked or, unless
    `valid_rows_only`, any row has an error; a database failure raises DatabaseError
    (ImportBusy when another import holds the database).
    """
    skipped = options.skipped
    try:
        with engine.begin() as conn:
            report, sink = _write_in(conn, to_write, source, settings, context, options)
    except _AllImportedMeanwhile:
        return _nothing_to_do(skipped)
    except writing.ImportAborted as exc:
        aborted = exc.report if isinstance(exc.report, ImportReport) else ImportReport([])
        return ImportOutcome(
            aborted,
            False,
            already_imported=skipped,
            message=f"Nothing imported: {exc}",
        )
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise ImportBusy(BUSY_MESSAGE) from None
        raise _rolled_back(exc) from exc
    except SQLAlchemyError as exc:
        raise _rolled_back(exc) from exc
    message = _imported_message(sink.counts, skipped, sink.notes)
    message += f" Batch {options.batch} (undo with `salesops import --undo {options.batch}`)."
    return ImportOutcome(report, True, dict(sink.counts), skipped, message, options.batch)


def _rolled_back(exc: SQLAlchemyError) -> DatabaseError:
    """Returns the one-sentence error for a write the database refused (rolled back)."""
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return DatabaseError(f"The import failed and was rolled back: {detail}")


def _schema_ready(engine: Engine, dry_run: bool) -> bool:
    """Returns True when the salesops tables exist (creating them first for a real import).

    A dry run against a database without them validates with nothing known; an older
    schema raises SchemaMissing (run `salesops db upgrade`).
    """
    if not has_schema(engine):
        if dry_run:
            return False
        init_schema(engine)
    require_current_schema(engine)  # an older schema lacks what imports maintain
    return True


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
    actor: str | None = None,
) -> ImportOutcome:
    """Returns what importing the files did: validated and, unless `dry_run`, written at once.

    Nothing is written if any file is rejected or any row has an error (unless
    `valid_rows_only`, which writes the clean rows and counts the rest as rejected). Files
    whose sha256 was already imported are skipped with a notice (before any row is read)
    unless `force`. The rows, the ledger and the rollups are written in one transaction
    that holds the database's import lock (ImportBusy if another import holds it). A
    database without the salesops tables gets them when writing; a dry run against it
    validates with nothing known and says so. The run is recorded (`actor` is who ran it)
    with what it changed, so `salesops.importing.undo` can roll it back.
    """
    settings = settings or ReadSettings()
    context = context or ValidationContext()
    ready = _schema_ready(engine, dry_run)
    planned = plan_headers(inputs, source, settings=settings, layout=layout)
    skipped: dict[str, datetime] = {}
    if ready and not force:
        with engine.connect() as conn:
            skipped = _already_imported(conn, planned)
    to_write = [p for p in planned if p.plan is None or p.inp.name not in skipped]
    if not to_write:
        return _nothing_to_do(skipped)  # before reading anything else the database holds
    if ready:
        context = _with_known(engine, to_write, context)
    scan_planned(to_write, settings, context, progress)
    memory.release_unused()  # what the scan's chunks left freed, before the write
    if ready:
        context = _with_lead_dates(engine, to_write, context)
    if dry_run:
        report = validate_planned(to_write, source, settings, context, progress)
        return ImportOutcome(
            report, False, already_imported=skipped, message=_dry_run_message(report, ready)
        )
    options = _WriteOptions(valid_rows_only, force, skipped, progress, actor)
    return _write(engine, to_write, source, settings, context, options)


def _dry_run_message(report: ImportReport, schema_ready: bool) -> str:
    """Returns the dry run's sentence: nothing written, and the first problem if any."""
    first = report.first_error()
    message = f"Dry run, nothing written: {first}" if first else "Dry run: nothing written."
    if not schema_ready:
        message += " The database has no salesops tables yet: importing creates them."
    return message
