"""KPIs: win rate, sales cycle, lead-to-opportunity, CAC, LTV, LTV:CAC and CAC payback."""

from __future__ import annotations

import streamlit as st

from salesops.charts import kpis as charts
from salesops.kpis.metrics import KPIS
from salesops.kpis.ranking import SAMPLE_WORDS, ranking
from salesops.kpis.report import BREAKDOWN_LABELS, BREAKDOWNS, kpi_report
from salesops.repository import Repository
from salesops.ui.cache import cached_call, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.kpis import drill_scope, empty_trend_sentence, kpi_tiles
from salesops.ui.lazy import lazy_tabs
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard
from salesops.ui.tables import show_table

ensure_navigation()
st.title("KPIs")
config = settings()
with database_guard():
    filters = page_filters()
    report = cached_call(
        kpi_report, filters.period, filters.scope, config, previous=filters.comparison
    )
st.caption(f"{filters.period_label} · {md(filters.scope_label)} · {filters.comparison_label}.")

names = list(KPIS)
# one HTML grid, not seven st.metric tiles: the page draws no metric at first paint (issue 21)
kpi_tiles(
    [(KPIS[n], report.current[n], report.prior[n], report.change(n)) for n in names],
    config.currency,
)


def trends_section() -> None:
    """One KPI's monthly trend at a time (one chart, not seven), and every trend's CSV."""
    name = st.segmented_control(
        "Monthly trend of",
        names,
        default=names[0],
        key="kpis.trend",
        required=True,
        format_func=lambda k: KPIS[k].label,
    )
    kpi = KPIS[name or names[0]]
    trend = report.trends[kpi.name]
    benchmark = config.ltv_to_cac_benchmark if kpi.name == "ltv_to_cac" else None
    undefined = [KPIS[k].label for k in names if not report.trends[k]["value"].notna().any()]
    if trend["value"].notna().any():
        # an SVG image, not Vega: the page's first paint loads no Vega (issue 21)
        st.html(charts.trend_html(trend, kpi.unit, kpi.label, config.currency, benchmark))
    else:
        st.info(empty_trend_sentence(kpi.label, report.current[kpi.name]))
    if undefined:
        st.caption(f"No month in the period to chart for {', '.join(undefined)}.")
    trend_table = report.trends["win_rate"][["month"]].copy()
    for key in KPIS:
        trend_table[key] = report.trends[key]["value"]
    download_csv(trend_table, "kpi_trends.csv", key="kpis.download_trends")


def breakdown_section() -> None:
    """One breakdown: ranked bars of a KPI, the table and the deals behind a selected row."""
    by = st.segmented_control(
        "Break down by",
        BREAKDOWNS,
        default="territory",
        key="kpis.by",
        required=True,
        format_func=lambda b: BREAKDOWN_LABELS[b],
    )
    table = report.breakdowns[by]
    shown = [k for k in KPIS if by in KPIS[k].breakdowns]
    metric = st.selectbox(
        "Chart", shown, format_func=lambda k: KPIS[k].label, key="kpis.breakdown_metric"
    )
    ranked = ranking(table, metric, config.min_sample_to_rank, KPIS[metric].higher_is_better)
    draw_chart(
        charts.breakdown_bars(ranked, KPIS[metric].unit, KPIS[metric].label, config.currency)
    )
    if metric in SAMPLE_WORDS:
        st.caption(
            f"n = {SAMPLE_WORDS[metric]} behind each rate; fewer than "
            f"{config.min_sample_to_rank} are greyed and not ranked."
        )
    columns = ["name", *shown, "won", "lost", "bookings", "leads", "new_customers"]
    st.caption("Select a row to see the deals behind it.")
    selection = show_table(
        table,
        key="kpis.breakdown_table",
        currency=config.currency,
        columns={"name": BREAKDOWN_LABELS[by]},
        order=columns,
        on_select="rerun",
        selection_mode="single-row",
    )
    download_csv(table[columns], f"kpis_by_{by}.csv", key="kpis.download_breakdown")
    rows = selection.selection.rows if selection else []
    if rows:
        key = table.iloc[rows[0]]["key"]
        scope, channel = drill_scope(filters.scope, by, key)
        with database_guard():
            deals = cached_call(Repository.closed_deals, filters.period, scope, channel)
        st.subheader(f"Deals closed: {md(table.iloc[rows[0]]['name'])}")
        show_table(deals, key="kpis.deals", currency=config.currency)
        download_csv(deals, "deals.csv", key="kpis.download_deals")


# Below the tiles, one tab at a time: only the open one is drawn (issue 21: first paint).
lazy_tabs({"Monthly trends": trends_section, "Breakdowns": breakdown_section}, key="kpis.tabs")
