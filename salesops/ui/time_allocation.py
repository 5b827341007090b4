"""The Rep time allocation page's UI: team filter, Overview headline, lower tabs and panels.

The team (manager) filter is kept in the URL like the shared filters. The page's lower
sections are tabs of which only the open one is drawn (lower_tabs); each slider panel runs
inside st.fragment, so moving a slider reruns only its panel (no query).
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from salesops.charts import time_allocation as charts
from salesops.config import Settings
from salesops.figures import Figure
from salesops.formatting import EM_DASH, format_value
from salesops.tables import Col
from salesops.time_allocation.middle import middle_lift, productivity_distribution
from salesops.time_allocation.ramp import ramp_shortening_value
from salesops.time_allocation.report import TimeInputs, TimeReport, time_report
from salesops.time_allocation.what_if import (
    WhatIfResult,
    WhatIfScenario,
    default_sales_ops_hourly_cost,
    literature_comparison,
    what_if,
)
from salesops.ui.cache import cached_call, prefetch, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.figure_table import Tile, draw_figures, toned
from salesops.ui.filters import Filters
from salesops.ui.lazy import lazy_expander, lazy_tabs
from salesops.ui.markdown import md
from salesops.ui.nav import page_link
from salesops.ui.tables import show_table

BASIS_TITLES = {"per_selling_hour": "Bookings per selling hour", "per_rep": "Bookings"}
_ONE_IN = {2: "one-half", 3: "one-third", 4: "one-quarter", 5: "one-fifth", 10: "one-tenth"}


# --------------------------------------------------------------------------- benchmark text


def _as_fraction(share: float) -> Fraction | None:
    """Returns the share as a small fraction (1/3) when it is exactly one, else None."""
    fraction = Fraction(share).limit_denominator(12)
    return fraction if abs(float(fraction) - share) < 1e-9 else None


def benchmark_text(share: float) -> str:
    """Returns the benchmark as written in a delta: "1/3", or "35%" when not a small fraction."""
    fraction = _as_fraction(share)
    return f"{fraction.numerator}/{fraction.denominator}" if fraction else f"{share:.0%}"


def benchmark_words(share: float) -> str:
    """Returns the benchmark as written in a title: "one-third", or "35%"."""
    fraction = _as_fraction(share)
    if fraction is not None and fraction.numerator == 1 and fraction.denominator in _ONE_IN:
        return _ONE_IN[fraction.denominator]
    return benchmark_text(share)


# --------------------------------------------------------------------------- Overview headline


def _headline_args(filters: Filters) -> tuple:
    """Returns time_report's arguments for the Overview's filters."""
    config = settings()
    return filters.period, filters.scope, config, config.time_trend_freq


def prefetch_time_headline(filters: Filters) -> None:
    """Starts reading the Overview's time headline (salesops.ui.cache.prefetch)."""
    prefetch(time_report, *_headline_args(filters))


def _sign_tone(change: float | None) -> str:
    """Returns a change's tone by its sign alone (as st.metric colours a delta)."""
    if not change:
        return "none"
    return "good" if change > 0 else "bad"


def time_headline(filters: Filters) -> None:
    """Draws the team selling share vs the benchmark and a link to the Rep time page."""
    config = settings()
    report = cached_call(time_report, *_headline_args(filters))
    team = report.team
    share = team.selling_share.value
    text = benchmark_text(team.benchmark)
    sentence = None
    if share is not None:
        gap = (share - team.benchmark) * 100
        words = f"{abs(gap):.0f} pp {'above' if gap > 0 else 'below'}"
        tone = "none" if abs(gap) < config.change_noise_pp else ("good" if gap > 0 else "bad")
        if tone == "none":
            words = "in line with"
        sentence = toned(
            f"Reps spend {share:.0%} of their logged hours selling, {words} the "
            f"{benchmark_words(team.benchmark)} benchmark; {team.reps_below_benchmark} of "
            f"{team.reps_with_time} reps are below it.",
            tone,
        )
    tiles = [
        Tile(
            "Team selling share",
            format_value(share, "ratio"),
            note=None if share is None else f"{(share - team.benchmark) * 100:+.1f} pp vs {text}",
            tone=_sign_tone(None if share is None else share - team.benchmark),
            caption=f"{EM_DASH} {team.selling_share.reason}" if share is None else None,
            help=f"Selling hours / all hours logged; the benchmark is {text} of the hours.",
        ),
        Tile(
            f"Reps below {benchmark_words(team.benchmark)}",
            f"{team.reps_below_benchmark} of {team.reps_with_time}",
        ),
        Tile("Back-office share of hours", format_value(team.back_office_share.value, "ratio")),
    ]
    draw_figures(tiles, sentence)
    page_link(
        "pages/time_allocation.py",
        "Rep time allocation: where the hours go and what freeing them is worth",
        ":material/schedule:",
    )


def team_figures(report: TimeReport, currency: str) -> None:
    """Draws the page's team figures as one figure table (no st.metric tile, issue 21).

    Team selling share (its gap to the benchmark), hours logged, reps below the benchmark
    and revenue per selling hour, each definition one hover away.
    """
    team = report.team
    share = team.selling_share.value
    gap = None if share is None else share - team.benchmark
    draw_figures(
        [
            Tile(
                "Team selling share",
                format_value(share, "ratio"),
                note=None if gap is None else f"{gap * 100:+.1f} pp vs benchmark",
                tone=_sign_tone(gap),
                caption=f"{EM_DASH} {team.selling_share.reason}" if share is None else None,
                help="Selling hours / all hours logged (hours-weighted). Benchmark: "
                f"{team.benchmark:.0%} of hours selling.",
            ),
            Tile("Hours logged", f"{team.hours:,.0f}"),
            Tile(
                "Reps below benchmark",
                f"{team.reps_below_benchmark} of {team.reps_with_time}",
                help=f"{team.reps - team.reps_with_time} rep(s) logged no time (share n/a).",
            ),
            Tile(
                "Revenue per selling hour",
                format_value(team.revenue_per_selling_hour.value, "money", currency),
                help=team.revenue_per_selling_hour.reason or bookings_span_words(report.inputs),
            ),
        ]
    )


# --------------------------------------------------------------------------- lower tabs

LOWER_TABS = {
    "activity": "Hours by activity",
    "trend": "Trend",
    "unit_costs": "Unit costs",
    "what_if": "What-if",
    "middle": "Moving the middle",
    "ramp": "New-rep ramp",
}


def lower_tabs(report: TimeReport, config: Settings) -> None:
    """Draws the page's lower sections as tabs, the open tab's only (a switch reruns them)."""
    draw = {
        "activity": _hours_by_activity,
        "trend": _trend,
        "unit_costs": _unit_costs,
        "what_if": _what_if_section,
        "middle": _middle_section,
        "ramp": _ramp_section,
    }
    sections = {title: partial(draw[name], report, config) for name, title in LOWER_TABS.items()}
    lazy_tabs(sections, key="time.tabs")


def _hours_by_activity(report: TimeReport, config: Settings) -> None:
    st.subheader("Hours by activity")
    st.html(charts.team_hours_html(report.by_activity))  # the open tab's: no Vega at first paint
    # A bar per rep (200 at the large scale): the page's heaviest chart, drawn when opened.
    with lazy_expander("Each rep's hours by activity", "time.rep_activity") as shown:
        if shown:
            draw_chart(charts.stacked_hours(report.by_rep_activity, "name"))
    download_csv(report.by_rep_activity, "hours_by_activity.csv", key="time.download_activity")


def _trend(report: TimeReport, config: Settings) -> None:
    st.subheader("Trend")
    draw_chart(charts.share_trend(report.trend, report.team.benchmark))
    download_csv(report.trend, "selling_share_trend.csv", key="time.download_trend")


def _unit_costs(report: TimeReport, config: Settings) -> None:
    st.subheader("Unit cost of back-office work")
    st.caption(
        "Hours per unit = activity hours / units counted; cost at each rep's loaded hourly "
        f"cost = annual cost / (weekly hours × {config.working_weeks_per_year:g} working weeks)."
    )
    scope_choice = st.segmented_control(
        "Show", ["team", "rep"], default="team", key="time.unit_scope", required=True
    )
    unit_columns = ["activity", "hours", "count", "hours_per_unit", "hourly_cost", "cost_per_unit"]
    if scope_choice == "rep":
        unit_columns = ["name", *unit_columns]
    show_table(
        report.unit_costs.loc[report.unit_costs["scope"] == scope_choice],
        key="time.unit_costs",
        currency=config.currency,
        columns={"name": "Rep"},
        order=[*unit_columns, "reason"],
    )
    download_csv(report.unit_costs, "unit_costs.csv", key="time.download_unit_costs")


def _what_if_section(report: TimeReport, config: Settings) -> None:
    st.subheader("What-if: move back-office work to sales ops")
    what_if_panel(report, config)


def _middle_section(report: TimeReport, config: Settings) -> None:
    st.subheader("Moving the middle")
    middle_panel(report, config)


def _ramp_section(report: TimeReport, config: Settings) -> None:
    st.subheader("New-rep ramp")
    ramp_panel(report, config)


# --------------------------------------------------------------------------- slider panels


def _figure(column: Any, label: str, fig: Figure, unit: str, currency: str) -> None:
    """Draws a figure as a tile, with the reason beneath when it is undefined."""
    column.metric(label, format_value(fig.value, unit, currency), border=True)
    if fig.value is None:
        column.caption(f"{EM_DASH} {fig.reason}")
    elif fig.reason:
        column.caption(fig.reason)


def _percent(share: float) -> int:
    """Returns a share as a whole percentage for a percent slider (0.25 -> 25)."""
    return round(share * 100)


@st.fragment
def what_if_panel(report: TimeReport, config: Settings) -> None:
    """Draws the sliders and the freed-time what-if: hours, revenue, SG&A vs the literature."""
    if not report.what_if_base.activity_hours:
        st.info("No back-office hours logged in this period and scope: nothing to move.")
        return
    result = what_if(report.what_if_base, _what_if_controls(report, config))
    _what_if_tiles(result, config.currency)
    _literature(result, config)
    download_csv(result.by_activity, "what_if_by_activity.csv", key="time.download_whatif")


def _what_if_controls(report: TimeReport, config: Settings) -> WhatIfScenario:
    """Draws the what-if sliders (starting at Settings' defaults) and returns the scenario."""
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
        _percent(config.what_if_shift_share),
        5,
        format="%d%%",
        key="time.whatif_shift",
    )
    conversion = left.slider(
        "Share of freed hours that become selling",
        0,
        100,
        _percent(config.what_if_selling_conversion),
        5,
        format="%d%%",
        key="time.whatif_conversion",
    )
    ops_cost = right.number_input(
        f"Sales-ops hourly cost ({config.currency})",
        min_value=0.0,
        value=default_sales_ops_hourly_cost(
            report.what_if_base,
            ratio=config.what_if_sales_ops_cost_ratio,
            fallback=config.what_if_sales_ops_hourly_cost,
        ),
        step=5.0,
        key="time.whatif_ops_cost",
        help=f"Default: {config.what_if_sales_ops_cost_ratio:.0%} of the reps' mean loaded "
        "hourly cost.",
    )
    factor = right.slider(
        "Sales-ops hours per rep hour moved",
        0.3,
        1.5,
        config.what_if_sales_ops_time_factor,
        0.05,
        key="time.whatif_factor",
        help="Below 1: specialists do the work faster.",
    )
    elasticity = right.slider(
        "Returns on extra selling time (1 = linear)",
        0.3,
        1.0,
        config.what_if_elasticity,
        0.05,
        key="time.whatif_elasticity",
        help="Revenue = R0 × (S / S0)^b: b = 1 keeps the observed revenue per selling hour, "
        "lower b gives each extra hour less (diminishing returns).",
    )
    release = right.toggle(
        "Count unconverted freed hours as released rep cost",
        value=config.what_if_release_unconverted,
        key="time.whatif_release",
    )
    return WhatIfScenario(
        shift_share=shift / 100,
        activities=tuple(activities),
        sales_ops_hourly_cost=ops_cost,
        sales_ops_time_factor=factor,
        selling_conversion=conversion / 100,
        elasticity=elasticity,
        release_unconverted=release,
        gross_margin=config.default_gross_margin,
    )


def _what_if_tiles(result: WhatIfResult, currency: str) -> None:
    """Draws the what-if's hours, revenue, cost and SG&A tiles."""
    row = st.columns(4)
    row[0].metric("Rep hours freed", f"{result.moved_hours:,.0f}", border=True)
    row[1].metric("Extra selling hours", f"{result.extra_selling_hours:,.0f}", border=True)
    revenue = result.extra_revenue
    if result.cap_binding is not None:  # say which ceiling, in the page's money format
        ceiling = format_value(result.cap, "money", currency)
        revenue = Figure(revenue.value, f"Capped by {md(result.cap_binding)}: {md(ceiling)}")
    _figure(row[2], "Extra revenue", revenue, "money", currency)
    row[3].metric(
        "Sales-ops cost", format_value(result.sales_ops_cost, "money", currency), border=True
    )
    second = st.columns(3)
    _figure(second[0], "Extra gross margin", result.extra_margin, "money", currency)
    _figure(second[1], "Net gain (margin − cost)", result.net_gain, "money", currency)
    _figure(second[2], "Revenue lift", result.revenue_lift, "ratio", currency)
    changes = [("SG&A change", result.sga_change)]
    changes.append(("SG&A / revenue change", result.sga_to_revenue_change))
    for column, (label, fig) in zip(st.columns(2), changes, strict=True):
        column.metric(
            label,
            EM_DASH if fig.value is None else f"{fig.value:+.1%}",
            help="Signed: negative is a cut in SG&A, as in the table below.",
            border=True,
        )
        if fig.value is None:
            column.caption(f"{EM_DASH} {fig.reason}")


def _literature(result: WhatIfResult, config: Settings) -> None:
    """Draws the scenario against the literature's revenue-lift and SG&A-reduction ranges."""
    lift, sga = config.literature_revenue_lift, config.literature_sga_reduction
    comparison = literature_comparison(result, revenue_lift=lift, sga_reduction=sga)
    st.markdown(
        f"**Against the literature** ({lift[0] * 100:g}–{lift[1]:.0%} revenue lift, "
        f"{sga[0] * 100:g}–{sga[1]:.0%} SG&A reduction)"
    )
    draw_chart(charts.literature_bars(comparison))
    show_table(
        comparison,
        key="time.literature",
        currency=config.currency,
        columns={
            "metric": "Measure",
            "value": Col("This scenario", "ratio"),
            "low": Col("Literature low", "ratio"),
            "high": Col("Literature high", "ratio"),
            "status": "Against the literature",
        },
    )


@st.fragment
def middle_panel(report: TimeReport, config: Settings) -> None:
    """Draws the productivity distribution and the middle group's lift vs the top rep's."""
    basis = st.segmented_control(
        "Rank reps by",
        list(BASIS_TITLES),
        default=config.middle_basis,
        required=True,
        key="time.middle_basis",
        format_func=lambda b: BASIS_TITLES[b],
    )
    chosen = basis or config.middle_basis  # required=True: never empty
    dist = productivity_distribution(
        report.rep_summary, basis=chosen, middle_share=config.middle_share
    )
    if (dist["group"] != "excluded").sum() == 0:
        st.info("No rep has selling hours to rank in this period.")
        return
    title = "Bookings per selling hour" if chosen == "per_selling_hour" else "Bookings per rep"
    draw_chart(charts.productivity_histogram(dist, title))
    lift = st.slider(
        "Productivity lift",
        0,
        50,
        _percent(config.middle_lift),
        1,
        format="%d%%",
        key="time.middle_lift",
    )
    result = middle_lift(dist, lift / 100)
    row = st.columns(3)
    row[0].metric(
        f"Lift the middle {result.middle_reps} reps",
        format_value(result.middle_gain, "money", config.currency),
        border=True,
    )
    row[1].metric(
        f"Lift the top performer ({md(result.top_rep or EM_DASH)})",
        format_value(result.top_gain, "money", config.currency),
        border=True,
    )
    ratio = result.middle_to_top_ratio
    row[2].metric(
        "Middle vs top", EM_DASH if ratio.value is None else f"{ratio.value:,.1f}×", border=True
    )
    download_csv(dist, "rep_productivity.csv", key="time.download_distribution")


@st.fragment
def ramp_panel(report: TimeReport, config: Settings) -> None:
    """Draws the ramp curve and what shortening the ramp by N months is worth."""
    ramp = report.ramp
    draw_chart(charts.ramp_line(ramp.curve, ramp.ramped_level.value, config.currency))
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
    months = left.slider(
        "Shorten ramp by (months)", 0, 6, config.ramp_months_shorter, key="time.ramp_months"
    )
    hires = right.number_input(
        "New hires per year",
        min_value=0.0,
        value=round(report.hires_per_year.value or 0.0, 1),
        step=1.0,
        key="time.ramp_hires",
        help="Default: hires per year observed in the data.",
    )
    value = ramp_shortening_value(ramp, months, hires)
    row = st.columns(2)
    _figure(row[0], "Bookings gained per new hire", value.gain_per_hire, "money", config.currency)
    _figure(row[1], "Bookings gained per year", value.gain_per_year, "money", config.currency)
    download_csv(ramp.curve, "ramp_curve.csv", key="time.download_ramp")


def bookings_span_words(inputs: TimeInputs) -> str:
    """Returns what bookings per selling hour divides: the period's, or the logged weeks'."""
    span = inputs.bookings_span
    if span is None or (pd.Timestamp(span.start), pd.Timestamp(span.end)) == (
        inputs.start,
        inputs.end,
    ):
        return "Bookings in the period / selling hours."
    return (
        f"Bookings from {span.start:%d %b %Y} to {span.end:%d %b %Y} (the weeks with time "
        "logged) / selling hours logged: time was not logged over the whole period."
    )
