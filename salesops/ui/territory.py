"""Territory balance page parts: assumptions and proposal controls, tiles, tables, the headline.

The charts are in salesops.charts.territory; the Overview's `territory_headline` is here too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salesops.config import Settings
from salesops.formatting import EM_DASH, format_value
from salesops.tables import Col
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
    BalanceIndex,
    uncovered_potential,
)
from salesops.territory.quotas import QuotaWeights
from salesops.territory.rebalance import Constraints, Proposal
from salesops.ui.filters import Filters

QUOTA_COLOURS = {"over-assigned": "#d62728", "under-assigned": "#1f77b4", "inactive": "#7f7f7f"}
PEERS = {"segment": "its segment", "team": "the whole team"}


def territory_headline(filters: Filters) -> None:
    """Draws the Overview's territory tiles: balance index and over/under-loaded counts."""
    from salesops.territory.balance import team_balance
    from salesops.territory.metrics import territory_metrics
    from salesops.territory.report import territory_data
    from salesops.ui.cache import cached_call, settings
    from salesops.ui.nav import page_link

    data = cached_call(territory_data, filters.scope, filters.period.end)
    if data.is_empty:
        st.caption("No territories or accounts yet.")
        return
    config = TerritorySettings.from_settings(settings())
    metrics = territory_metrics(data.accounts, data.reps, data.territories, data.as_of, config)
    balance = team_balance(metrics)
    flags = metrics["flag"].value_counts()
    cols = st.columns(4)
    cols[0].metric(
        "Balance index (CV)",
        "—" if balance.cv is None else f"{balance.cv:.2f}",
        help="Spread of potential per capacity hour relative to peers; 0 = balanced. "
        + (balance.reason or ""),
    )
    cols[1].metric("Over-loaded territories", int(flags.get(FLAG_OVER, 0)))
    cols[2].metric("Under-loaded territories", int(flags.get(FLAG_UNDER, 0)))
    cols[3].metric("Uncovered territories", int(flags.get(FLAG_UNCOVERED, 0)))
    page_link(
        "pages/territory.py",
        "Territory balance: flags, account moves, fair quotas",
        ":material/map:",
    )


TERRITORY_COLUMNS = [
    "territory", "flag", "segment", "region", "accounts", "reps", "potential", "capacity_hours",
    "potential_per_capacity_hour", "peer_median", "deviation", "workload_hours", "utilisation",
    "bookings_12m", "penetration", "potential_per_rep", "open_pipeline", "quota",
    "pipeline_coverage", "potential_per_capacity_hour_reason", "utilisation_reason",
    "penetration_reason", "potential_per_rep_reason", "pipeline_coverage_reason",
]  # fmt: skip
REP_COLUMNS = [
    "rep", "flag", "territory", "active", "ramp", "capacity_hours", "accounts", "potential",
    "potential_per_capacity_hour", "deviation", "workload_hours", "utilisation", "bookings_12m",
    "penetration", "open_pipeline", "annual_quota", "pipeline_coverage",
    "potential_per_capacity_hour_reason", "utilisation_reason", "pipeline_coverage_reason",
]  # fmt: skip
QUOTA_COLUMNS = [
    "rep", "flag", "territory", "current_quota", "suggested_quota", "difference",
    "difference_ratio", "potential_share", "history_share", "year_ramp", "reason",
]  # fmt: skip


def column_config(currency: str) -> dict[str, Col]:
    """Returns the column labels and kinds of every territory table (salesops.ui.tables)."""
    del currency  # money columns carry Settings.currency through the formatting layer
    return {
        "potential": Col("Potential", "money"),
        "bookings_12m": Col("Bookings (12 months)", "money"),
        "open_pipeline": Col("Open pipeline", "money"),
        "quota": Col("Quota", "money"),
        "annual_quota": Col("Quota", "money"),
        "potential_per_rep": Col("Potential per rep", "money"),
        "potential_per_capacity_hour": Col("Potential per hour", "money"),
        "peer_median": Col("Peer median per hour", "money"),
        "deviation": Col("vs peers", "ratio", signed=True),
        "penetration": Col("Penetration", "ratio"),
        "utilisation": Col("Utilisation", "ratio"),
        "pipeline_coverage": Col("Pipeline cover", "x"),
        "capacity_hours": Col("Capacity (hours)", "hours", decimals=0),
        "workload_hours": Col("Workload (hours)", "hours", decimals=0),
        "accounts": Col("Accounts", "number", decimals=1),
        "reps": Col("Reps", "count"),
        "active": Col("Active", "bool"),
        "ramp": Col("Ramp", "ratio", decimals=0),
        "flag": Col("Flag"),
        "flag_after": Col("Flag after"),
        "flag_before": Col("Flag before"),
        "suggested_quota": Col("Suggested quota", "money"),
        "current_quota": Col("Current quota", "money"),
        "difference": Col("Current − suggested", "money_change"),
        "difference_ratio": Col("Difference", "ratio", signed=True),
        "potential_share": Col("Potential share", "ratio"),
        "history_share": Col("Bookings share", "ratio"),
        "year_ramp": Col("Ramp over the year", "ratio"),
        "cv_after": Col("Balance index after the move", "number", decimals=3),
        "potential_before": Col("Potential before", "money"),
        "potential_after": Col("Potential after", "money"),
        "pph_before": Col("Per hour before", "money"),
        "pph_after": Col("Per hour after", "money"),
        "from_territory": Col("From"),
        "to_territory": Col("To"),
    }


def _index(value: float | None) -> str:
    """Returns a balance index to three decimals, or a dash when undefined."""
    return EM_DASH if value is None else f"{value:.3f}"


def _percent(fraction: float) -> int:
    """Returns a fraction as whole percent (a slider's value)."""
    return round(fraction * 100)


def assumptions(defaults: Settings) -> TerritorySettings:
    """Draws the assumptions expander (threshold, peers, weeks, coverage hours); returns them."""
    with st.expander("Assumptions", icon=":material/tune:"):
        left, mid, right = st.columns(3)
        threshold = left.slider(
            "Flag beyond ± of the peer median (potential per capacity hour)",
            5,
            100,
            _percent(defaults.flag_threshold),
            step=5,
            format="%d%%",
            key="territory.threshold",
        )
        peer = mid.radio(
            "Compare each territory with",
            list(PEERS),
            index=list(PEERS).index(defaults.peer_group),
            horizontal=True,
            key="territory.peer",
            format_func=PEERS.get,
            help="Enterprise hours carry more potential than SMB hours by design; comparing "
            "within a segment keeps that mix out of the flags and the balance index.",
        )
        weeks = right.number_input(
            "Working weeks per year",
            30.0,
            52.0,
            float(defaults.working_weeks_per_year),
            step=1.0,
            format="%g",
            key="territory.weeks",
        )
        hours = {
            segment: column.number_input(
                f"Coverage hours per {segment} account / year",
                0.0,
                500.0,
                float(value),
                key=f"territory.coverage.{segment}",
            )
            for column, (segment, value) in zip(
                st.columns(len(defaults.coverage_hours)), defaults.coverage_hours, strict=True
            )
        }
    return TerritorySettings.from_settings(
        defaults,
        coverage_hours=TerritorySettings.coverage(hours),
        threshold=threshold / 100,
        peer=peer,
        working_weeks_per_year=float(weeks),
    )


def balance_tiles(metrics: pd.DataFrame, balance: BalanceIndex, currency: str) -> None:
    """Draws the balance index, Gini, over/under-loaded counts and uncovered potential."""
    flags = metrics["flag"].value_counts()
    tiles = st.columns(5)
    tiles[0].metric(
        "Balance index (CV)",
        EM_DASH if balance.cv is None else f"{balance.cv:.2f}",
        help="Coefficient of variation of potential per capacity hour (relative to peers); "
        "0 = perfectly balanced.",
        border=True,
    )
    tiles[1].metric("Gini", EM_DASH if balance.gini is None else f"{balance.gini:.2f}", border=True)
    tiles[2].metric(
        "Over-loaded",
        int(flags.get(FLAG_OVER, 0)),
        help="More potential than the territory's hours can work: opportunity left on the table.",
        border=True,
    )
    tiles[3].metric(
        "Under-loaded",
        int(flags.get(FLAG_UNDER, 0)),
        help="Selling hours spent on too little potential.",
        border=True,
    )
    tiles[4].metric(
        "Uncovered potential",
        format_value(uncovered_potential(metrics), "money", currency),
        help=f"{int(flags.get(FLAG_UNCOVERED, 0))} territories with accounts but no capacity.",
        border=True,
    )
    if balance.reason:
        st.caption(f"Balance index: {balance.reason}.")


def proposal_controls(defaults: Settings, accounts: int) -> Constraints | None:
    """Draws the proposal's constraints and its on/off toggle; returns them, None when off.

    Above Settings `rebalance_auto_accounts` accounts the toggle starts off (a proposal reads
    every account).
    """
    c = st.columns(5)
    same_segment = c[0].checkbox(
        "Same segment only", defaults.rebalance_same_segment, key="territory.same_segment"
    )
    same_region = c[1].checkbox(
        "Same region only", defaults.rebalance_same_region, key="territory.same_region"
    )
    max_moves = c[2].number_input(
        "Max moves", 0, 5000, defaults.rebalance_max_moves, key="territory.max_moves"
    )
    max_share = c[3].slider(
        "Max share of accounts moved",
        0,
        50,
        _percent(defaults.rebalance_page_max_share),
        format="%d%%",
        key="territory.max_share",
    )
    keep = c[4].number_input(
        "Keep each territory's largest N",
        0,
        1000,
        defaults.rebalance_keep_largest,
        key="territory.keep",
    )
    large = accounts > defaults.rebalance_auto_accounts
    if not st.toggle("Propose moves", not large, key="territory.propose"):
        st.caption("Reads every account and searches for moves (a few seconds at 100k accounts).")
        return None
    return Constraints.from_settings(
        defaults,
        same_region=same_region,
        same_segment=same_segment,
        max_moves=int(max_moves),
        max_share=max_share / 100,
        keep_largest=int(keep),
    )


def proposal_summary(proposal: Proposal) -> None:
    """Draws the proposal's status and the balance index before and after the moves."""
    text = f"{proposal.status}: {proposal.message}"
    if proposal.binding:
        st.warning(f"{text} Binding constraint: {proposal.binding}.")
    else:
        st.info(text)
    m = st.columns(3)
    for column, label, before, after in (
        (m[0], "CV", proposal.before.cv, proposal.after.cv),
        (m[1], "Gini", proposal.before.gini, proposal.after.gini),
    ):
        column.metric(
            f"{label} after (before {_index(before)})",
            _index(after),
            delta=None if before is None or after is None else f"{after - before:+.3f}",
            delta_color="inverse",
            border=True,
        )
    m[2].metric("Moves", len(proposal.moves), border=True)


def quota_method(weights: QuotaWeights) -> str:
    """Returns the sentence saying how quota suggestions are made, with the weights in use."""
    return (
        f"Each rep: {_percent(weights.potential_weight)} % share of team potential + "
        f"{_percent(weights.history_weight)} % share of bookings (potential only with under "
        f"{weights.full_history_days} days of history), × average ramp over the year, scaled "
        "so the suggestions add up to the target. Flagged when the current quota is more than "
        f"{_percent(weights.tolerance)} % off."
    )
