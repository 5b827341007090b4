"""Plan page parts: the what-if controls, the headline tiles, the table formats."""

from __future__ import annotations

import streamlit as st

from salesops.config import Settings
from salesops.definitions import define
from salesops.formatting import EM_DASH, format_value
from salesops.plan.report import PlanChoices, PlanReport
from salesops.tables import Col
from salesops.ui.figure_table import Tile, draw_figures
from salesops.ui.lazy import kept_choices

QUOTA_COLUMNS = [
    "rep", "flag", "territory", "segment", "current_quota", "suggested_quota", "change",
    "chance_current", "chance_suggested", "expected_bookings", "ramped_months", "capped",
]  # fmt: skip
HIRE_COLUMNS = [
    "territory", "segment", "reps", "utilisation", "coverage_hires", "bookings_hires", "hires",
    "start", "ramped_by", "hire_quota", "hire_expected_bookings", "hire_cost",
    "utilisation_after",
]  # fmt: skip
# the hires table's columns as text: the load now, the hires, what they bring and cost, after
HIRE_BRIEF = [
    "territory", "utilisation", "hires", "start", "ramped_by", "hire_expected_bookings",
    "hire_cost", "utilisation_after",
]  # fmt: skip


def _percent(fraction: float) -> int:
    """Returns a fraction as whole percent (a slider's value)."""
    return round(fraction * 100)


def column_config() -> dict[str, Col]:
    """Returns labels, kinds and help of the plan's quota and hires tables."""
    chance = (
        "Expected chance of booking at least the quota, from the rep's expected bookings and "
        "how far bookings have run from expectation in past years."
    )
    return {
        "rep": Col("Rep"), "flag": Col("Flag"), "territory": Col("Territory"),
        "segment": Col("Segment"), "reps": Col("Reps", "count"),
        "capped": Col("At the change cap", "bool"),
        "current_quota": Col("Current quota", "money"),
        "suggested_quota": Col("Suggested quota", "money"),
        "change": Col("Change", "ratio", signed=True, decimals=0),
        "chance_current": Col("Chance to make current", "ratio", help=chance, decimals=0),
        "chance_suggested": Col("Chance to make suggested", "ratio", help=chance, decimals=0),
        "expected_bookings": Col("Expected bookings", "money"),
        "ramped_months": Col("Ramped months", "months"),
        "utilisation": Col("Utilisation now", "ratio", help=define("utilisation"), decimals=0),
        "utilisation_after": Col("Utilisation when ramped", "ratio", decimals=0),
        "coverage_hires": Col("Hires for workload", "count"),
        "bookings_hires": Col("Hires for the target", "count"),
        "hires": Col("Hires", "count"),
        "start": Col("Start", "date"),
        "ramped_by": Col("Ramped by", "date"),
        "hire_quota": Col("Hires' quota", "money"),
        "hire_expected_bookings": Col("Hires' expected bookings", "money"),
        "hire_cost": Col("Hires' cost this year", "money"),
    }  # fmt: skip


CONTROLS_OPEN = "plan.controls_open"  # the lazy expander holding the what-if's widgets
CHOSEN = "plan.choices"  # what those widgets last said, kept while they are not drawn


def plan_controls(defaults: Settings, default_target: float | None) -> PlanChoices:
    """Draws the what-if controls (target, attainment, utilisation, lead time, cap, hires).

    The target starts at `default_target` (salesops.plan.report.default_target). The widgets
    are drawn once their expander ("Change the plan") is opened (issue 21: four sliders, a
    number input and a toggle cost a cold new tab their scripts and drawing); what they last
    said is kept in the session, the page says the choices in words (`choices_caption`).
    """
    first = float(round(default_target or 1.0))
    start: dict = {
        "target": None,  # None: the default target, which follows the filters
        "attainment": _percent(defaults.attainment_target),
        "utilisation": _percent(defaults.plan_target_utilisation),
        "lead": defaults.plan_hiring_lead_months,
        "cap": _percent(defaults.quota_change_cap),
        "hires": True,
    }
    chosen = kept_choices(
        "Change the plan", CONTROLS_OPEN, CHOSEN, start,
        lambda choices: _control_widgets(choices, first), icon=":material/tune:",
    )  # fmt: skip
    return PlanChoices(
        team_target=first if chosen["target"] is None else chosen["target"],
        attainment_target=chosen["attainment"] / 100,
        target_utilisation=chosen["utilisation"] / 100,
        hiring_lead_months=int(chosen["lead"]),
        change_cap=chosen["cap"] / 100,
        allow_hires=chosen["hires"],
    )


def _control_widgets(chosen: dict, first: float) -> dict:
    """Draws the what-if's widgets from `chosen` (`first`: the default target); returns theirs."""
    a, b, c = st.columns(3)
    target = a.number_input(
        "Team bookings target", 1.0, None, first if chosen["target"] is None else chosen["target"],
        step=100_000.0, format="%.0f", key="plan.target",
        help="Defaults to today's quotas for the quota year (without quotas, what these reps "
        "booked in the last 12 months). Quotas (and hires' quotas) add up to it.",
    )  # fmt: skip
    attainment = b.slider(
        "Reps expected at quota", 30, 95, chosen["attainment"], step=5,
        format="%d%%", key="plan.attainment",
        help="Quotas are set so this share of reps is expected to reach 100% or more.",
    )  # fmt: skip
    utilisation = c.slider(
        "Staff territories to utilisation", 50, 110, chosen["utilisation"],
        step=5, format="%d%%", key="plan.utilisation",
    )  # fmt: skip
    d, e, f = st.columns(3)
    lead = d.slider("Months until hires start", 0, 11, chosen["lead"], key="plan.lead")
    cap = e.slider(
        "Most a quota may change", 0, 100, chosen["cap"], step=5,
        format="±%d%%", key="plan.cap",
    )  # fmt: skip
    hires = f.toggle(
        "Hire for the gap", chosen["hires"], key="plan.hires",
        help="New hires carry the part of the target today's reps cannot: off, today's "
        "reps carry all of it.",
    )  # fmt: skip
    return {
        "target": None if float(target) == first else float(target),
        "attainment": attainment,
        "utilisation": utilisation,
        "lead": lead,
        "cap": cap,
        "hires": hires,
    }


def _share(value: float | None) -> str:
    """Returns a share as whole percent, a dash when undefined."""
    return EM_DASH if value is None else f"{value:.0%}"


def plan_tiles(report: PlanReport, currency: str) -> None:
    """Draws expected share at quota (current → suggested), hires, their cost, the gap.

    The four figures are one Markdown table (salesops.ui.figure_table), not four st.metric
    tiles: issue 21, a cold new tab draws the page sooner.
    """
    q = report.quotas
    now, suggested = q.expected_share_current, q.expected_share_suggested
    change = None if now is None or suggested is None else (suggested - now) * 100
    tiles = [
        Tile(
            "Expected at quota",
            _share(suggested),
            note=None if change is None else f"{change:+.0f} pts vs {_share(now)} now",
            tone="neutral" if not change else ("good" if change > 0 else "bad"),
            help="Expected share of today's reps booking at least their quota with the "
            "suggested quotas; the change is against their current quotas.",
        ),
        Tile(
            "Carried by today's reps",
            format_value(q.carried_total, "money", currency),
            help="What today's reps carry at the target share (with the change cap).",
        ),
        Tile(
            "Hires",
            str(report.hires_total),
            help="Hires for workload (utilisation) plus hires for the target.",
        ),
        Tile(
            "Hires' cost this year",
            format_value(report.hires_cost, "money", currency),
            help="Median annual cost of the segment's reps, from each hire's start.",
        ),
    ]
    draw_figures(tiles)


def choices_caption(choices: PlanChoices) -> None:
    """Draws the what-if's choices besides the target in words (its widgets may be closed)."""
    hires = (
        f"hires start in {choices.hiring_lead_months} months and carry the gap"
        if choices.allow_hires
        else "no hires: today's reps carry the whole target"
    )
    st.caption(
        f"Territories staffed to {choices.target_utilisation or 0:.0%} utilisation; "
        f"{hires}; a quota changes by at most ±{choices.change_cap or 0:.0%}."
    )


def target_caption(report: PlanReport, booked: float, currency: str) -> None:
    """Draws the target in words: the amount, last year's bookings, the quota year."""
    start, end = report.quota_year
    st.caption(
        f"Target {format_value(report.team_target, 'money', currency)} for "
        f"{start:%b %Y} – {end:%b %Y}; these reps booked "
        f"{format_value(booked, 'money', currency)} in the last 12 months. "
        f"{report.attainment_target:.0%} of reps are meant to reach their quota."
    )
