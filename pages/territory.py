"""Territory balance: potential vs capacity, imbalance flags, account moves and fair quotas."""

from __future__ import annotations

import streamlit as st

from salesops.charts.territory import FLAG_COLOURS, potential_vs_capacity, workload_bars
from salesops.repository import Repository
from salesops.territory.balance import team_balance
from salesops.territory.metrics import rep_metrics, territory_metrics
from salesops.territory.presentation import before_after, current_team_target, describe_moves
from salesops.territory.quotas import QuotaWeights, suggest_quotas
from salesops.territory.rebalance import propose_moves
from salesops.territory.report import proposal_accounts, territory_data
from salesops.ui import territory as ui
from salesops.ui.cache import cached_call, settings
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard, empty_state
from salesops.ui.tables import show_table

ensure_navigation()
st.title("Territory balance")
with database_guard():
    filters = page_filters(uses=("period", "territory", "segment"))
    data = cached_call(territory_data, filters.scope, filters.period.end)
if data.is_empty:
    empty_state("No territories or accounts yet")
st.caption(
    f"As of {data.as_of:%d %b %Y} (end of the chosen period): bookings "
    f"{data.bookings.start:%d %b %Y} – {data.bookings.end:%d %b %Y}; quotas for the 12 months "
    f"from {data.quota_year.start:%b %Y}. Territory and segment filters apply; team and rep "
    "filters do not."
)
defaults = settings()
columns = ui.column_config(defaults.currency)
config = ui.assumptions(defaults)
territories = territory_metrics(data.accounts, data.reps, data.territories, data.as_of, config)
reps = rep_metrics(data.accounts, data.reps, data.territories, data.as_of, config)
ui.balance_tiles(territories, team_balance(territories), defaults.currency)

st.subheader("Potential vs capacity")
st.altair_chart(potential_vs_capacity(territories, config, defaults.currency))
st.caption("Dashed line: balanced (peer median potential per hour); grey band: ± threshold.")
st.subheader("Workload vs capacity")
st.altair_chart(workload_bars(territories))
st.caption("Workload = accounts × yearly coverage hours of their segment.")

st.subheader("Territories")
show_table(
    territories,
    key="territory.territories",
    currency=defaults.currency,
    columns=columns,
    order=ui.TERRITORY_COLUMNS,
    highlight=("flag", FLAG_COLOURS),
)
download_csv(territories, "territories.csv", key="territory.download_territories")

st.subheader("Reps")
st.caption("A territory's accounts and potential are split among its reps by capacity.")
show_table(
    reps,
    key="territory.reps",
    currency=defaults.currency,
    columns=columns,
    order=ui.REP_COLUMNS,
    highlight=("flag", FLAG_COLOURS),
)
download_csv(reps, "territory_reps.csv", key="territory.download_reps")


@st.fragment
def proposal_panel() -> None:
    """What-if account moves: constraints in, before/after index and the move list out."""
    st.subheader("Rebalancing proposal")
    st.caption("A what-if preview: nothing is written to the database.")
    constraints = ui.proposal_controls(defaults, int(territories["accounts"].sum()))
    if constraints is None:
        return
    with database_guard():
        rows = cached_call(proposal_accounts, filters.scope)
    proposal = propose_moves(rows, territories, constraints)
    ui.proposal_summary(proposal)
    with database_guard():
        ids = tuple(int(i) for i in proposal.moves["account_id"])
        details = cached_call(Repository.account_details, ids, data.bookings)
    moves = describe_moves(proposal.moves, territories, details)
    show_table(moves, key="territory.moves", currency=defaults.currency, columns=columns)
    download_csv(moves, "territory_moves.csv", key="territory.download_moves", label="Moves CSV")
    with st.expander("Territories before and after the moves"):
        compare = before_after(territories, proposal, config)
        show_table(compare, key="territory.before_after", currency=defaults.currency,
                   columns=columns, highlight=("flag_after", FLAG_COLOURS))  # fmt: skip


@st.fragment
def quota_panel() -> None:
    """Goldilocks quotas: a team target in, a suggestion per rep beside the current quota out."""
    st.subheader("Quota suggestions")
    weights = QuotaWeights.from_settings(defaults)
    ramp = config.ramp_days
    current = current_team_target(suggest_quotas(reps, data.reps, None, data.as_of, weights, ramp))
    target = st.number_input(
        "Team target", 0.0, None, current, step=10_000.0, format="%.0f", key="territory.target"
    )
    st.caption(ui.quota_method(weights))
    quotas = suggest_quotas(reps, data.reps, target, data.as_of, weights, ramp)
    show_table(
        quotas,
        key="territory.quotas",
        currency=defaults.currency,
        columns=columns,
        order=ui.QUOTA_COLUMNS,
        highlight=("flag", ui.QUOTA_COLOURS),
    )
    download_csv(quotas, "quota_suggestions.csv", key="territory.download_quotas")


proposal_panel()
quota_panel()
