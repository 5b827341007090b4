"""CSV import: read -> map through a layout -> validate every row -> (then) write in one go.

This module is the public face of `salesops.importing`. `validate_files` is the pure dry
run: it reads each file in chunks, detects encoding/delimiter/decimal/date format (or uses
the ones given), maps headers through the source's layout and collects every row-level
problem into an ImportReport, touching no database. `import_files` (the Data page and
`salesops import`) adds what the database knows (stages, leads, files already imported)
and hands each validated chunk to `salesops.importing.writing` inside one transaction.

Row numbers in reports are spreadsheet rows: header = row 1, first data row = row 2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from salesops.db.engine import DatabaseError, require_current_schema
from salesops.importing.layouts import (
    ENTITIES,
    LAYOUTS,
    SOURCES,
    Layout,
    choose_layout,
    layout_from_mapping,
    match_columns,
    missing_columns_sentence,
)
from salesops.importing.reading import (
    DELIMITER_NAMES,
    CsvInput,
    FileFormat,
    ImportRejected,
    ReadSettings,
    inspect_format,
    read_chunks,
    sniff_delimiter,
)
from salesops.importing.validation import (
    DATE_FORMAT_LABELS,
    ERROR,
    MAX_STORED_ISSUES,
    WARNING,
    DateEvidence,
    FilePlan,
    NumberEvidence,
    RowIssue,
    ValidationContext,
    finish_scan,
    scan_chunk,
    validate_chunk,
)

__all__ = [
    "CsvInput",
    "FileReport",
    "ImportRejected",
    "ImportReport",
    "LAYOUTS",
    "Layout",
    "ReadSettings",
    "RowIssue",
    "SOURCES",
    "ValidationContext",
    "file_sha256",
    "import_files",
    "ImportOutcome",
    "iter_typed_chunks",
    "layout_from_mapping",
    "plan_files",
    "validate_files",
    "validate_planned",
]

Progress = Callable[[float, str], None]
PREVIEW_ROWS = 20
ISSUE_COLUMNS = ["file", "row", "column", "value", "expected", "severity"]


@dataclass
class FileReport:
    """The validation result for one file: detected settings, counts, problems, a preview."""

    file: str
    source: str
    entity: str
    layout: str
    label: str
    detected: dict[str, str]
    rows_read: int = 0
    rows_valid: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    issue_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    sha256: str = ""

    @property
    def errors(self) -> list[RowIssue]:
        """Returns the problems that block the import."""
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[RowIssue]:
        """Returns the problems that are reported but do not block the import."""
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when the file can be written (no errors)."""
        return not self.errors


@dataclass
class ImportReport:
    """Validation results for a batch of files; `ok` only when every file is clean."""

    files: list[FileReport]

    @property
    def ok(self) -> bool:
        """True when every file validated without errors."""
        return bool(self.files) and all(f.ok for f in self.files)

    @property
    def rows_read(self) -> int:
        """Returns the data rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_valid(self) -> int:
        """Returns the rows without errors over all files."""
        return sum(f.rows_valid for f in self.files)

    @property
    def errors(self) -> list[RowIssue]:
        """Returns every blocking problem over all files."""
        return [i for f in self.files for i in f.errors]

    def issues_frame(self) -> pd.DataFrame:
        """Returns a frame with columns file, row, column, value, expected, severity."""
        rows = [
            (i.file, i.row, i.column, i.value, i.expected, i.severity)
            for f in self.files
            for i in f.issues
        ]
        frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def first_error(self) -> str | None:
        """Returns the first blocking problem as a sentence (for the CLI's one-line error)."""
        errors = self.errors
        if not errors:
            return None
        more = len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        return errors[0].sentence() + suffix

    def to_dict(self) -> dict[str, object]:
        """Returns a JSON-ready summary (the `salesops import --format json` shape)."""
        return {
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "files": [
                {
                    "file": f.file,
                    "source": f.source,
                    "entity": f.entity,
                    "layout": f.layout,
                    "detected": f.detected,
                    "rows_read": f.rows_read,
                    "rows_valid": f.rows_valid,
                    "errors": len(f.errors),
                    "warnings": len(f.warnings),
                    "unknown_columns": f.unknown_columns,
                    "notes": list(f.notes),
                    "issues": [
                        {
                            "row": i.row,
                            "column": i.column,
                            "value": i.value,
                            "expected": i.expected,
                            "severity": i.severity,
                        }
                        for i in f.issues[:200]
                    ],
                }
                for f in self.files
            ],
        }


def file_sha256(inp: CsvInput) -> str:
    """Returns the hex sha256 of the file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with inp.open() as stream:
        while block := stream.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _resolve_layout(source: str, fmt: FileFormat, name: str, layout: Layout | None) -> Layout:
    if layout is None:
        return choose_layout(source, fmt.columns, name)
    mapping, unknown = match_columns(layout, fmt.columns)
    missing = [t for t in layout.required if t not in mapping]
    if missing:
        raise ImportRejected(missing_columns_sentence(name, layout, missing, unknown), file=name)
    return layout


@dataclass
class PlannedFile:
    """A file with its plan (None when rejected) and the rejection sentence, if any."""

    inp: CsvInput
    plan: FilePlan | None
    rejected: str | None = None


def _plan_one(
    inp: CsvInput, source: str, settings: ReadSettings, layout: Layout | None
) -> PlannedFile:
    try:
        fmt = inspect_format(inp, settings)
        header = fmt.raw_columns[0] if len(fmt.raw_columns) == 1 else ""
        if settings.delimiter and header and sniff_delimiter(header + "\n") != fmt.delimiter:
            likely = DELIMITER_NAMES.get(sniff_delimiter(header + "\n"), "different")
            raise ImportRejected(
                f"{inp.name}: with the {fmt.delimiter_name} delimiter the header is one single "
                f"column; the file looks {likely}-delimited (leave the delimiter on auto).",
                file=inp.name,
            )
        chosen = _resolve_layout(source, fmt, inp.name, layout)
    except ImportRejected as exc:
        return PlannedFile(inp, None, str(exc))
    mapping, unknown = match_columns(chosen, fmt.columns)
    plan = FilePlan(
        file=inp.name,
        layout=chosen,
        fmt=fmt,
        column_map=mapping,
        unknown_columns=[fmt.raw_columns[fmt.columns.index(c)] for c in unknown],
        date_format=None,
        decimal=".",
        thousands=",",
        as_of=datetime.now(UTC).date(),
    )
    return PlannedFile(inp, plan)


def plan_files(
    inputs: Sequence[CsvInput],
    source: str,
    *,
    settings: ReadSettings | None = None,
    context: ValidationContext | None = None,
    layout: Layout | None = None,
    progress: Progress | None = None,
) -> list[PlannedFile]:
    """Returns each file's plan after the scan pass, ordered reps, accounts, leads, deals.

    The scan pass reads each file once in chunks to fix its date format, decimal
    separator, as-of date and duplicate-id handling before any row is validated.
    """
    settings = settings or ReadSettings()
    context = context or ValidationContext()
    planned = [_plan_one(inp, source, settings, layout) for inp in inputs]
    order = {entity: i for i, entity in enumerate(ENTITIES)}
    planned.sort(key=lambda p: order[p.plan.layout.entity] if p.plan else -1)
    for number, item in enumerate(planned):
        if item.plan is None:
            continue
        plan = item.plan
        dates = DateEvidence(plan.layout.date_formats)
        if settings.date_format:
            dates = DateEvidence((settings.date_format,))
        numbers = NumberEvidence()
        ids: list[pd.Series] = []
        scan_settings = replace(settings, max_rows=settings.max_rows)
        try:
            for chunk in read_chunks(
                item.inp,
                plan.fmt,
                scan_settings,
                _file_progress(progress, number, len(planned), "Checking", item.inp.name),
            ):
                scan_chunk(plan, chunk, dates, numbers, ids)
        except ImportRejected as exc:
            item.plan, item.rejected = None, str(exc)
            continue
        finish_scan(
            plan,
            dates,
            numbers,
            ids,
            context,
            settings.date_format,
            settings.decimal,
            settings.thousands,
        )
    return planned


def _file_progress(
    progress: Progress | None, number: int, count: int, verb: str, name: str
) -> Callable[[int, int], None] | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        share = (number + (done / total if total else 1.0)) / max(count, 1)
        progress(min(share, 1.0), f"{verb} {name}")

    return report


def iter_typed_chunks(
    item: PlannedFile,
    settings: ReadSettings,
    context: ValidationContext,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[pd.DataFrame, list[RowIssue]]]:
    """Yields (typed rows, problems) per chunk of a planned file (see validate_chunk)."""
    assert item.plan is not None
    for chunk in read_chunks(item.inp, item.plan.fmt, settings, progress):
        yield validate_chunk(item.plan, chunk, context)


def _detected(plan: FilePlan) -> dict[str, str]:
    fmt = plan.fmt
    detected = {
        "encoding": fmt.encoding_note,
        "delimiter": fmt.delimiter_name,
        "decimal": plan.decimal,
        "thousands": plan.thousands,
        "date_format": DATE_FORMAT_LABELS.get(plan.date_format or "", plan.date_format or "?"),
        "layout": plan.layout.label,
    }
    options = plan.layout.options
    if any(options.get(k) == "as_of" for k in ("created_at_fallback", "closed_at_default")):
        detected["as_of"] = plan.as_of.isoformat()
    return detected


def _rejected_report(item: PlannedFile, source: str) -> FileReport:
    issue = RowIssue(item.inp.name, None, "", "", item.rejected or "a readable CSV")
    # The sentence is already complete; keep it whole in `expected` for the table view.
    return FileReport(
        file=item.inp.name,
        source=source,
        entity="?",
        layout="?",
        label="rejected",
        detected={},
        issues=[issue],
        issue_count=1,
    )


def validate_files(
    inputs: Sequence[CsvInput],
    source: str,
    *,
    settings: ReadSettings | None = None,
    context: ValidationContext | None = None,
    layout: Layout | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Returns the validation report for a batch of files; writes nothing anywhere.

    `source` is a SOURCES name or a layout key; `layout` (e.g. from a generic mapping file)
    overrides it. Rejected files (size, encoding, binary, missing columns...) appear as a
    file-level problem. Leads validated in the batch feed `context.lead_created` for
    layouts whose deals start at their lead (Olist).
    """
    settings = settings or ReadSettings()
    context = context or ValidationContext()
    planned = plan_files(
        inputs, source, settings=settings, context=context, layout=layout, progress=progress
    )
    return validate_planned(planned, source, settings, context, progress)


ChunkSink = Callable[[FilePlan, pd.DataFrame, list[RowIssue]], None]


def validate_planned(
    planned: Sequence[PlannedFile],
    source: str,
    settings: ReadSettings,
    context: ValidationContext,
    progress: Progress | None = None,
    sink: ChunkSink | None = None,
    verb: str = "Validating",
) -> ImportReport:
    """Returns the report for already planned files; `sink` receives every typed chunk.

    The writer passes a sink so that validating and writing share one read of each file.
    """
    reports: list[FileReport] = []
    lead_created = dict(context.lead_created)
    for number, item in enumerate(planned):
        if item.plan is None:
            reports.append(_rejected_report(item, source))
            continue
        plan = item.plan
        report = FileReport(
            file=plan.file,
            source=plan.layout.source,
            entity=plan.layout.entity,
            layout=plan.layout.key,
            label=plan.layout.label,
            detected=_detected(plan),
            rows_read=plan.rows,
            unknown_columns=plan.unknown_columns,
            column_map={t: plan.raw_header(t) for t in plan.column_map},
            notes=plan.layout.notes,
            issues=list(plan.file_issues),
        )
        if plan.blocked:
            report.issue_count = len(report.issues)
            reports.append(report)
            continue
        file_context = replace(context, lead_created=lead_created)
        previews = []
        try:
            for typed, issues in iter_typed_chunks(
                item,
                settings,
                file_context,
                _file_progress(progress, number, len(planned), verb, plan.file),
            ):
                if sink is not None:
                    sink(plan, typed, issues)
                report.rows_valid += int(typed["_valid"].sum())
                report.issue_count += len(issues)
                room = MAX_STORED_ISSUES - len(report.issues)
                report.issues.extend(issues[: max(room, 0)])
                if sum(len(p) for p in previews) < PREVIEW_ROWS:
                    previews.append(typed.head(PREVIEW_ROWS))
                if plan.layout.entity == "leads":
                    valid = typed[typed["_valid"]]
                    lead_created.update(
                        zip(valid["external_id"], valid["created_at"].dt.date, strict=True)
                    )
        except ImportRejected as exc:
            reports.append(_rejected_report(PlannedFile(item.inp, None, str(exc)), source))
            continue
        report.issue_count += len(plan.file_issues)
        if previews:
            report.preview = pd.concat(previews).head(PREVIEW_ROWS).reset_index(drop=True)
        reports.append(report)
    return ImportReport(reports)


def parse_as_of(text: str | None) -> date | None:
    """Returns an ISO date from text, None for empty; raises ImportRejected when unreadable."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ImportRejected(f"As-of date '{text}' is not a date like 2024-12-31.") from exc


@dataclass
class ImportOutcome:
    """What an import did: the validation report, whether anything was written, and counts."""

    report: ImportReport
    written: bool
    counts: dict[str, object] = field(default_factory=dict)
    already_imported: dict[str, datetime] = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict[str, object]:
        """Returns the JSON-ready outcome (report summary plus per-file write counts)."""
        payload = self.report.to_dict()
        payload["written"] = self.written
        payload["message"] = self.message
        payload["already_imported"] = {k: v.isoformat() for k, v in self.already_imported.items()}
        payload["counts"] = {
            name: {
                "inserted": c.inserted,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "rejected": c.rejected,
                "history": c.history,
                "created": c.created_references,
            }
            for name, c in self.counts.items()
        }
        return payload


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
    """Validates the files and, unless `dry_run`, writes them all in one transaction.

    Nothing is written if any file is rejected or any row has an error (unless
    `valid_rows_only`, which writes the clean rows and counts the rest as rejected). Files
    whose sha256 was already imported are skipped with a notice unless `force`. Rollups
    are rebuilt after a successful write.
    """
    from salesops.db.rollups import refresh_rollups
    from salesops.importing import writing

    require_current_schema(engine)  # an older schema lacks what imports maintain
    settings = settings or ReadSettings()
    context = context or ValidationContext()
    stages = {**writing.known_stages(engine), **dict(context.known_stages)}
    context = replace(context, known_stages=stages)
    planned = plan_files(
        inputs, source, settings=settings, context=context, layout=layout, progress=progress
    )
    lead_sources = {
        p.plan.layout.source
        for p in planned
        if p.plan is not None and p.plan.layout.options.get("created_at_from_lead")
    }
    if lead_sources:
        known = dict(context.lead_created)
        for lead_source in lead_sources:
            known.update(writing.lead_created_dates(engine, lead_source))
        context = replace(context, lead_created=known)
    skipped: dict[str, datetime] = {}
    if not force:
        with engine.connect() as conn:
            for item in planned:
                if item.plan is None:
                    continue
                when = writing.already_imported(
                    conn, file_sha256(item.inp), item.plan.layout.entity
                )
                if when is not None:
                    skipped[item.inp.name] = when
    to_write = [p for p in planned if p.plan is None or p.inp.name not in skipped]
    if dry_run:
        report = validate_planned(to_write, source, settings, context, progress)
        return ImportOutcome(
            report, False, already_imported=skipped, message="Dry run: nothing written."
        )
    if not to_write:
        report = validate_planned(planned, source, settings, context, progress)
        names = ", ".join(f"{n} on {d:%Y-%m-%d %H:%M} UTC" for n, d in skipped.items())
        return ImportOutcome(
            report,
            False,
            already_imported=skipped,
            message=f"Already imported: {names}. Nothing to do.",
        )
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # A larger page cache keeps index pages in memory during a big upsert.
                conn.exec_driver_sql("PRAGMA cache_size=-65536")
            sink = writing.BatchWriter(conn, valid_rows_only=valid_rows_only)
            report = validate_planned(
                to_write, source, settings, context, progress, sink, "Importing"
            )
            blocked = any(
                not f.ok
                and (
                    not valid_rows_only
                    or f.rows_read == 0
                    or f.label == "rejected"
                    or any(i.row is None and i.severity == ERROR for i in f.issues)
                )
                for f in report.files
            )
            if blocked or sink.errors_seen:
                raise writing.ImportAborted
            sink.finish()
            for item in to_write:
                assert item.plan is not None
                file_report = next(f for f in report.files if f.file == item.inp.name)
                writing.record_batch(
                    conn,
                    source=item.plan.layout.source,
                    entity=item.plan.layout.entity,
                    file_name=item.inp.name,
                    sha256=file_sha256(item.inp),
                    rows_read=file_report.rows_read,
                    counts=sink.counts.get(item.inp.name, writing.WriteCounts()),
                )
    except writing.ImportAborted:
        first = report.first_error() or "the import was stopped"
        return ImportOutcome(
            report, False, already_imported=skipped, message=f"Nothing imported: {first}"
        )
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseError(f"The import failed and was rolled back: {detail}") from exc
    if progress is not None:
        progress(1.0, "Refreshing KPI rollups")
    refresh_rollups(engine, history_spans=False)  # the import kept the spans up to date
    totals = sink.counts
    inserted = sum(c.inserted for c in totals.values())
    updated = sum(c.updated for c in totals.values())
    unchanged = sum(c.unchanged for c in totals.values())
    message = f"Imported {inserted:,} new and {updated:,} updated rows ({unchanged:,} unchanged)"
    if skipped:
        message += "; skipped already imported " + ", ".join(skipped)
    return ImportOutcome(report, True, dict(totals), skipped, message + ".")
