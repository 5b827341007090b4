"""salesops: the Streamlit entry point (page config, navigation, first-run demo database)."""

from __future__ import annotations

import streamlit as st

from salesops.ui.bootstrap import ensure_demo_database

st.set_page_config(page_title="salesops", page_icon=":material/insights:", layout="wide")
ensure_demo_database()

pages = st.navigation(
    {
        "": [st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True)],
        "Analyse": [
            st.Page("pages/kpis.py", title="KPIs", icon=":material/monitoring:"),
            st.Page("pages/forecast.py", title="Forecast", icon=":material/query_stats:"),
            st.Page("pages/territory.py", title="Territory balance", icon=":material/map:"),
            st.Page(
                "pages/time_allocation.py", title="Rep time allocation", icon=":material/schedule:"
            ),
            st.Page(
                "pages/pipeline_review.py", title="Pipeline review", icon=":material/event_note:"
            ),
        ],
        "Manage": [st.Page("pages/data.py", title="Data", icon=":material/upload_file:")],
    }
)
pages.run()
