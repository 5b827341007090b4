"""The Data page's UI: import settings, dry-run preview, the confirmed import, quality checks.

File reports show what was detected and every row-level problem; each quality check shows
its offending rows, with downloads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from salesops.access import IMPORT, audit, require
from salesops.config import Settings
from salesops.db.engine import has_schema, init_schema, make_engine
from salesops.definitions import define
from salesops.forecast.stored import store_page_forecasts
from salesops.importing.layouts import Layout
from salesops.importing.mapping import layout_from_upload
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import MB, CsvInput, ReadSettings
from salesops.importing.report import import_files, validation_context
from salesops.importing.results import FileReport, ImportOutcome
from salesops.importing.sources import LAYOUTS, SOURCES
from salesops.quality.checks import QualityCheck
from salesops.quality.report import quality_report
from salesops.tables import HIDDEN, Col, humanise
from salesops.ui.auth import current_viewer
from salesops.ui.cache import clear_cache, repository, settings
from salesops.ui.download import download_csv, download_csv_later
from salesops.ui.filters import require_current_schema
from salesops.ui.lazy import kept_choices, lazy_expander
from salesops.ui.markdown import md
from salesops.ui.tables import show_table

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls"]
MAX_UPLOAD_BYTES = Settings().import_max_bytes
UPLOAD_LIMIT_MB = MAX_UPLOAD_BYTES // MB
ENCODINGS = {
    "auto": None,
    "UTF-8": "utf-8-sig",
    "Windows-1252": "cp1252",
    "Latin-1": "latin-1",
    "UTF-16": "utf-16",
}
DELIMITERS = {"auto": None, "comma ,": ",", "semicolon ;": ";", "tab": "\t", "pipe |": "|"}
DECIMALS = {"auto": None, "dot 1,234.50": ".", "comma 1.234,50": ","}
DATE_FORMATS = {
    "auto": None,
    "YYYY-MM-DD": "%Y-%m-%d",
    "MM/DD/YYYY (US)": "%m/%d/%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
}
SOURCE_LABELS = {
    "salesforce": "Salesforce export (report labels or API field names)",
    "hubspot": "HubSpot export",
    "maven": "Maven CRM sample (sales_pipeline, accounts, sales_teams)",
    "ibm": "IBM sales win/loss sample",
    "olist": "Olist marketing funnel (MQLs, closed deals)",
    "salesops": "salesops templates (orders, spend, quotas, reps, time logs)",
    "odoo": "Odoo export (sale.order, account.move)",
    "stripe": "Stripe invoices export",
    "generic": "Generic CSV with a mapping file",
}


def schema_ready() -> bool:
    """Returns False when the database has no salesops tables yet (an import creates them).

    Raises SchemaMissing (the migration notice) when the schema is older than this salesops.
    """
    if not has_schema(repository().engine):
        return False
    require_current_schema()
    return True


UPLOAD_OPEN = "data.upload_open"  # the lazy expander holding the source and file pickers
UPLOAD_LABEL = "Choose the source and upload files (previewed and checked before any write)"


def source_choice() -> tuple[str, str]:
    """Draws the source and layout selectors; returns (source, layout key or source)."""
    left, right = st.columns(2)
    source = left.selectbox(
        "Source", list(SOURCES), format_func=lambda k: SOURCE_LABELS.get(k, k), key="data.source"
    )
    options = ["auto", *SOURCES[source]]
    layout = right.selectbox(
        "File layout",
        options,
        format_func=lambda k: "detect from the header" if k == "auto" else LAYOUTS[k].label,
        key="data.layout",
        disabled=source == "generic",
    )
    return source, source if layout == "auto" else layout


READING_OPEN = "data.reading_open"  # the lazy expander holding the reading settings
READING = "data.reading"  # what its widgets last said, kept while they are not drawn
READING_DEFAULTS: dict[str, Any] = {
    "encoding": "auto",
    "delimiter": "auto",
    "decimal": "auto",
    "date_format": "auto",
    "as_of": None,
    "last_wins": False,
    "valid_only": False,
    "force": False,
}


def _reading_widgets(chosen: dict[str, Any]) -> dict[str, Any]:
    """Draws the reading-settings widgets from `chosen`; returns what they say."""

    def pick(column: Any, label: str, options: dict, name: str) -> Any:
        names = list(options)
        index = names.index(chosen[name]) if chosen[name] in names else 0
        return column.selectbox(label, names, index=index, key=f"data.{name}")

    c1, c2, c3, c4 = st.columns(4)
    encoding = pick(c1, "Encoding", ENCODINGS, "encoding")
    delimiter = pick(c2, "Delimiter", DELIMITERS, "delimiter")
    decimal = pick(c3, "Decimal separator", DECIMALS, "decimal")
    date_format = pick(c4, "Date format", DATE_FORMATS, "date_format")
    c5, c6, c7, c8 = st.columns(4)
    as_of = c5.date_input(
        "As-of date (layouts without dates)", value=chosen["as_of"], key="data.import_as_of"
    )
    last_wins = c6.toggle(
        "Duplicate ids: last row wins", value=chosen["last_wins"], key="data.last_wins"
    )
    valid_only = c7.toggle(
        "Import valid rows only", value=chosen["valid_only"], key="data.valid_only"
    )
    force = c8.toggle("Re-import files already imported", value=chosen["force"], key="data.force")
    return {
        "encoding": encoding,
        "delimiter": delimiter,
        "decimal": decimal,
        "date_format": date_format,
        "as_of": as_of,
        "last_wins": last_wins,
        "valid_only": valid_only,
        "force": force,
    }


def settings_panel() -> tuple[ReadSettings, dict[str, Any]]:
    """Draws the reading-settings overrides; returns (ReadSettings, context options).

    The widgets are drawn once the expander is opened (issue 21: four selectboxes, a date
    input and three toggles, closed, still cost a cold new tab their scripts and drawing);
    what they last said is kept in the session.
    """
    chosen = kept_choices(
        "Reading settings (detected automatically unless you choose)",
        READING_OPEN,
        READING,
        READING_DEFAULTS,
        _reading_widgets,
    )
    read = ReadSettings(
        encoding=ENCODINGS[chosen["encoding"]],
        delimiter=DELIMITERS[chosen["delimiter"]],
        decimal=DECIMALS[chosen["decimal"]],
        date_format=DATE_FORMATS[chosen["date_format"]],
    )
    options: dict[str, Any] = {
        "as_of": chosen["as_of"],
        "duplicates": "last" if chosen["last_wins"] else "error",
        "valid_rows_only": chosen["valid_only"],
        "force": chosen["force"],
    }
    return read, options


AS_OF_OPEN = "data.as_of_open"  # the lazy expander holding the quality checks' as-of date
AS_OF = "data.as_of_chosen"  # the date last chosen there, kept while it is not drawn


def quality_as_of(data_as_of: date) -> date:
    """Draws the quality checks' as-of date: a caption, the date input when opened; returns it.

    The data's last date (as on the Forecast and Territory pages) until the reader picks
    another in "Change the as-of date"; the date input is drawn only once that expander is
    opened (issue 21: closed, its date picker still cost a cold new tab its scripts), and
    the date chosen is kept in the session. The caption above says the date in use and
    what overdue means.
    """
    line = st.empty()  # filled once the date is known (the expander may change it)

    def draw(chosen: dict[str, date | None]) -> dict[str, date | None]:
        picked = st.date_input(
            "Judge open deals overdue as of",
            value=chosen["as_of"] or data_as_of,
            help=f"{define('overdue')} Defaults to the data's last date, as on the Forecast "
            "and Territory pages.",
            min_value=date(1990, 1, 1),
            key="data.as_of",
        )
        return {"as_of": None if picked == data_as_of else picked}

    start: dict[str, date | None] = {"as_of": None}
    chosen = kept_choices("Change the as-of date", AS_OF_OPEN, AS_OF, start, draw)
    as_of = chosen["as_of"] or data_as_of
    which = "the data's last date" if chosen["as_of"] is None else "chosen below"
    line.caption(
        f"Open deals are judged overdue as of {as_of:%d %b %Y} ({which}). {define('overdue')}"
    )
    return as_of


def mapping_layout(upload: Any) -> Layout | None:
    """Returns the generic Layout from an uploaded YAML/JSON mapping file, or None.

    Raises ImportRejected with one sentence for a file too large, unreadable or wrong.
    """
    if upload is None:
        return None
    return layout_from_upload(upload.getvalue(), upload.name)


def as_inputs(uploads: Sequence[Any]) -> list[CsvInput]:
    """Returns the uploaded files as CsvInputs (bytes are already in memory, per session)."""
    return [CsvInput(name=u.name, data=u.getvalue()) for u in uploads]


def _context(options: dict[str, Any]) -> ValidationContext:
    """Returns the validation context from the settings panel's options."""
    as_of = options.get("as_of")
    return validation_context(
        settings(), as_of if isinstance(as_of, date) else None, str(options["duplicates"])
    )


def preview(
    inputs: list[CsvInput],
    source: str,
    read: ReadSettings,
    options: dict[str, Any],
    layout: Layout | None,
) -> ImportOutcome:
    """Returns the dry-run outcome for the uploaded files (cached per upload and settings).

    Refused (AccessDenied) unless the signed-in role may import, whatever the page drew.
    """
    require(current_viewer(), IMPORT)
    key = (
        tuple((i.name, len(i.data or b""), hash(i.data)) for i in inputs),
        source,
        read,
        tuple(sorted((k, str(v)) for k, v in options.items())),
        repr(layout),
    )
    cache = st.session_state.setdefault("data.previews", {})
    if key not in cache:
        cache.clear()
        with st.spinner("Checking the files…"):
            cache[key] = import_files(
                repository().engine,
                inputs,
                source,
                settings=read,
                context=_context(options),
                layout=layout,
                dry_run=True,
                force=bool(options["force"]),
            )
    return cache[key]


@st.cache_resource(show_spinner=False)
def _writer(url: str) -> Engine:
    engine = make_engine(url)
    if not has_schema(engine):
        init_schema(engine)
    return engine


def writer_engine() -> Engine:
    """Returns the writing engine (created once; the schema created in an empty database)."""
    return _writer(settings().database_url)


def run_import(
    inputs: list[CsvInput],
    source: str,
    read: ReadSettings,
    options: dict[str, Any],
    layout: Layout | None,
) -> ImportOutcome:
    """Writes the files in one transaction with a progress bar; clears cached query results.

    The role is checked here, on the server, whatever the page drew: a crafted request from
    a role without imports raises AccessDenied before anything is read or written. What was
    written is recorded in the audit log with the signed-in email.
    """
    viewer = current_viewer()
    require(viewer, IMPORT)
    bar = st.progress(0.0, text="Importing…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0), text=message)

    outcome = import_files(
        _writer(settings().database_url),
        inputs,
        source,
        settings=read,
        context=_context(options),
        layout=layout,
        valid_rows_only=bool(options["valid_rows_only"]),
        force=bool(options["force"]),
        progress=progress,
    )
    bar.empty()
    if outcome.written:
        with _writer(settings().database_url).begin() as conn:
            audit.record(conn, viewer.email, audit.IMPORTED, _file_names(inputs), outcome.message)
        bar = st.progress(0.99, text="Fitting the forecasts pages show first")
        stored, sentence = store_page_forecasts(_writer(settings().database_url), settings())
        bar.empty()
        if not stored:
            st.warning(sentence)
    clear_cache()
    st.session_state.pop("data.previews", None)
    return outcome


def _file_names(inputs: list[CsvInput]) -> str:
    return ", ".join(i.name for i in inputs)


def show_file_report(file: FileReport, number: int) -> None:
    """Draws one file's validation: counts, detected settings, notes, preview and problems."""
    st.markdown(f"**{md(file.file)}** — {file.label}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Rows read", f"{file.rows_read:,}")
    c2.metric("Rows valid", f"{file.rows_valid:,}")
    c3.metric("Errors", f"{len(file.errors):,}")
    c4.metric("Warnings", f"{len(file.warnings):,}")
    if file.detected:
        st.caption(" · ".join(f"{k.replace('_', ' ')}: {md(v)}" for k, v in file.detected.items()))
    for note in file.notes:
        st.caption(f"ℹ️ {md(note, limit=400)}")
    if file.unknown_columns:
        st.caption("Columns not imported: " + ", ".join(md(c) for c in file.unknown_columns))
    if not file.preview.empty:
        shown = file.preview.drop(columns=["_valid"], errors="ignore")
        # the file's own columns, as mapped: ids included (they are what the CRM calls them)
        keep = {c: humanise(str(c)) for c in shown.columns if c in HIDDEN or str(c).endswith("_id")}
        show_table(shown, key=f"data.preview_{number}", currency=settings().currency, columns=keep)
    if file.issues:
        issues = pd.DataFrame(
            [(i.row, i.column, i.value, i.expected, i.severity) for i in file.issues],
            columns=["row", "column", "value", "expected", "severity"],
        )
        show_table(
            issues,
            key=f"data.issues_{number}",
            currency=settings().currency,
            columns={"row": Col("Row", "count"), "column": "Column", "expected": "Expected"},
        )
        download_csv(
            issues,
            f"{file.file}.problems.csv",
            key=f"data.download_issues_{number}",
            label="Download problems",
        )


def show_check(check: QualityCheck, all_rows: Callable[[], pd.DataFrame]) -> None:
    """Draws one quality check as an expander with its offending rows and a download.

    The table shows the rows the page read (Settings.quality_rows_shown); the download reads
    up to quality_row_limit with `all_rows` when clicked. The content is drawn only while the
    expander is open (lazy_expander: no grid per check at first paint).
    """
    label = f"{check.label}: {check.count:,}"
    with lazy_expander(label, key=f"data.check_{check.key}") as shown:
        if shown:
            _check_rows(check, all_rows)


def _check_rows(check: QualityCheck, all_rows: Callable[[], pd.DataFrame]) -> None:
    """Draws one quality check's description, offending rows and their download."""
    st.caption(check.description)
    if check.rows.empty:
        st.write("Nothing to fix.")
        return
    if len(check.rows) < check.count:
        st.caption(f"Showing the first {len(check.rows):,} of {check.count:,} rows.")
    ids = {
        c: humanise(str(c)) for c in check.rows.columns if str(c) == "id" or str(c).endswith("_id")
    }
    show_table(check.rows, key=f"data.rows_{check.key}", currency=settings().currency, columns=ids)
    download_csv_later(all_rows, f"{check.key}.csv", key=f"data.download_{check.key}")


def all_check_rows(as_of: date, key: str) -> Callable[[], pd.DataFrame]:
    """Returns a function reading check `key`'s rows up to quality_row_limit (for downloads).

    The repository (limited to the viewer) is taken now, on the page's thread; the returned
    function runs on the download's own thread when the button is clicked.
    """
    repo = repository()

    def rows() -> pd.DataFrame:
        report = quality_report(repo, as_of, settings())
        return next(check.rows for check in report.checks if check.key == key)

    return rows
