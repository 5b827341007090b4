"""Rep time allocation: selling vs back-office hours, unit costs, freed-time what-if, ramp."""

from __future__ import annotations

import streamlit as st

from salesops.charts import time_allocation as charts
from salesops.formatting import EM_DASH
from salesops.time_allocation.report import time_report
from salesops.time_allocation.shares import share_distribution, undefined_share_notes
from salesops.ui.cache import cached_call, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.lazy import lazy_expander
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard
from salesops.ui.tables import show_summary_table
from salesops.ui.time_allocation import benchmark_words, lower_tabs, team_figures

ensure_navigation()
st.title("Rep time allocation")
config = settings()
with database_guard():
    filters = page_filters(uses=("period", "territory", "segment", "team", "rep"))
st.caption(f"{filters.period_label} · {md(filters.scope_label)}.")
freq = st.segmented_control(
    "Trend by",
    ["W", "M"],
    default=config.time_trend_freq,
    key="time.freq",
    required=True,
    format_func={"W": "Week", "M": "Month"}.__getitem__,
)
with database_guard():
    report = cached_call(time_report, filters.period, filters.scope, config, freq)
if not report.has_time:
    st.info(
        "No activity hours logged for this period and scope: import activities on the "
        "**Data** page or run `salesops demo`.",
        icon="📭",
    )
    st.stop()
if report.warning:
    st.warning(report.warning)

team = report.team
st.subheader(f"Selling share vs the {benchmark_words(team.benchmark)} benchmark")
team_figures(report, config.currency)  # one figure table: no st.metric at first paint
distribution = share_distribution(report.rep_summary)
st.html(charts.share_histogram_html(distribution, team.benchmark))  # no Vega at first paint
# A bar per rep, every rep named (200 at the large scale: ~4,000 px of SVG, the page's
# costliest drawing at first paint, issue 21): drawn when opened.
with lazy_expander("Each rep's selling share", "time.rep_shares") as opened:
    if opened:
        draw_chart(charts.share_bars(report.rep_summary, team.benchmark))
below, above = st.columns(2)
for column, side, title in [(below, "below", "Furthest below"), (above, "above", "Furthest above")]:
    column.markdown(f"**{title}**")
    with column:
        show_summary_table(
            report.extremes[report.extremes["side"] == side],
            key=f"time.extremes_{side}",
            settings=config,
            columns={"name": "Rep"},
        )
notes = undefined_share_notes(report.rep_summary)
if notes:
    st.caption(f"Share {EM_DASH} for " + "; ".join(md(note) for note in notes))
download_csv(report.rep_summary, "time_by_rep.csv", key="time.download_reps")

# Everything below the rep summary is in tabs, only the open one drawn (issue 21: first paint).
lower_tabs(report, config)
