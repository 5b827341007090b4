"""Overview: the headline numbers for a sales leader, and a way into each page."""

from __future__ import annotations

import streamlit as st

from salesops.kpis.metrics import KPIS
from salesops.kpis.report import kpi_report
from salesops.ui.auth import current_viewer
from salesops.ui.cache import cached_call, settings
from salesops.ui.call import call_panel
from salesops.ui.filters import page_filters
from salesops.ui.kpis import kpi_tiles
from salesops.ui.lazy import lazy_expander
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation, linked_pages, page_link
from salesops.ui.overview import (
    HEADLINES,
    bookings_chart,
    bookings_headline,
    prefetch_sections,
    team_headline,
)
from salesops.ui.states import database_guard

ensure_navigation()
st.title("Sales operations overview")
config = settings()
with database_guard():
    filters = page_filters()
    prefetch_sections(filters)  # every section's reads side by side, not one after another
    report = cached_call(
        kpi_report, filters.period, filters.scope, config, 12, (), previous=filters.comparison
    )

st.subheader("Bookings against quota")
with database_guard():
    bookings_headline(filters)

st.subheader("The quarter call")
with database_guard():
    call_panel(filters, bookings_said=True)  # the bookings headline says why in full

st.subheader("Headline KPIs")
st.caption(f"{filters.period_label} · {md(filters.scope_label)} · {filters.comparison_label}.")
headline = ["win_rate", "avg_sales_cycle_days", "lead_to_opportunity_ratio", "ltv_to_cac"]
# One HTML grid, as the KPIs page draws its tiles (issue 21: no st.metric's scripts)
kpi_tiles(
    [(KPIS[n], report.current[n], report.prior[n], report.change(n)) for n in headline],
    config.currency,
)

st.subheader("Bookings by month")
with database_guard():
    bookings_chart(report.bookings, filters)

viewer = current_viewer()
if viewer.role == "rep":
    st.subheader("You and your team")
    with database_guard():
        team_headline(filters.period, config.currency)

# Each page's headline in plain words; a page adds its own to HEADLINES (cash: issue 18).
for title, draw in HEADLINES:
    st.subheader(title)
    with database_guard():
        draw(filters)

# Every page is in the menu and each headline links to its own: what each page answers is
# drawn on demand (issue 21: eight fewer links to draw on every visit).
st.subheader("Go deeper")
with lazy_expander("What each page answers", key="overview.go_deeper") as opened:
    if opened:
        for page in linked_pages(viewer):
            page_link(page.path, page.promise, page.icon)
