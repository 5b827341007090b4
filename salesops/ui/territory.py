"""Territory balance page parts: assumptions and proposal controls, tiles, tables, the headline.

The charts are in salesops.charts.territory; the Overview's `territory_headline` is here too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salesops.capacity.model import CapacityModel
from salesops.capacity.workload import AccountHours
from salesops.config import Settings
from salesops.definitions import define
from salesops.formatting import EM_DASH, format_value
from salesops.tables import Col
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
    BalanceIndex,
    balance_words,
    uncovered_potential,
)
from salesops.territory.mismatch import TerritoryMismatch
from salesops.territory.rebalance import Constraints, Proposal
from salesops.ui.figure_table import Tile, draw_figures
from salesops.ui.filters import Filters
from salesops.ui.lazy import kept_choices
from salesops.ui.markdown import md

QUOTA_COLOURS = {"over-assigned": "#d62728", "under-assigned": "#1f77b4", "inactive": "#7f7f7f"}
PEERS = {"segment": "its segment", "team": "the whole team"}


def prefetch_territory_headline(filters: Filters) -> None:
    """Starts reading the Overview's territory data (salesops.ui.cache.prefetch)."""
    from salesops.territory.report import territory_data
    from salesops.ui.cache import prefetch

    prefetch(territory_data, filters.scope, filters.period.end)


def territory_headline(filters: Filters) -> None:
    """Draws the Overview's territory tiles: load balance and over/under-loaded counts."""
    from salesops.territory.report import build_report, territory_data
    from salesops.ui.cache import cached_call, cached_from, settings
    from salesops.ui.figure_table import toned
    from salesops.ui.nav import page_link

    data = cached_call(territory_data, filters.scope, filters.period.end)
    if data.is_empty:
        st.caption("No territories or accounts yet.")
        return
    report = cached_from(build_report, ((territory_data, (filters.scope, filters.period.end)),))
    flags = report.territories["flag"].value_counts()
    config = settings()
    over, under = int(flags.get(FLAG_OVER, 0)), int(flags.get(FLAG_UNDER, 0))
    sentence, tone = balance_words(
        report.balance.cv, over, under, config.balance_even_cv, config.balance_uneven_cv
    )
    tiles = [
        Tile(
            "Balance index",
            EM_DASH if report.balance.cv is None else f"{report.balance.cv:.2f}",
            help="Spread of utilisation across territories (coefficient of variation): 0 = "
            f"every territory equally loaded; above {config.balance_uneven_cv:.2f} is uneven. "
            + (report.balance.reason or ""),
        ),
        Tile("Over-loaded territories", str(over), help=define("utilisation")),
        Tile("Under-loaded territories", str(under)),
        Tile("Uncovered territories", str(int(flags.get(FLAG_UNCOVERED, 0)))),
    ]
    draw_figures(tiles, toned(sentence, tone))
    mismatch_warning(report.mismatch)
    page_link(
        "pages/territory.py",
        "Territory balance: utilisation, account moves and swaps",
        ":material/map:",
    )


TERRITORY_COLUMNS = [
    "territory", "flag", "utilisation", "segment", "region", "accounts", "reps",
    "workload_hours", "capacity_hours", "potential", "potential_per_capacity_hour",
    "pph_vs_peers", "bookings_12m", "penetration", "potential_per_rep", "pipeline_in_year",
    "quota", "won_in_year", "pipeline_coverage",
]  # fmt: skip
# the territories table's columns as text: the load, its flag, and what it is measured from
TERRITORY_BRIEF = [
    "territory", "flag", "utilisation", "segment", "accounts", "workload_hours",
    "capacity_hours", "pipeline_coverage",
]  # fmt: skip
REP_COLUMNS = [
    "rep", "flag", "utilisation", "territory", "ramp", "selling_share", "share_source",
    "capacity_hours", "accounts", "pipeline_accounts", "workload_hours", "potential",
    "bookings_12m", "open_pipeline", "pipeline_in_year", "annual_quota", "pipeline_coverage",
]  # fmt: skip


def column_config(currency: str, settings: Settings | None = None) -> dict[str, Col]:
    """Returns the column labels, kinds and definitions of every territory table."""
    del currency  # money columns carry Settings.currency through the formatting layer
    chosen = settings or Settings()
    return {
        "territory": Col("Territory"), "rep": Col("Rep"), "flag": Col("Flag"),
        "segment": Col("Segment"), "region": Col("Region"), "reps": Col("Reps", "count"),
        "share_source": Col("Selling share from"),
        "potential": Col("Potential", "money"),
        "bookings_12m": Col("Bookings (12 months)", "money"),
        "open_pipeline": Col("Open pipeline", "money"),
        "pipeline_in_year": Col("Pipeline in the quota year", "money"),
        "quota": Col("Quota", "money"),
        "annual_quota": Col("Quota", "money"),
        "won_in_year": Col("Won in the quota year", "money"),
        "potential_per_rep": Col("Potential per rep", "money"),
        "potential_per_capacity_hour": Col("Potential per selling hour", "money"),
        "pph_vs_peers": Col("Potential per hour vs peers", "ratio", signed=True),
        "penetration": Col("Penetration", "ratio"),
        "utilisation": Col("Utilisation", "ratio", help=define("utilisation", chosen)),
        "selling_share": Col("Selling share", "ratio"),
        "pipeline_coverage": Col("Pipeline coverage", "x",
                                 help=define("pipeline_coverage", chosen)),  # fmt: skip
        "capacity_hours": Col("Capacity (selling hours)", "hours", decimals=0,
                              help=define("capacity", chosen)),  # fmt: skip
        "workload_hours": Col("Workload (hours)", "hours", decimals=0),
        "accounts": Col("Accounts", "number", decimals=0),
        "pipeline_accounts": Col("Accounts via own deals", "number", decimals=0),
        "ramp": Col("Ramp", "ratio", decimals=0),
        "cv_after": Col("Balance index after", "number", decimals=3),
        "utilisation_before": Col("Utilisation before", "ratio"),
        "utilisation_after": Col("Utilisation after", "ratio"),
        "pph_before": Col("Potential per hour before", "money"),
        "pph_after": Col("Potential per hour after", "money"),
        "flag_before": Col("Flag before"), "flag_after": Col("Flag after"),
        "account": Col("Account"), "external_id": Col("CRM id"),
        "current_owner": Col("Current owner"),
        "from_territory": Col("From"), "to_territory": Col("To"),
        "partner_account": Col("Swapped for"), "partner_owner": Col("Its owner"),
        "partner_open_pipeline": Col("Its open pipeline", "money"),
        "partner_potential": Col("Its potential", "money"),
        "partner_territory": Col("Its territory"),
    }  # fmt: skip


def _index(value: float | None) -> str:
    """Returns a balance index to three decimals, or a dash when undefined."""
    return EM_DASH if value is None else f"{value:.3f}"


def _percent(fraction: float) -> int:
    """Returns a fraction as whole percent (a slider's value)."""
    return round(fraction * 100)


ASSUMPTIONS_OPEN = "territory.assumptions_open"  # the lazy expander holding the widgets
CHOSEN = "territory.assumptions"  # what its widgets last said, kept while they are not drawn


def assumptions(defaults: Settings, hours: AccountHours) -> TerritorySettings:
    """Draws the assumptions expander (utilisation band, peers, account hours); returns them.

    Its widgets are drawn only once it is opened (issue 21: a slider, a radio and three
    number inputs, closed, still cost a cold new tab their scripts and drawing); what they
    last said is kept in the session, so the page computes with it while they are not drawn.
    """
    start: dict = {
        "band": (_percent(defaults.utilisation_under), _percent(defaults.utilisation_over)),
        "peer": defaults.peer_group,
        "hours": {},  # segment -> hours per account typed in (0: measured from time logs)
    }
    chosen = kept_choices(
        "Assumptions", ASSUMPTIONS_OPEN, CHOSEN, start,
        lambda choices: _assumption_widgets(choices, hours), icon=":material/tune:",
    )  # fmt: skip
    under, over = chosen["band"]
    stated = {segment: value for segment, value in chosen["hours"].items() if value > 0}
    return TerritorySettings.from_settings(
        defaults,
        account_hours=TerritorySettings.hours({**dict(defaults.account_hours), **stated}),
        under=under / 100,
        over=over / 100,
        peer=chosen["peer"],
    )


def _assumption_widgets(chosen: dict, hours: AccountHours) -> dict:
    """Draws the band, the peers and each segment's account hours from `chosen`; returns theirs."""
    left, right = st.columns(2)
    band = left.slider(
        "Balanced utilisation band",
        0,
        200,
        chosen["band"],
        step=5,
        format="%d%%",
        key="territory.band",
        help="Below the band: under-loaded; above it: over-loaded.",
    )
    peer = right.radio(
        "Compare potential per selling hour with",
        list(PEERS),
        index=list(PEERS).index(chosen["peer"]),
        horizontal=True,
        key="territory.peer",
        format_func=PEERS.get,
        help="Enterprise hours carry more potential than SMB hours by design; comparing "
        "within a segment keeps that mix out of the potential balance.",
    )
    st.caption(
        "Hours an account needs per year (0 = measured from time logs: "
        + hours.describe().split(": ", 1)[1]
        + ")"
    )
    rows = hours.frame()
    typed = {}
    for column, row in zip(st.columns(max(len(rows), 1)), rows.itertuples(), strict=False):
        shown = 0.0 if row.source != "stated" else float(row.hours)
        typed[row.segment] = column.number_input(
            f"{row.segment}", 0.0, 2000.0, chosen["hours"].get(row.segment, shown),
            key=f"territory.hours.{row.segment}",
        )  # fmt: skip
    return {"band": tuple(band), "peer": peer, "hours": typed}


def mismatch_warning(mismatch: TerritoryMismatch | None) -> None:
    """Draws the warning that account and rep territories do not meet (nothing when they do)."""
    if mismatch is not None:
        st.warning(mismatch.sentence(name=md), icon=":material/rule:")


def capacity_caption(model: CapacityModel) -> None:
    """Draws the capacity definition with the numbers in use (the same on every page)."""
    st.caption(model.describe())


def balance_tiles(
    metrics: pd.DataFrame, balance: BalanceIndex, model: CapacityModel, currency: str
) -> None:
    """Draws the load balance, over/under-loaded counts, selling share, ramp, uncovered.

    The five figures are one Markdown table (salesops.ui.figure_table), not five st.metric
    tiles: issue 21, a cold new tab draws the page sooner.
    """
    flags = metrics["flag"].value_counts()
    share = model.team_selling_share
    tiles = [
        Tile(
            "Load balance",
            EM_DASH if balance.cv is None else f"{balance.cv:.2f}",
            help="Coefficient of variation (CV) of utilisation across territories; 0 = balanced.",
        ),
        Tile(
            "Over-loaded",
            str(int(flags.get(FLAG_OVER, 0))),
            help="Utilisation above the band: more accounts than the selling hours can cover "
            "(opportunity left on the table).",
        ),
        Tile(
            "Under-loaded",
            str(int(flags.get(FLAG_UNDER, 0))),
            help="Utilisation below the band: selling hours spent on too few accounts.",
        ),
        Tile(
            "Selling share", format_value(share.value or 0.0, "ratio"), help=model.shares.describe()
        ),
        Tile(
            "Ramp",
            f"{model.ramp.months_to_ramp} mo",
            help=f"Months a new rep takes to ramp. {model.ramp.describe()}",
        ),
    ]
    draw_figures(tiles)
    uncovered = uncovered_potential(metrics)
    if uncovered > 0:
        st.warning(
            f"{format_value(uncovered, 'money', currency)} of potential sits in "
            f"{int(flags.get(FLAG_UNCOVERED, 0))} territories with accounts but no capacity.",
            icon=":material/person_off:",
        )
    if balance.reason:
        st.caption(f"Load balance: {balance.reason}.")


def proposal_controls(defaults: Settings, accounts: int) -> Constraints | None:
    """Draws the proposal's constraints and its on/off toggle; returns them, None when off.

    Above Settings `rebalance_auto_accounts` accounts the toggle starts off (a proposal reads
    every account).
    """
    c = st.columns(6)
    same_segment = c[0].checkbox(
        "Same segment", defaults.rebalance_same_segment, key="territory.same_segment",
        help="Move accounts only to territories of their own segment.",
    )  # fmt: skip
    same_region = c[1].checkbox(
        "Same region", defaults.rebalance_same_region, key="territory.same_region",
        help="Move accounts only between territories of their own region.",
    )  # fmt: skip
    max_moves = c[2].number_input(
        "Max moves", 0, 5000, defaults.rebalance_max_moves, key="territory.max_moves"
    )
    max_swaps = c[3].number_input(
        "Max swaps", 0, 1000, defaults.rebalance_max_swaps, key="territory.max_swaps"
    )
    max_share = c[4].slider(
        "Max share of accounts moved",
        0,
        50,
        _percent(defaults.rebalance_page_max_share),
        format="%d%%",
        key="territory.max_share",
    )
    keep = c[5].number_input(
        "Keep each territory's largest N",
        0,
        1000,
        defaults.rebalance_keep_largest,
        key="territory.keep",
    )
    large = accounts > defaults.rebalance_auto_accounts
    if not st.toggle("Propose moves and swaps", not large, key="territory.propose"):
        st.caption("Reads every account and searches for moves (a few seconds at 100k accounts).")
        return None
    return Constraints.from_settings(
        defaults,
        same_region=same_region,
        same_segment=same_segment,
        max_moves=int(max_moves),
        max_swaps=int(max_swaps),
        max_share=max_share / 100,
        keep_largest=int(keep),
    )


def _delta(before: float | None, after: float | None) -> str | None:
    """Returns the signed change of an index, None when undefined or unchanged."""
    if before is None or after is None or abs(after - before) < 5e-4:
        return None
    return f"{after - before:+.3f}"


def proposal_summary(proposal: Proposal, even: float) -> None:
    """Draws the proposal's status, the nearest feasible one, and the indexes before and after.

    `even` is Settings.balance_even_cv: at or below it the workload already reads even, and
    moves that lower the index further are said to be fine-tuning.
    """
    if proposal.status == "infeasible":
        st.warning(f"Infeasible: {md(proposal.message, limit=400)}", icon=":material/block:")
        if proposal.nearest is not None:
            st.info(md(proposal.nearest.sentence(), limit=400), icon=":material/lightbulb:")
    elif proposal.status == "no_improvement":
        st.info(md(proposal.message, limit=400))
    else:
        st.success(md(proposal.message, limit=400))
    m = st.columns(4)
    for column, label, before, after in (
        (m[0], "Load balance", proposal.before.cv, proposal.after.cv),
        (m[1], "Potential balance", proposal.potential_before.cv, proposal.potential_after.cv),
    ):
        column.metric(
            f"{label} after",
            _index(after),
            delta=_delta(before, after),
            delta_color="inverse",
            border=True,
            help=f"After the proposal; before it: {_index(before)}. CV of utilisation (load) "
            "or of potential per selling hour vs peers (potential); 0 = balanced.",
        )
    m[2].metric("Moves", len(proposal.moves), border=True)
    m[3].metric("Swaps", len(proposal.swaps), border=True)
    load = f"load balance {_index(proposal.before.cv)}"
    if proposal.before.cv is not None and proposal.before.cv <= even and len(proposal.moves):
        load += f" (already even: at or below {even:.2f}, so these moves are fine-tuning)"
    st.caption(
        f"Before the proposal: {load}, potential balance {_index(proposal.potential_before.cv)}."
    )
