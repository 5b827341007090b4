"""Links between pages that also work when a page runs on its own (as in page tests)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException


def page_link(path: str, label: str, icon: str | None = None) -> None:
    """Draws a link to another page; outside st.navigation (a page run alone) shows the label."""
    try:
        st.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"{icon or ''} {label}")
