"""The floor for bench/bench_floor.py: a trivial Streamlit page (no database, no salesops)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Floor")
st.write("A trivial page: what Streamlit and chromium cost before any of salesops runs.")
st.subheader("Go deeper")
