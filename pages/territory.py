"""Territory balance: utilisation against selling capacity, flags, moves and swaps."""

from __future__ import annotations

import streamlit as st

from salesops.charts.territory import (
    FLAG_COLOURS,
    FLAG_TONES,
    potential_per_hour_chart,
    utilisation_html,
)
from salesops.definitions import define
from salesops.repository import Repository
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.presentation import (
    before_after,
    columns_without_potential,
    describe_moves,
    describe_swaps,
    potential_chart_gap,
    proposal_account_ids,
)
from salesops.territory.report import (
    build_report,
    proposal_accounts,
    proposal_of,
    territory_data,
)
from salesops.ui import territory as ui
from salesops.ui.cache import cached_call, cached_from, settings
from salesops.ui.charts import draw_chart
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.lazy import lazy_tabs
from salesops.ui.nav import ensure_navigation, page_link
from salesops.ui.states import database_guard, empty_state
from salesops.ui.tables import show_summary_table, show_table

ensure_navigation()
st.title("Territory balance")
with database_guard():
    filters = page_filters(uses=("period", "territory", "segment"))
    data = cached_call(territory_data, filters.scope, filters.period.end)
if data.is_empty:
    empty_state("No territories or accounts yet")
st.caption(
    f"As of {data.as_of:%d %b %Y} (end of the chosen period): bookings "
    f"{data.bookings.start:%d %b %Y} – {data.bookings.end:%d %b %Y}; quota year "
    f"{data.quota_year.start:%b %Y} – {data.quota_year.end:%b %Y}. Territory and segment "
    "filters apply; team and rep filters do not."
)
defaults = settings()
columns = ui.column_config(defaults.currency, defaults)
config = ui.assumptions(defaults, data.account_hours(TerritorySettings.from_settings(defaults)))
source = ((territory_data, (filters.scope, filters.period.end)),)
with database_guard():
    report = cached_from(build_report, source, config)  # not rebuilt on each run or session
territories = report.territories
no_potential = columns_without_potential(territories)  # not "Potential $0" in every row
ui.balance_tiles(territories, report.balance, report.capacity, defaults.currency)
ui.mismatch_warning(report.mismatch)
ui.capacity_caption(report.capacity)

st.subheader("Utilisation")
st.html(utilisation_html(territories, config))  # HTML bars: no Vega at first paint
st.caption(f"{define('utilisation', defaults)} {report.hours.describe()}")


def territories_section() -> None:
    """Every territory's load, flag and coverage."""
    st.subheader("Territories")
    show_summary_table(
        territories,
        key="territory.territories",
        settings=defaults,
        columns=columns,
        order=ui.TERRITORY_COLUMNS,
        hide=no_potential,
        brief=ui.TERRITORY_BRIEF,
        highlight=("flag", FLAG_COLOURS),
        tones=FLAG_TONES,
    )
    st.caption(
        f"Pipeline coverage: {define('pipeline_coverage', defaults)} Period: the quota year."
    )
    download_csv(territories, "territories.csv", key="territory.download_territories")


def reps_section() -> None:
    """Each rep's share of their territory's load."""
    st.subheader("Reps")
    st.caption(
        "Each rep carries their territory's accounts in proportion to the open deals they hold "
        "on them (their own pipeline); accounts without open deals are split by capacity. The "
        "flag is the rep's own utilisation."
    )
    show_table(
        report.reps,
        key="territory.reps",
        currency=defaults.currency,
        columns=columns,
        order=ui.REP_COLUMNS,
        hide=no_potential,
        highlight=("flag", FLAG_COLOURS),
    )
    download_csv(report.reps, "territory_reps.csv", key="territory.download_reps")


def potential_section() -> None:
    """Potential per selling hour, per territory."""
    st.subheader("Potential per selling hour")
    if gap := potential_chart_gap(territories):
        st.info(gap)
    else:
        draw_chart(potential_per_hour_chart(territories, defaults.currency))
        st.caption(
            "The opportunity each selling hour has to work; swaps even it out within a segment."
        )


@st.fragment
def proposal_panel() -> None:
    """What-if moves and swaps: constraints in, before/after indexes and the lists out."""
    st.subheader("Rebalancing proposal")
    st.caption("A what-if preview: nothing is written to the database.")
    constraints = ui.proposal_controls(defaults, int(territories["accounts"].sum()))
    if constraints is None:
        return
    with database_guard():
        sources = (*source, (proposal_accounts, (filters.scope,)))
        proposal = cached_from(proposal_of, sources, config, constraints)
    ui.proposal_summary(proposal, defaults.balance_even_cv)
    ids = proposal_account_ids(proposal)
    with database_guard():
        details = cached_call(Repository.account_details, ids, data.bookings)
    moves = describe_moves(proposal.moves, territories, details)
    show_table(moves, key="territory.moves", currency=defaults.currency, columns=columns,
               hide=no_potential)  # fmt: skip
    download_csv(moves, "territory_moves.csv", key="territory.download_moves", label="Moves CSV")
    if len(proposal.swaps):
        swaps = describe_swaps(proposal.swaps, territories, details)
        show_table(swaps, key="territory.swaps", currency=defaults.currency, columns=columns,
                   hide=no_potential)  # fmt: skip
        download_csv(swaps, "territory_swaps.csv", key="territory.download_swaps",
                     label="Swaps CSV")  # fmt: skip
    with st.expander("Territories before and after"):
        compare = before_after(territories, proposal, config)
        show_table(compare, key="territory.before_after", currency=defaults.currency,
                   columns=columns, highlight=("flag_after", FLAG_COLOURS),
                   hide=no_potential)  # fmt: skip


# Below the utilisation chart, one section at a time: only the open tab is drawn (issue 21).
lazy_tabs(
    {
        "Territories": territories_section,
        "Reps": reps_section,
        "Potential per selling hour": potential_section,
        "Rebalancing proposal": proposal_panel,
    },
    key="territory.tabs",
)
st.subheader("Quotas and hires")
page_link(
    "pages/plan.py",
    "Plan: quotas calibrated to attainment, and the hires the target needs",
    ":material/flag:",
)
