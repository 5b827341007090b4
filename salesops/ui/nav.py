"""Links between pages that also work when a page runs on its own (as in page tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException


@dataclass(frozen=True)
class PageInfo:
    """One page of the app: its file, menu title, icon, menu section and the Overview's promise."""

    path: str
    title: str
    icon: str
    section: str
    promise: str


# Every page, declared once: app.py's menu and the Overview's links both come from here.
PAGES = (
    PageInfo("pages/overview.py", "Overview", ":material/home:", "", ""),
    PageInfo(
        "pages/kpis.py",
        "KPIs",
        ":material/monitoring:",
        "Analyse",
        "KPIs: trends, breakdowns and the deals behind them",
    ),
    PageInfo(
        "pages/forecast.py",
        "Forecast",
        ":material/query_stats:",
        "Analyse",
        "Forecast: bookings ahead, how far to trust it, vs quota",
    ),
    PageInfo(
        "pages/territory.py",
        "Territory balance",
        ":material/map:",
        "Analyse",
        "Territory balance: utilisation against selling capacity, moves and swaps",
    ),
    PageInfo(
        "pages/plan.py",
        "Plan",
        ":material/flag:",
        "Analyse",
        "Plan: quotas calibrated to attainment, and the hires the target needs",
    ),
    PageInfo(
        "pages/time_allocation.py",
        "Rep time allocation",
        ":material/schedule:",
        "Analyse",
        "Rep time: selling vs back office, and what freeing it is worth",
    ),
    PageInfo(
        "pages/pipeline_review.py",
        "Pipeline review",
        ":material/event_note:",
        "Analyse",
        "Pipeline review: what changed this week, ready for the meeting",
    ),
    PageInfo(
        "pages/data.py",
        "Data",
        ":material/upload_file:",
        "Manage",
        "Data: import CRM exports and check data quality",
    ),
)


def navigation() -> Any:
    """Returns the app's st.navigation over PAGES, grouped by section (the first is default)."""
    sections: dict[str, list[Any]] = {}
    for index, page in enumerate(PAGES):
        sections.setdefault(page.section, []).append(
            st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
        )
    return st.navigation(sections)


def linked_pages() -> list[PageInfo]:
    """Returns every page the Overview links to (all but the Overview itself)."""
    return [page for page in PAGES if page.promise]


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
