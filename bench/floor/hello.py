"""The floor for bench/bench_floor.py: a trivial Streamlit page (no database, no salesops).

`?charts=N` adds N small Altair line charts in two columns (as the KPIs page's trends), and
`&concat=1` draws them as one concatenated chart; `?grids=N` adds N st.dataframe grids of
12 rows and 8 columns (a page's tables); `?tables=N`, `?html=N` and `?mdtables=N` draw that
table with st.table, st.html and as a Markdown table: what drawing charts and tables costs
the browser before any of salesops' data is involved.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Floor")
st.write("A trivial page: what Streamlit and chromium cost before any of salesops runs.")
charts = int(st.query_params.get("charts", 0))
points = pd.DataFrame({"month": range(24), "value": range(24)})


def _line() -> alt.Chart:
    encoding = {"x": "month", "y": "value", "tooltip": ["month", "value"]}
    return alt.Chart(points).mark_line(point=True).encode(**encoding).properties(height=200)


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
