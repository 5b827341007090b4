"""Downloads: every table a user takes away goes through salesops.export.to_safe_csv."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from salesops.export import to_safe_csv


def download_csv(
    frame: pd.DataFrame, file_name: str, key: str, label: str = "Download CSV"
) -> None:
    """Draws a download button for `frame` as formula-safe CSV, built only when clicked.

    Building every table's CSV on every run cost each page 0.05-0.3 s and sent the files
    with the page (issue 21); the frame is already in memory, so the click only formats it.
    """
    st.download_button(
        label,
        data=lambda: to_safe_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        disabled=frame.empty,
        icon=":material/download:",
        on_click="ignore",  # a download must not rerun the page (and drop deferred files)
    )


def download_csv_later(
    make_frame: Callable[[], pd.DataFrame], file_name: str, key: str, label: str = "Download CSV"
) -> None:
    """Draws a download button whose CSV is built only when clicked (big tables).

    `make_frame` runs on a thread of its own when the user clicks, so it must not call
    Streamlit: give it what it needs (e.g. the viewer's repository) up front.
    """
    st.download_button(
        label,
        data=lambda: to_safe_csv(make_frame()),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",  # a download must not rerun the page (and drop deferred files)
    )
