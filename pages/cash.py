"""Order to cash: the sale isn't final until it's paid."""

from __future__ import annotations

import streamlit as st

from salesops.cash.columns import ACCOUNT_COLUMNS, BREAKDOWN_COLUMNS, ORDER_COLUMNS, column_config
from salesops.cash.report import NO_ORDERS, cash_report
from salesops.charts import cash as charts
from salesops.repository import Repository
from salesops.ui import cash as ui
from salesops.ui.cache import cached_call, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.lazy import lazy_expander, lazy_tabs
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard
from salesops.ui.tables import show_table

ensure_navigation()
st.title("Order to cash")
defaults = settings()
with database_guard():
    filters = page_filters(uses=("period", "territory", "segment", "team", "rep"))
    bounds = cached_call(Repository.order_bounds)
if bounds["first"] is None:
    st.info(NO_ORDERS, icon=":material/inbox:")
    st.stop()
with database_guard():
    report = cached_call(cash_report, filters.period, filters.scope, defaults)
money = defaults.currency
columns = column_config(defaults)
st.caption(
    f"{filters.period_label} · {md(filters.scope_label)} · receivables as of "
    f"{report.as_of:%d %b %Y}. Repeat orders count for the rep of the deal behind them."
)
for note in report.notes:
    st.warning(note, icon=":material/warning:")
ui.headline_tiles(report, money)

st.subheader("Booked → ordered → invoiced → paid")
st.html(charts.funnel_html(report.funnel.stages, money))  # no Vega at first paint
f = report.funnel
st.caption(
    f"{f.first_orders:,} first orders book won deals, {f.repeat_orders:,} are repeat orders; "
    f"{f.booked_not_ordered:,} deals won in the period had no order by its end."
)

STATS = {"median": "Median", "mean": "Mean", "p90": "P90"}


def days_section() -> None:
    """Each step's days and their trend."""
    st.subheader("Days from deal to cash")
    ui.step_tiles(report)
    # The page's only Vega chart once the funnel is HTML: drawn when opened (issue 21).
    with lazy_expander("Each step's days, month by month", "cash.days_trend") as opened:
        if opened:
            stat = st.segmented_control("Trend of", list(STATS), default="median",
                                        key="cash.stat", required=True,
                                        format_func=STATS.__getitem__)  # fmt: skip
            if not report.trend.empty:
                draw_chart(charts.days_trend(report.trend, stat or "median"))
    download_csv(report.trend, "cash_days_trend.csv", key="cash.download_trend")


def receivables_section() -> None:
    """Receivables by days past due: bars and their table."""
    st.subheader("Receivables by days past due")
    draw_chart(charts.aging_bars(report.aging, money))
    show_table(report.aging.rename(columns={"overdue": "overdue_bucket"}), key="cash.aging",
               currency=money, columns=columns)  # fmt: skip


def breakdown_section() -> None:
    """The cash figures per rep, territory or segment."""
    st.subheader("By rep, territory and segment")
    by = st.segmented_control("Break down by", ["rep", "territory", "segment"], default="rep",
                              key="cash.by", required=True, format_func=str.capitalize)  # fmt: skip
    table = report.breakdowns[by or "rep"]
    show_table(table, key="cash.breakdown", currency=money, columns=columns,
               order=[by or "rep", *BREAKDOWN_COLUMNS])  # fmt: skip
    download_csv(table, f"cash_by_{by}.csv", key="cash.download_breakdown")


def delays_section() -> None:
    """The accounts and unpaid orders holding the most cash longest."""
    st.subheader("What most delays cash")
    st.markdown("**Accounts with the most overdue**")
    show_table(report.slow_accounts, key="cash.accounts", currency=money, columns=columns,
               order=ACCOUNT_COLUMNS)  # fmt: skip
    download_csv(report.slow_accounts, "cash_slow_accounts.csv", key="cash.download_accounts")
    st.markdown("**Unpaid orders holding the most cash longest, with their deals**")
    show_table(report.slow_orders, key="cash.orders", currency=money, columns=columns,
               order=ORDER_COLUMNS)  # fmt: skip
    download_csv(report.slow_orders, "cash_slow_orders.csv", key="cash.download_orders")


def completeness_section() -> None:
    """Orders captured with every required field, per rep."""
    st.subheader("Orders captured up front")
    ui.completeness_section(report, defaults)
    show_table(report.completeness.by_rep, key="cash.completeness", currency=money,
               columns=columns)  # fmt: skip
    download_csv(report.completeness.by_rep, "cash_completeness_by_rep.csv",
                 key="cash.download_completeness")  # fmt: skip


def approvals_section() -> None:
    """Approval times per approver and per rep."""
    st.subheader("Approvals")
    ui.approvals_section(report)
    left, right = st.columns(2)
    with left:
        show_table(report.approvals.by_approver, key="cash.approvers", currency=money,
                   columns=columns)  # fmt: skip
    with right:
        show_table(report.approvals.by_rep, key="cash.approval_reps", currency=money,
                   columns=columns)  # fmt: skip


@st.fragment
def what_if_panel() -> None:
    """The what-if: invoice and get paid sooner → cash pulled forward (no query)."""
    st.subheader("What-if: invoice and get paid sooner")
    invoice, pay = ui.what_if_controls(defaults)
    ui.what_if_result(report, defaults, invoice, pay)


# Below the funnel, one section at a time: only the open tab is drawn (issue 21: first paint).
lazy_tabs(
    {
        "Days to cash": days_section,
        "Receivables": receivables_section,
        "By rep, territory, segment": breakdown_section,
        "What delays cash": delays_section,
        "Captured up front": completeness_section,
        "Approvals": approvals_section,
        "What-if": what_if_panel,
    },
    key="cash.tabs",
)
