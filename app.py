"""salesops: the Streamlit entry point (page config, sign-in, navigation, first-run demo)."""

from __future__ import annotations

import streamlit as st

from salesops.redact import install_log_masking
from salesops.ui.auth import current_viewer, sidebar_identity
from salesops.ui.bootstrap import ensure_demo_database
from salesops.ui.nav import navigation
from salesops.ui.states import database_guard
from salesops.ui.theme import apply_theme

install_log_masking()
st.set_page_config(page_title="salesops", page_icon=":material/insights:", layout="wide")
apply_theme()
ensure_demo_database()
with database_guard():
    viewer = current_viewer()  # the sign-in or "ask an admin" page stops here
sidebar_identity(viewer)
navigation(viewer).run()
