"""Data: import CRM CSV exports (preview, validate, then write all or nothing) and data quality."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from salesops.access import IMPORT, USERS
from salesops.charts.quality import quality_trend_chart
from salesops.importing.reading import ImportRejected
from salesops.quality.checks import summary_frame
from salesops.quality.report import quality_report
from salesops.repository import Repository
from salesops.ui import data as ui
from salesops.ui import data_entities
from salesops.ui.auth import current_viewer
from salesops.ui.cache import cached_call, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import carry_filters
from salesops.ui.lazy import lazy_expander, lazy_tabs
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard
from salesops.ui.tables import show_summary_table, show_table
from salesops.ui.users import audit_section, users_section

ensure_navigation()
carry_filters()
st.title("Data")
with database_guard():
    ready = ui.schema_ready()
if not ready:
    st.info(
        "The database has no salesops tables yet: importing a file creates them "
        "(or run `salesops demo` for a demo company).",
        icon=":material/database:",
    )

viewer = current_viewer()
if not viewer.scope.is_everything:
    st.info(
        f"The Data page covers the whole company; your role ({viewer.role}) sees part of it. "
        "Ask an admin for imports or data-quality lists.",
        icon=":material/lock:",
    )
    st.stop()

if viewer.can(IMPORT):
    st.subheader("Import CSV exports")
    source, layout_key, layout, uploads = "", "", None, None
    # The source, layout and file pickers, drawn when opened (issue 21: closed, their
    # selectboxes and uploader still cost a cold new tab ~30 scripts and their drawing).
    with lazy_expander(ui.UPLOAD_LABEL, ui.UPLOAD_OPEN, expanded=not ready) as opened:
        if opened:
            source, layout_key = ui.source_choice()
            if source == "generic":
                mapping = st.file_uploader(
                    "Mapping file (YAML or JSON: entity, columns, date_format, stages)",
                    type=["yaml", "yml", "json"],
                    key="data.mapping",
                )
                try:
                    layout = ui.mapping_layout(mapping)
                except (ImportRejected, ValueError) as exc:
                    st.error(f"Mapping file: {md(exc, limit=400)}")
            uploads = st.file_uploader(
                f"CSV files (up to {ui.UPLOAD_LIMIT_MB} MB each)",
                type=ui.UPLOAD_TYPES,
                accept_multiple_files=True,
                key="data.files",
            )
    read, options = ui.settings_panel()
    data_entities.templates_section()

    if uploads and (source != "generic" or layout is not None):
        inputs = ui.as_inputs(uploads)
        with database_guard():
            outcome = ui.preview(inputs, layout_key, read, options, layout)
        report = outcome.report
        for name, when in outcome.already_imported.items():
            st.info(
                f"{md(name)} was already imported on {when:%d %b %Y %H:%M} UTC: it will be skipped."
            )
        for number, file in enumerate(report.files):
            ui.show_file_report(file, number)
        writable = report.files and (
            report.ok or (options["valid_rows_only"] and report.rows_valid)
        )
        if writable:
            label = f"Import {report.rows_valid:,} rows"
            if st.button(label, type="primary", key="data.confirm"):
                with database_guard():
                    result = ui.run_import(inputs, layout_key, read, options, layout)
                (st.success if result.written else st.error)(result.message)
        elif report.files:
            st.error(
                "Nothing will be written: fix the problems above (or change the settings) first."
            )
        elif outcome.already_imported:
            st.caption("Every file was already imported: nothing to do.")
    elif source == "generic" and uploads:
        st.info("Upload the mapping file for the generic source first.")
else:
    st.caption(f"Imports are for admins: your role ({viewer.role}) reads the data only.")

if not ready:
    st.stop()

st.subheader("Data quality")
with database_guard():
    data_as_of = cached_call(Repository.data_bounds)["last"] or datetime.now(UTC).date()
as_of = ui.quality_as_of(data_as_of)
with database_guard():
    quality = cached_call(quality_report, as_of, row_limit=settings().quality_rows_shown)
summary = summary_frame(quality.checks)
show_summary_table(
    summary,
    key="data.quality_summary",
    settings=settings(),
)
download_csv(summary, "data_quality.csv", key="data.download_quality")
if quality.trend.empty:
    st.caption("No problem found in any month.")
else:
    # The page's only chart, drawn when opened (issue 21: Vega's scripts cost a cold tab).
    with lazy_expander("Problems by the month the rows were created", "data.trend") as shown:
        if shown:
            draw_chart(quality_trend_chart(quality.trend))
for check in quality.checks:
    ui.show_check(check, ui.all_check_rows(as_of, check.key))


def history_section() -> None:
    """The latest imported files."""
    st.subheader("Import history")
    with database_guard():
        batches = cached_call(Repository.import_batches, settings().import_batches_listed)
    if batches.empty:
        st.caption("No file imported yet.")
    else:
        show_table(batches, key="data.batches", currency=settings().currency)


def activity_types_section() -> None:
    """The editable activity types (admins)."""
    st.subheader("Activity types")
    with database_guard():
        data_entities.activity_types_section()


def undo_section() -> None:
    """Undoing the newest import (admins)."""
    st.subheader("Undo an import")
    with database_guard():
        data_entities.undo_section(settings().import_batches_listed)


def users_and_roles() -> None:
    """Who may sign in, with which role (admins of users)."""
    st.subheader("Users and roles")
    users_section()


def audit_log() -> None:
    """The latest changes to users and data (admins of users)."""
    st.subheader("Audit log")
    audit_section(settings().audit_rows_listed)


# Below data quality, one section at a time: only the open tab is drawn (issue 21).
sections = {"Import history": history_section}
if viewer.can(IMPORT):
    sections |= {"Activity types": activity_types_section, "Undo an import": undo_section}
if viewer.can(USERS):
    sections |= {"Users and roles": users_and_roles, "Audit log": audit_log}
lazy_tabs(sections, key="data.tabs")
