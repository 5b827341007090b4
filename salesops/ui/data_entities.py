"""The Data page's templates (orders, spend, quotas, reps, time logs) and activity types.

Saving activity types checks the role again on the server (salesops.access.require) and is
recorded in the audit log with the signed-in email.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salesops.access import IMPORT, require
from salesops.forecast.stored import store_page_forecasts
from salesops.importing.activity_types import (
    CATEGORIES,
    ActivityTypesError,
    save_activity_types,
)
from salesops.importing.templates import TEMPLATES
from salesops.importing.undo import UndoRefused, recent_runs, undo_import
from salesops.repository import Repository
from salesops.tables import Col
from salesops.ui.auth import current_viewer
from salesops.ui.cache import cached_call, clear_cache, settings
from salesops.ui.data import writer_engine
from salesops.ui.download import download_csv
from salesops.ui.lazy import lazy_expander
from salesops.ui.tables import show_table

RUN_COLUMNS_SHOWN = {
    "id": Col("Batch", "number", decimals=0),
    "started_at": Col("Started (UTC)", "datetime"),
    "actor": Col("By"),
    "files": Col("Files"),
    "status": Col("Status"),
    "undone_at": Col("Undone (UTC)", "datetime"),
}


def templates_section() -> None:
    """Draws a download button per template, with what each file fills, when opened.

    Drawn when the expander is opened (issue 21: closed, its five buttons were still drawn).
    """
    with lazy_expander(
        "Templates for orders, spend, quotas, reps and time logs", "data.templates"
    ) as shown:
        if not shown:
            return
        st.caption(
            "Fill a template in and import it with the source 'salesops' (or pick the "
            "layout): the header names the fields, one row shows the formats."
        )
        columns = st.columns(len(TEMPLATES))
        for column, (key, template) in zip(columns, TEMPLATES.items(), strict=True):
            with column:
                st.caption(template.label)
                download_csv(
                    template.frame(),
                    f"salesops_{key}_template.csv",
                    key=f"data.template_{key}",
                    label=f"{key.capitalize()} template",
                )


def activity_types_section() -> None:
    """Draws the activity types as an editable table with a save button (admins only)."""
    types = cached_call(Repository.activity_types)
    if types.empty:
        st.caption("No activity type yet: importing a time log adds the types it meets.")
        return
    st.caption(
        "Selling time is what the Rep time page counts as selling; back-office work is what "
        "sales ops could take over. Imports add new types as selling when their name says "
        "a call, meeting or demo: correct them here."
    )
    edited = st.data_editor(
        types,
        key="data.activity_types",
        hide_index=True,
        disabled=["activity"],
        column_order=["activity", "category", "is_back_office"],
        column_config={
            "activity": st.column_config.TextColumn("Activity"),
            "category": st.column_config.SelectboxColumn(
                "Category", options=list(CATEGORIES), required=True
            ),
            "is_back_office": st.column_config.CheckboxColumn("Back office"),
        },
    )
    if st.button("Save activity types", key="data.save_activity_types"):
        save_types(pd.DataFrame(edited))


def save_types(edited: pd.DataFrame) -> None:
    """Saves edited activity types after checking the role on the server; shows the outcome."""
    viewer = current_viewer()
    require(viewer, IMPORT)
    try:
        changed = save_activity_types(writer_engine(), edited, viewer.email)
    except ActivityTypesError as exc:
        st.error(str(exc))
        return
    stored, sentence = store_page_forecasts(writer_engine(), settings())
    if not stored:
        st.warning(sentence)
    clear_cache()
    st.success(f"Saved: {changed} activity type{'s' if changed != 1 else ''} changed.")


def undo_section(limit: int) -> None:
    """Draws the recent import batches and a button undoing the newest one (admins only)."""
    runs = recent_runs(writer_engine(), limit)
    if runs.empty:
        st.caption("No import batch recorded yet: each import from now on can be undone.")
        return
    show_table(
        runs,
        key="data.runs",
        currency=settings().currency,
        columns=RUN_COLUMNS_SHOWN,
        order=list(RUN_COLUMNS_SHOWN),
    )
    imported = runs[runs["status"] == "imported"]
    if imported.empty:
        return
    newest = imported.iloc[0]
    batch = int(newest["id"])
    st.caption(
        f"Undoing batch {batch} ({newest['files']}) deletes the rows it added and restores "
        "the rows it changed, in one transaction; batches are undone newest first."
    )
    if st.button(f"Undo batch {batch}", key="data.undo"):
        run_undo(batch)


def run_undo(batch: int) -> None:
    """Undoes an import batch after checking the role on the server; shows the outcome.

    The role is checked here whatever the page drew: a crafted request from a role without
    imports raises AccessDenied before anything is written. The undo writes the audit entry.
    """
    viewer = current_viewer()
    require(viewer, IMPORT)
    try:
        outcome = undo_import(writer_engine(), batch, viewer.email)
    except UndoRefused as exc:
        st.error(str(exc))
        return
    stored, sentence = store_page_forecasts(writer_engine(), settings())
    if not stored:
        st.warning(sentence)
    clear_cache()
    st.session_state.pop("data.previews", None)
    st.success(outcome.message)
