"""The import pipeline without a database: read -> map through a layout -> validate every row.

`plan_files` reads each file once in chunks to detect (or take) its encoding, delimiter,
decimal separator and date format, maps its header through the source's layout and fixes
the plan; `validate_planned` reads it again, typing every row and collecting every
row-level problem into an ImportReport (and handing each typed chunk to a sink: the writer,
when importing). `validate_files` does both: the pure dry run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from salesops.config import Settings
from salesops.importing.amounts import NumberEvidence
from salesops.importing.dates import DATE_FORMAT_LABELS, DateEvidence
from salesops.importing.detection import detect_layout
from salesops.importing.hubspot_stages import stage_entry_columns
from salesops.importing.issues import RowIssue
from salesops.importing.key_dates import KeyDates
from salesops.importing.layouts import ENTITIES, Layout, match_columns, missing_columns_sentence
from salesops.importing.opportunities import product_key
from salesops.importing.parsing import read_chunks
from salesops.importing.plan import (
    FilePlan,
    IdHashes,
    ValidationContext,
    finish_scan,
    scan_chunk,
)
from salesops.importing.reading import (
    DELIMITER_NAMES,
    CsvInput,
    FileFormat,
    ImportRejected,
    ReadSettings,
    inspect_format,
    sniff_delimiter,
)
from salesops.importing.results import FileReport, ImportReport
from salesops.importing.validation import validate_chunk

_DEFAULTS = Settings()
PREVIEW_ROWS = _DEFAULTS.import_preview_rows
MAX_STORED_ISSUES = _DEFAULTS.import_max_stored_issues

Progress = Callable[[float, str], None]
ChunkSink = Callable[[FilePlan, pd.DataFrame, list[RowIssue]], None]


HISTORY_CHUNK_ROWS = _DEFAULTS.import_history_chunk_rows


def chunk_settings(plan: FilePlan, settings: ReadSettings) -> ReadSettings:
    """Returns the read settings of a file's chunks: fewer rows at a time for history files.

    A 50k-row chunk of an OpportunityHistory export took ~250 MB while being checked (its
    timestamps parsed, its exact repeats found): the peak of a 5M-row history import.
    """
    if plan.layout.entity == "opportunity_history" and settings.chunk_rows > HISTORY_CHUNK_ROWS:
        return replace(settings, chunk_rows=HISTORY_CHUNK_ROWS)
    return settings


def file_sha256(inp: CsvInput) -> str:
    """Returns the hex sha256 of the file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with inp.open() as stream:
        while block := stream.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class PlannedFile:
    """A file with its plan (None when rejected) and the rejection sentence, if any."""

    inp: CsvInput
    plan: FilePlan | None
    rejected: str | None = None
    _sha256: str | None = None

    def sha256(self) -> str:
        """Returns the hex sha256 of the file's bytes (computed once)."""
        if self._sha256 is None:
            self._sha256 = file_sha256(self.inp)
        return self._sha256


def _resolve_layout(
    source: str, fmt: FileFormat, name: str, layout: Layout | None
) -> tuple[Layout, str]:
    """Returns (layout, why the layout was chosen).

    The given layout if the header has its required columns, else the source's best fit
    (see salesops.importing.detection).
    """
    if layout is None:
        detection = detect_layout(source, fmt.columns, name)
        return detection.layout, detection.reason
    mapping, unknown = match_columns(layout, fmt.columns)
    missing = [t for t in layout.required if t not in mapping]
    if missing:
        raise ImportRejected(missing_columns_sentence(name, layout, missing, unknown), file=name)
    known = len(fmt.columns) - len(unknown)
    return layout, f"your mapping file; it knows {known} of {len(fmt.columns)} columns"


def _check_forced_delimiter(inp: CsvInput, fmt: FileFormat, settings: ReadSettings) -> None:
    """Rejects a file whose chosen delimiter leaves the header one column another would split."""
    header = fmt.raw_columns[0] if len(fmt.raw_columns) == 1 else ""
    if settings.delimiter and header and sniff_delimiter(header + "\n") != fmt.delimiter:
        likely = DELIMITER_NAMES.get(sniff_delimiter(header + "\n"), "different")
        raise ImportRejected(
            f"{inp.name}: with the {fmt.delimiter_name} delimiter the header is one single "
            f"column; the file looks {likely}-delimited (leave the delimiter on auto).",
            file=inp.name,
        )


def _plan_one(
    inp: CsvInput, source: str, settings: ReadSettings, layout: Layout | None
) -> PlannedFile:
    """Returns the file with its first plan (format and layout), or rejected with a sentence."""
    try:
        fmt = inspect_format(inp, settings)
        _check_forced_delimiter(inp, fmt, settings)
        chosen, reason = _resolve_layout(source, fmt, inp.name, layout)
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
        reason=reason,
        stage_entries=stage_entry_columns(chosen, fmt.columns),
    )
    return PlannedFile(inp, plan)


def _file_progress(
    progress: Progress | None, number: int, count: int, verb: str, name: str
) -> Callable[[int, int], None] | None:
    """Returns a per-file progress callback reporting the batch's share done, or None."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        share = (number + (done / total if total else 1.0)) / max(count, 1)
        progress(min(share, 1.0), f"{verb} {name}")

    return report


def _scan(
    item: PlannedFile,
    settings: ReadSettings,
    context: ValidationContext,
    file_progress: Callable[[int, int], None] | None,
) -> None:
    """Completes the file's plan from one read of its rows (or marks the file rejected)."""
    assert item.plan is not None
    plan = item.plan
    dates = DateEvidence(plan.layout.date_formats)
    if settings.date_format:
        dates = DateEvidence((settings.date_format,))
    numbers = NumberEvidence()
    ids = IdHashes()
    settings = chunk_settings(plan, settings)
    try:
        for chunk in read_chunks(item.inp, plan.fmt, settings, file_progress):
            scan_chunk(plan, chunk, dates, numbers, ids)
    except ImportRejected as exc:
        item.plan, item.rejected = None, str(exc)
        return
    finish_scan(
        plan,
        dates,
        numbers,
        ids,
        lambda: read_chunks(item.inp, plan.fmt, settings),
        context,
        settings.date_format,
        settings.decimal,
        settings.thousands,
    )


def plan_headers(
    inputs: Sequence[CsvInput],
    source: str,
    *,
    settings: ReadSettings | None = None,
    layout: Layout | None = None,
) -> list[PlannedFile]:
    """Returns each file's first plan from its header alone, ordered reps, accounts, leads, deals.

    Reads only the start of each file (encoding, delimiter, header, layout): cheap enough to
    recognise a file already imported before any of its rows are read.
    """
    settings = settings or ReadSettings()
    planned = [_plan_one(inp, source, settings, layout) for inp in inputs]
    order = {entity: i for i, entity in enumerate(ENTITIES)}
    # files that only update rows (invoices of orders) after the files that create them
    planned.sort(
        key=lambda p: (
            (order[p.plan.layout.entity], bool(p.plan.layout.options.get("updates_only")))
            if p.plan
            else (-1, False)
        )
    )
    return planned


def scan_planned(
    planned: Sequence[PlannedFile],
    settings: ReadSettings,
    context: ValidationContext,
    progress: Progress | None = None,
) -> None:
    """Completes each file's plan with the scan pass (see plan_files)."""
    for number, item in enumerate(planned):
        if item.plan is not None:
            name = item.inp.name
            _scan(
                item,
                settings,
                context,
                _file_progress(progress, number, len(planned), "Checking", name),
            )


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
    planned = plan_headers(inputs, source, settings=settings, layout=layout)
    scan_planned(planned, settings, context or ValidationContext(), progress)
    return planned


def iter_typed_chunks(
    item: PlannedFile,
    settings: ReadSettings,
    context: ValidationContext,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[pd.DataFrame, list[RowIssue]]]:
    """Yields (typed rows, problems) per chunk of a planned file (see validate_chunk)."""
    assert item.plan is not None
    chunked = chunk_settings(item.plan, settings)
    for chunk in read_chunks(item.inp, item.plan.fmt, chunked, progress):
        yield validate_chunk(item.plan, chunk, context)


def _detected(plan: FilePlan) -> dict[str, str]:
    """Returns what was detected or chosen for the file, as the report shows it."""
    fmt = plan.fmt
    detected = {
        "encoding": fmt.encoding_note,
        "delimiter": fmt.delimiter_name,
        "decimal": plan.decimal,
        "thousands": plan.thousands,
        "date_format": DATE_FORMAT_LABELS.get(plan.date_format or "", plan.date_format or "?"),
        "layout": plan.layout.label,
        "entity": plan.layout.entity,
        "why": plan.reason,
    }
    options = plan.layout.options
    if any(options.get(k) == "as_of" for k in ("created_at_fallback", "closed_at_default")):
        detected["as_of"] = plan.as_of.isoformat()
    return detected


def _rejected_report(item: PlannedFile, source: str) -> FileReport:
    """Returns the report of a rejected file: one file-level problem, its sentence."""
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


def _planned_report(plan: FilePlan) -> FileReport:
    """Returns the file's report before its rows are validated (file-level problems only)."""
    return FileReport(
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


def _add_chunk(
    report: FileReport, typed: pd.DataFrame, issues: list[RowIssue], previews: list[pd.DataFrame]
) -> None:
    """Adds one validated chunk's counts, problems (up to the cap) and preview rows."""
    report.rows_valid += int(typed["_valid"].sum())
    report.issue_count += len(issues)
    room = MAX_STORED_ISSUES - len(report.issues)
    report.issues.extend(issues[: max(room, 0)])
    if sum(len(p) for p in previews) < PREVIEW_ROWS:
        previews.append(typed.head(PREVIEW_ROWS))


@dataclass
class _Learned:
    """What files validated earlier in a batch tell later ones: leads, deals and stages."""

    lead_created: KeyDates
    deal_created: KeyDates
    stages: dict[str, str]
    reps: set[str]
    orders: set[str]
    list_prices: dict[str, float]
    keep_deals: bool = False

    def context(self, context: ValidationContext) -> ValidationContext:
        """Returns `context` extended with what the batch has validated so far."""
        return replace(
            context,
            lead_created=self.lead_created,
            deal_created=self.deal_created,
            known_stages={**context.known_stages, **self.stages},
            known_reps=context.known_reps | self.reps,
            known_orders=context.known_orders | self.orders,
            list_prices={**context.list_prices, **self.list_prices},
        )

    def learn(self, entity: str, typed: pd.DataFrame) -> None:
        """Remembers the valid leads' and deals' created dates and the deals' stages."""
        valid = typed[typed["_valid"]]
        if entity == "leads":
            self.lead_created.add(valid["external_id"], valid["created_at"])
        elif entity == "opportunities":
            if self.keep_deals:
                self.deal_created.add(valid["external_id"], valid["created_at"])
            stages = valid.drop_duplicates("stage")
            self.stages.update(zip(stages["stage"], stages["outcome"], strict=True))
        elif entity == "reps":
            for column in ("external_id", "name"):
                self.reps.update(valid[column].dropna().tolist())
        elif entity == "orders":
            self.orders.update(valid["external_id"].dropna().tolist())
        elif entity == "products":
            priced = valid.dropna(subset=["name", "list_price"])
            names = priced["name"].map(product_key)
            self.list_prices.update(zip(names, priced["list_price"].astype(float), strict=True))


def _validate_file(
    item: PlannedFile,
    settings: ReadSettings,
    context: ValidationContext,
    learned: _Learned,
    file_progress: Callable[[int, int], None] | None,
    sink: ChunkSink | None,
) -> FileReport:
    """Returns the report of one planned file; `learned` gains the leads and deals it holds.

    Raises ImportRejected when reading fails part-way (a ragged row, the row limit).
    """
    assert item.plan is not None
    plan = item.plan
    report = _planned_report(plan)
    if plan.blocked:
        report.issue_count = len(report.issues)
        return report
    file_context = learned.context(context)
    previews: list[pd.DataFrame] = []
    for typed, issues in iter_typed_chunks(item, settings, file_context, file_progress):
        if sink is not None:
            sink(plan, typed, issues)
        _add_chunk(report, typed, issues, previews)
        learned.learn(plan.layout.entity, typed)
    report.issue_count += len(plan.file_issues)
    if previews:
        report.preview = pd.concat(previews).head(PREVIEW_ROWS).reset_index(drop=True)
    return report


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
    Leads and deals validated in the batch feed later files (deals dated by their lead, as
    Olist's; history rows of the batch's deals).
    """
    reports: list[FileReport] = []
    entities = {p.plan.layout.entity for p in planned if p.plan is not None}
    learned = _Learned(
        KeyDates.of(context.lead_created), KeyDates.of(context.deal_created), {}, set(), set(), {}
    )
    # a million deals' dates cost ~150 MB: kept only when a history file needs them
    learned.keep_deals = "opportunity_history" in entities
    for number, item in enumerate(planned):
        if item.plan is None:
            reports.append(_rejected_report(item, source))
            continue
        file_progress = _file_progress(progress, number, len(planned), verb, item.plan.file)
        try:
            report = _validate_file(item, settings, context, learned, file_progress, sink)
            reports.append(report)
        except ImportRejected as exc:
            reports.append(_rejected_report(PlannedFile(item.inp, None, str(exc)), source))
    return ImportReport(reports)


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
