"""salesops: the Streamlit entry point (page config, navigation, first-run demo database)."""

from __future__ import annotations

import streamlit as st

from salesops.ui.bootstrap import ensure_demo_database
from salesops.ui.nav import navigation
from salesops.ui.theme import apply_theme

st.set_page_config(page_title="salesops", page_icon=":material/insights:", layout="wide")
apply_theme()
ensure_demo_database()

navigation().run()
