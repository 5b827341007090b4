"""Slider panels of the Rep time allocation page; each reruns alone (st.fragment, no query)."""

from __future__ import annotations

import streamlit as st

from salesops import time_allocation as ta
from salesops.charts import time_allocation as charts
from salesops.formatting import EM_DASH, format_value
from salesops.ui.download import download_csv


def _figure(column, label: str, fig: ta.Figure, unit: str, currency: str) -> None:
    column.metric(label, format_value(fig.value, unit, currency), border=True)
    if fig.value is None:
        column.caption(f"{EM_DASH} {fig.reason}")


@st.fragment
def what_if_panel(report: ta.TimeReport, currency: str) -> None:
    """Draws the sliders and the freed-time what-if: hours, revenue, SG&A vs the literature."""
    base = report.what_if_base
    if not base.activity_hours:
        st.info("No back-office hours logged in this period and scope: nothing to move.")
        return
    left, right = st.columns(2)
    activities = left.multiselect(
        "Back-office activities to move",
        report.back_office_activities,
        default=report.back_office_activities,
        key="time.whatif_activities",
    )
    shift = left.slider(
        "Share of their hours moved to sales ops",
        0,
        100,
        25,
        5,
        format="%d%%",
        key="time.whatif_shift",
    )
    conversion = left.slider(
        "Share of freed hours that become selling",
        0,
        100,
        50,
        5,
        format="%d%%",
        key="time.whatif_conversion",
    )
    ops_cost = right.number_input(
        f"Sales-ops hourly cost ({currency})",
        min_value=0.0,
        value=ta.default_sales_ops_hourly_cost(base),
        step=5.0,
        key="time.whatif_ops_cost",
        help="Default: half the reps' mean loaded hourly cost.",
    )
    factor = right.slider(
        "Sales-ops hours per rep hour moved",
        0.3,
        1.5,
        1.0,
        0.05,
        key="time.whatif_factor",
        help="Below 1: specialists do the work faster.",
    )
    elasticity = right.slider(
        "Returns on extra selling time (1 = linear)",
        0.3,
        1.0,
        1.0,
        0.05,
        key="time.whatif_elasticity",
        help="Revenue = R0 × (S / S0)^b: b = 1 keeps the observed revenue per selling hour, "
        "lower b gives each extra hour less (diminishing returns).",
    )
    release = right.toggle(
        "Count unconverted freed hours as released rep cost", key="time.whatif_release"
    )
    result = ta.what_if(
        base,
        ta.WhatIfScenario(
            shift_share=shift / 100,
            activities=tuple(activities),
            sales_ops_hourly_cost=ops_cost,
            sales_ops_time_factor=factor,
            selling_conversion=conversion / 100,
            elasticity=elasticity,
            release_unconverted=release,
        ),
    )
    row = st.columns(4)
    row[0].metric("Rep hours freed", f"{result.moved_hours:,.0f}", border=True)
    row[1].metric("Extra selling hours", f"{result.extra_selling_hours:,.0f}", border=True)
    _figure(row[2], "Extra revenue", result.extra_revenue, "money", currency)
    row[3].metric(
        "Sales-ops cost", format_value(result.sales_ops_cost, "money", currency), border=True
    )
    row = st.columns(4)
    _figure(row[0], "Net gain", result.net_gain, "money", currency)
    _figure(row[1], "Revenue lift", result.revenue_lift, "ratio", currency)
    _figure(row[2], "SG&A change", result.sga_change, "ratio", currency)
    _figure(row[3], "SG&A / revenue change", result.sga_to_revenue_change, "ratio", currency)
    comparison = ta.literature_comparison(result)
    st.markdown("**Against the literature** (10–20% revenue lift, 20–30% SG&A reduction)")
    st.altair_chart(charts.literature_bars(comparison))
    st.dataframe(
        comparison,
        hide_index=True,
        key="time.literature",
        column_config={
            c: st.column_config.NumberColumn(c, format="percent") for c in ("value", "low", "high")
        },
    )
    download_csv(result.by_activity, "what_if_by_activity.csv", key="time.download_whatif")


@st.fragment
def middle_panel(report: ta.TimeReport, currency: str) -> None:
    """Draws the productivity distribution and the middle-60% lift vs lifting the top rep."""
    basis = st.segmented_control(
        "Rank reps by",
        ["per_selling_hour", "per_rep"],
        default="per_selling_hour",
        required=True,
        key="time.middle_basis",
        format_func={"per_selling_hour": "Bookings per selling hour", "per_rep": "Bookings"}.get,
    )
    dist = ta.productivity_distribution(report.rep_summary, basis=basis)
    if (dist["group"] != "excluded").sum() == 0:
        st.info("No rep has selling hours to rank in this period.")
        return
    title = "Bookings per selling hour" if basis == "per_selling_hour" else "Bookings per rep"
    st.altair_chart(charts.productivity_histogram(dist, title))
    lift = st.slider("Productivity lift", 0, 50, 10, 1, format="%d%%", key="time.middle_lift")
    result = ta.middle_lift(dist, lift / 100)
    row = st.columns(3)
    row[0].metric(
        f"Lift the middle {result.middle_reps} reps",
        format_value(result.middle_gain, "money", currency),
        border=True,
    )
    row[1].metric(
        f"Lift the top performer ({result.top_rep or EM_DASH})",
        format_value(result.top_gain, "money", currency),
        border=True,
    )
    ratio = result.middle_to_top_ratio
    row[2].metric(
        "Middle vs top", EM_DASH if ratio.value is None else f"{ratio.value:,.1f}×", border=True
    )
    download_csv(dist, "rep_productivity.csv", key="time.download_distribution")


@st.fragment
def ramp_panel(report: ta.TimeReport, currency: str) -> None:
    """Draws the ramp curve and what shortening the ramp by N months is worth."""
    ramp = report.ramp
    st.altair_chart(charts.ramp_line(ramp.curve, ramp.ramped_level.value))
    st.caption(
        f"Ramped level = mean bookings per rep-month at tenure months {ramp.ramped_from}–"
        f"{int(ramp.curve['tenure_month'].max())}; months to reach {ramp.threshold:.0%} of it: "
        + (
            f"{ramp.months_to_ramp.value:.0f}"
            if ramp.months_to_ramp.value is not None
            else f"{EM_DASH} ({ramp.months_to_ramp.reason})"
        )
    )
    left, right = st.columns(2)
    months = left.slider("Shorten ramp by (months)", 0, 6, 1, key="time.ramp_months")
    hires = right.number_input(
        "New hires per year",
        min_value=0.0,
        value=round(report.hires_per_year.value or 0.0, 1),
        step=1.0,
        key="time.ramp_hires",
        help="Default: hires per year observed in the data.",
    )
    value = ta.ramp_shortening_value(ramp, months, hires)
    row = st.columns(2)
    _figure(row[0], "Bookings gained per new hire", value.gain_per_hire, "money", currency)
    _figure(row[1], "Bookings gained per year", value.gain_per_year, "money", currency)
    download_csv(ramp.curve, "ramp_curve.csv", key="time.download_ramp")
