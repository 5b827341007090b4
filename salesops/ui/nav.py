"""Links between pages that also work when a page runs on its own (as in page tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from salesops.access import LOCAL_VIEWER, Viewer


@dataclass(frozen=True)
class PageInfo:
    """One page of the app: its file, menu title, icon, menu section and the Overview's promise."""

    path: str
    title: str
    icon: str
    section: str
    promise: str
    whole_company: bool = False  # only for roles that see the whole company


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
        "pages/cash.py",
        "Order to cash",
        ":material/payments:",
        "Analyse",
        "Order to cash: from won deal to money in the bank, and what holds it up",
    ),
    PageInfo(
        "pages/data.py",
        "Data",
        ":material/upload_file:",
        "Manage",
        "Data: import CRM exports and check data quality",
        whole_company=True,
    ),
)


def shown_pages(viewer: Viewer = LOCAL_VIEWER) -> list[PageInfo]:
    """Returns the pages this viewer's menu holds (whole-company pages need a whole view)."""
    return [page for page in PAGES if not page.whole_company or viewer.scope.is_everything]


def navigation(viewer: Viewer = LOCAL_VIEWER) -> Any:
    """Returns the app's st.navigation over the viewer's pages, grouped by section."""
    sections: dict[str, list[Any]] = {}
    for index, page in enumerate(shown_pages(viewer)):
        sections.setdefault(page.section, []).append(
            st.Page(page.path, title=page.title, icon=page.icon, default=index == 0)
        )
    return st.navigation(sections)


def linked_pages(viewer: Viewer = LOCAL_VIEWER) -> list[PageInfo]:
    """Returns every page the Overview links to for this viewer (all but the Overview)."""
    return [page for page in shown_pages(viewer) if page.promise]


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
    Then it asks who is looking: the sign-in or "ask an admin" page stops the run before
    the page draws its title.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from salesops.redact import install_log_masking

    install_log_masking()  # the server's logs never show a database password
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    # Sign-in before the page draws anything (salesops.ui.cache checks again before reads).
    from salesops.ui.auth import current_viewer
    from salesops.ui.states import database_guard

    with database_guard():
        current_viewer()
