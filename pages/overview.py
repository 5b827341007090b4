"""Overview: the headline numbers for a sales leader, and a way into each page."""

from __future__ import annotations

import streamlit as st

from salesops.kpi_report import kpi_report
from salesops.metrics import KPIS
from salesops.ui.data import cached_call, settings
from salesops.ui.filters import page_filters
from salesops.ui.headlines import HEADLINES
from salesops.ui.nav import page_link
from salesops.ui.states import database_guard
from salesops.ui.tiles import kpi_tile

st.title("Sales operations overview")
config = settings()
with database_guard():
    filters = page_filters()
    report = cached_call(kpi_report, filters.period, filters.scope, config, 12, ())

st.subheader("Headline KPIs")
st.caption(f"{filters.period.start:%d %b %Y} – {filters.period.end:%d %b %Y} vs the period before.")
headline = ["win_rate", "avg_sales_cycle_days", "lead_to_opportunity_ratio", "ltv_to_cac"]
for column, name in zip(st.columns(len(headline)), headline, strict=True):
    with column:
        kpi_tile(KPIS[name], report.current[name], report.prior[name], report.change(name))

for title, draw in HEADLINES:
    st.subheader(title)
    with database_guard():
        draw(filters)

st.subheader("Go deeper")
page_link(
    "pages/kpis.py", "KPIs: trends, breakdowns and the deals behind them", ":material/monitoring:"
)
