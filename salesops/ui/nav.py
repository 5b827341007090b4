"""Links between pages that also work when a page runs on its own (as in page tests)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

# Every page, with the one-line promise the Overview makes for it.
PAGE_LINKS = [
    (
        "pages/kpis.py",
        "KPIs: trends, breakdowns and the deals behind them",
        ":material/monitoring:",
    ),
    (
        "pages/forecast.py",
        "Forecast: bookings ahead, how far to trust it, vs quota",
        ":material/query_stats:",
    ),
    (
        "pages/territory.py",
        "Territory balance: potential vs capacity, fixes, fair quotas",
        ":material/map:",
    ),
    (
        "pages/time_allocation.py",
        "Rep time: selling vs back office, and what freeing it is worth",
        ":material/schedule:",
    ),
    (
        "pages/pipeline_review.py",
        "Pipeline review: what changed this week, ready for the meeting",
        ":material/event_note:",
    ),
    ("pages/data.py", "Data: import CRM exports and check data quality", ":material/upload_file:"),
]


def page_link(path: str, label: str, icon: str | None = None) -> None:
    """Draws a link to another page; outside st.navigation (a page run alone) shows the label."""
    try:
        st.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"{icon or ''} {label}")


def ensure_navigation() -> None:
    """Hands the run to app.py's st.navigation when Streamlit ran this page file directly.

    Streamlit routes with its legacy pages/ scan until some session has executed
    st.navigation, so on a freshly started server a deep link (a shared URL) would run the
    page file alone: no navigation menu, no first-run bootstrap. Switching that mode off and
    rerunning lets app.py route the same URL. (Relies on PagesManager, pinned streamlit.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
