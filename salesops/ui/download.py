"""Downloads: every table a user takes away goes through salesops.export.to_safe_csv."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salesops.export import to_safe_csv


def download_csv(
    frame: pd.DataFrame, file_name: str, key: str, label: str = "Download CSV"
) -> None:
    """Draws a download button for `frame` as formula-safe CSV."""
    st.download_button(
        label,
        data=to_safe_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        disabled=frame.empty,
        icon=":material/download:",
    )
