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

`?kind=NAME` (comma-separated for several) adds one element of a kind from KINDS, as the
Overview draws it (bench/bench_floor.py --kinds: each kind's cold new tab against the bare page).
`style` and `md_style` are a style block in st.html and in st.markdown, `html_table` and
`md_html_table` a table the same two ways: a lazily loaded element kind (Html, Button) against
Markdown, which Streamlit's first script already holds. Warm in a profile, 6 loads each, the
bare page 650 ms and these 616-696 ms (bench/results/floor-lazy-kinds-profile.json): a kind
loaded on first use costs the floor at most ~50 ms, within the loads' spread. Seven tables
(the Overview's figure tables) as Markdown (`?mdtables=7`) or st.html (`?html=7`) drew in 747 and
799 ms against the bare page's 771 (bench/results/floor-tables-profile.json): no lever either way.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

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

MONTHS = pd.DataFrame(
    {
        "month": pd.date_range("2025-11-01", periods=12, freq="MS"),
        "bookings": [410, 520, 380, 640, 700, 560, 610, 480, 730, 690, 820, 590],
        "won": [41, 52, 38, 64, 70, 56, 61, 48, 73, 69, 82, 59],
    }
)
GRID = pd.DataFrame({f"column {c}": range(12) for c in range(8)})
FIGURES = "\n".join(
    [
        "| Forecast | Quota | Gap |",
        "| :-- | :-- | :-- |",
        "| **$4.1M** | **$4.5M** | **$0.4M** |",
        "| :green[+3% vs last week] | :gray[91% of quota] | :red[9% short] |",
    ]
)


def _bookings_altair() -> None:
    """The Overview's bookings bars: Altair (Vega-Lite), 12 months, money axis, tooltips."""
    chart = (
        alt.Chart(MONTHS)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("bookings:Q", title="Bookings"),
            tooltip=[alt.Tooltip("month:T", format="%B %Y"), "bookings:Q", "won:Q"],
        )
        .properties(height=240)
    )
    st.altair_chart(chart, width="stretch")


def bars_svg(frame: pd.DataFrame, height: int = 240) -> str:
    """Returns the bookings as an SVG bar chart (a <title> per bar: its hover text).

    st.html sanitizes with DOMPurify's HTML profile, which drops SVG: drawn with st.image.
    """
    top, width, gap = float(frame["bookings"].max()), 60, 10
    bars = []
    for i, row in enumerate(frame.itertuples()):
        h = (height - 40) * row.bookings / top
        x = 50 + i * (width + gap)
        tip = escape(f"{row.month:%B %Y}: ${row.bookings}k, {row.won} won")
        bars.append(
            f'<rect x="{x}" y="{height - 20 - h:.1f}" width="{width}" height="{h:.1f}" '
            f'fill="#1f77b4"><title>{tip}</title></rect>'
            f'<text x="{x + width / 2}" y="{height - 5}" font-size="11" '
            f'text-anchor="middle">{row.month:%b %Y}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {60 + 12 * (width + gap)} '
        f'{height}" width="100%" role="img" aria-label="Bookings by month">{"".join(bars)}</svg>'
    )


def bars_html(frame: pd.DataFrame, height: int = 200) -> str:
    """Returns the bookings as HTML bars (a flex row of divs; each bar's title: its hover)."""
    top = float(frame["bookings"].max())
    bars = "".join(
        f'<div style="flex:1;display:flex;flex-direction:column;justify-content:flex-end;'
        f'align-items:center;height:100%"><div title="{escape(f"{row.month:%B %Y}: ")}'
        f'{escape(f"${row.bookings}k, {row.won} won")}" style="width:70%;height:'
        f'{100 * row.bookings / top:.1f}%;background:#1f77b4"></div>'
        f'<div style="font-size:0.75rem">{row.month:%b %Y}</div></div>'
        for row in frame.itertuples()
    )
    return (
        f'<div role="img" aria-label="Bookings by month" style="display:flex;gap:4px;'
        f'height:{height}px">{bars}</div>'
    )


def _figures_help() -> None:
    st.markdown(FIGURES + "\n\n:small[:gray[What these figures mean]]", help="**Gap**: the rest.")


KINDS: dict[str, Callable[[], object]] = {
    "metric": lambda: st.metric(
        "Win rate", "23%", delta="+2 pp", help="Won / closed.", border=True
    ),
    "metrics6": lambda: [
        column.metric(f"KPI {i}", f"${i * 1234:,}", delta=f"+{i}%", help="Defined.", border=True)
        for row in (2, 4)
        for i, column in enumerate(st.columns(row))
    ],
    "altair": _bookings_altair,
    "altair_canvas": lambda: st.altair_chart(
        alt.Chart(MONTHS)
        .mark_bar()
        .encode(x="month:O", y="bookings:Q")
        .properties(usermeta={"embedOptions": {"renderer": "canvas"}})  # fmt: skip
    ),
    "bar_chart": lambda: st.bar_chart(MONTHS, x="month", y="bookings", height=240),
    "html_bars": lambda: st.html(bars_html(MONTHS)),
    "svg_image": lambda: st.image(bars_svg(MONTHS)),
    "progress": lambda: [
        st.progress(v / 820, text=f"{m:%b %Y}")
        for m, v in zip(MONTHS["month"][:3], MONTHS["bookings"][:3], strict=True)
    ],  # fmt: skip
    "dataframe": lambda: st.dataframe(GRID, hide_index=True),
    "table": lambda: st.table(GRID, hide_index=True),
    "html_table": lambda: st.html(GRID.to_html(index=False)),
    "md_table": lambda: st.markdown(FIGURES),
    "md_html_table": lambda: st.markdown(GRID.to_html(index=False), unsafe_allow_html=True),
    "style": lambda: st.html("<style>.floor-style{color:inherit}</style>"),
    "md_style": lambda: st.markdown(
        "<style>.floor-style{color:inherit}</style>", unsafe_allow_html=True
    ),
    "md_table_help": _figures_help,
    "caption": lambda: st.caption(":green[Ahead of pace] · to 6 Dec 2026 · whole company."),
    "info": lambda: st.info("No deal was won in the period: no bookings to chart."),
    "download": lambda: st.download_button("Download CSV", "a,b\n1,2\n", file_name="x.csv"),
    "download_icon": lambda: st.download_button(
        "Download CSV", "a,b\n1,2\n", file_name="x.csv", icon=":material/download:"
    ),
    "page_link": lambda: st.page_link("https://example.com/forecast", label="Open the forecast"),
    "page_link_icon": lambda: st.page_link(
        "https://example.com/forecast", label="Open the forecast", icon=":material/trending_up:"
    ),
    "button": lambda: st.button("Refresh"),
    "expander": lambda: st.expander("What each page answers").write("Inside."),
    "expander_open": lambda: st.expander("Details", expanded=True).write("Inside."),
    "tabs": lambda: [tab.write(f"Tab {i}") for i, tab in enumerate(st.tabs(["One", "Two"]))],
    "columns": lambda: [column.write(f"Column {i}") for i, column in enumerate(st.columns(4))],
    "popover": lambda: st.popover("How the call is made").write("Inside."),
    "toggle": lambda: st.toggle("Show details"),
    "selectbox": lambda: st.selectbox("Week", ["This week", "Last week"]),
    "segmented_control": lambda: st.segmented_control("Frequency", ["Monthly", "Weekly"]),
}
for name in filter(None, st.query_params.get("kind", "").split(",")):
    KINDS[name]()
st.subheader("Go deeper")
