"""The floor for bench/bench_floor.py: a trivial Streamlit page (no database, no salesops).

`?charts=N` adds N small Altair line charts in two columns (as the KPIs page's trends), and
`&concat=1` draws them as one concatenated chart; `?grids=N` adds N st.dataframe grids of
12 rows and 8 columns (a page's tables); `?tables=N`, `?html=N` and `?mdtables=N` draw that
table with st.table, st.html and as a Markdown table; `?sidebar=1` draws the shared filters'
widgets in the sidebar (two selectboxes, four multiselects, a button; `plain`, `select`, `multi`:
parts of them; `main`: all of them in the main area), `?metrics=N` N bordered
st.metric tiles with a delta and help in rows of four, `?downloads=N` N download buttons,
`?tabs=1` the charts in the first of two tabs, `?nav=1` the page under st.navigation with
nine pages, `?canvas=1` the charts drawn on a canvas instead of SVG: what drawing each kind
of element costs the browser before any of salesops' data is involved (bench/warm_phases.py).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
if st.query_params.get("nav") == "1":  # the menu only: this script draws the page itself
    pages = [st.Page(lambda: None, title=f"Page {i}", url_path=f"p{i}") for i in range(1, 9)]
    st.navigation({"": [st.Page(lambda: None, title="Floor", default=True)], "More": pages})
st.title("Floor")
st.write("A trivial page: what Streamlit and chromium cost before any of salesops runs.")
charts = int(st.query_params.get("charts", 0))
points = pd.DataFrame({"month": range(24), "value": range(24)})


def _line() -> alt.Chart:
    encoding = {"x": "month", "y": "value", "tooltip": ["month", "value"]}
    chart = alt.Chart(points).mark_line(point=True).encode(**encoding).properties(height=200)
    if st.query_params.get("canvas") == "1":
        chart = chart.properties(usermeta={"embedOptions": {"renderer": "canvas"}})
    return chart


sidebar = st.query_params.get("sidebar", "")  # 1: all; plain, select, multi: parts of it
if sidebar:
    with st.sidebar if sidebar != "main" else st.container():
        st.subheader("Filters")
        if sidebar in ("1", "select", "main"):
            st.selectbox("Period", ["Last 12 months", "This quarter", "Custom"], help="Presets.")
            st.caption("Nov 2025 – Oct 2026")
            st.selectbox("Compare with", ["Previous period", "Same period last year"])
        if sidebar in ("1", "multi", "main"):
            for label, count in (("Territory", 12), ("Segment", 3), ("Team", 6), ("Rep", 24)):
                st.multiselect(label, [f"{label} {i}" for i in range(count)], placeholder="All")
        st.button("Reset filters", type="tertiary")
metrics = int(st.query_params.get("metrics", 0))
for start in range(0, metrics, 4):
    for column, i in zip(st.columns(4), range(start, min(start + 4, metrics)), strict=False):
        with column:
            st.metric(f"KPI {i}", f"${i * 1234:,}", delta=f"+{i}%", help="Defined.", border=True)
for i in range(int(st.query_params.get("downloads", 0))):
    st.download_button(f"Download {i}", "a,b\n1,2\n", file_name="x.csv", key=f"download {i}")
if charts and st.query_params.get("tabs") == "1":
    with st.tabs(["Charts", "More"])[0]:
        for _ in range(charts):
            st.altair_chart(_line(), use_container_width=True)
    charts = 0

if charts and st.query_params.get("concat") == "1":
    st.altair_chart(alt.concat(*[_line() for _ in range(charts)], columns=2))
elif charts:
    columns = st.columns(2)
    for i in range(charts):
        with columns[i % 2]:
            st.altair_chart(_line(), use_container_width=True)
for _ in range(int(st.query_params.get("grids", 0))):
    st.dataframe(pd.DataFrame({f"column {c}": range(12) for c in range(8)}), hide_index=True)

grid = pd.DataFrame({f"column {c}": range(12) for c in range(8)})
for _ in range(int(st.query_params.get("tables", 0))):
    st.table(grid, hide_index=True)
for _ in range(int(st.query_params.get("html", 0))):
    st.html(grid.to_html(index=False))
for _ in range(int(st.query_params.get("mdtables", 0))):
    rows = [list(grid.columns), ["---:"] * 8, *grid.astype(str).to_numpy().tolist()]
    st.markdown("\n".join(f"| {' | '.join(row)} |" for row in rows))
st.subheader("Go deeper")
