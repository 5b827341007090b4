"""Territory balance drawing helpers: charts, flag highlighting and the Overview headline."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from salesops.formatting import EM_DASH, format_value
from salesops.territory import (
    DEFAULT_COVERAGE_HOURS,
    FLAG_BALANCED,
    FLAG_EMPTY,
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
    BalanceIndex,
    Proposal,
    TerritorySettings,
    balanced_lines,
    uncovered_potential,
    workload_long,
)
from salesops.ui.filters import Filters

FLAG_COLOURS = {
    FLAG_OVER: "#d62728",
    FLAG_UNDER: "#1f77b4",
    FLAG_BALANCED: "#2ca02c",
    FLAG_UNCOVERED: "#ff7f0e",
    FLAG_EMPTY: "#7f7f7f",
    "no capacity": "#7f7f7f",
}
# Above this many accounts the proposal waits for the user to ask (it reads every account).
AUTO_PROPOSAL_ACCOUNTS = 20_000
QUOTA_COLOURS = {"over-assigned": "#d62728", "under-assigned": "#1f77b4", "inactive": "#7f7f7f"}
_SCALE = alt.Scale(domain=list(FLAG_COLOURS), range=list(FLAG_COLOURS.values()))


def potential_vs_capacity(metrics: pd.DataFrame, settings: TerritorySettings) -> alt.FacetChart:
    """Returns potential against capacity hours, one panel per peer group, with its balanced line.

    Points above the shaded band are over-loaded, below it under-loaded. One dataset (points
    and line ends, told apart by `kind`) keeps the spec small and fast to serialise.
    """
    cols = ["territory", "segment", "potential", "capacity_hours", "potential_per_capacity_hour",
            "deviation", "flag"]  # fmt: skip
    points = metrics.loc[metrics["capacity_hours"] > 0, cols].copy()
    for col in ("potential_per_capacity_hour", "deviation"):
        points[col] = points[col].astype("float64")
    if settings.peer == "segment":
        points["peer"] = points["segment"].fillna("(no segment)")
    else:
        points["peer"] = "team"
    points["kind"] = "point"
    lines = balanced_lines(metrics, settings).assign(kind="line")
    data = pd.concat([points, lines], ignore_index=True)
    x = alt.X("capacity_hours:Q", title="Capacity hours / year")
    band = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "line")
        .mark_area(opacity=0.12, color="gray")
        .encode(x=x, y="low:Q", y2="high:Q")
    )
    line = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "line")
        .mark_line(strokeDash=[5, 4], color="gray")
        .encode(x=x, y="balanced:Q")
    )
    dots = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "point")
        .mark_circle(size=140, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("potential:Q", title="Annual potential", axis=alt.Axis(format="$,.2s")),
            color=alt.Color("flag:N", scale=_SCALE, title="Flag"),
            tooltip=[
                "territory:N",
                "segment:N",
                alt.Tooltip("potential:Q", format="$,.0f"),
                alt.Tooltip("capacity_hours:Q", format=",.0f"),
                alt.Tooltip("potential_per_capacity_hour:Q", format="$,.0f", title="per hour"),
                alt.Tooltip("deviation:Q", format="+.0%", title="vs peers"),
                "flag:N",
            ],
        )
    )
    return (
        alt.layer(band, line, dots, data=data)
        .properties(height=300, width=230)
        .facet(column=alt.Column("peer:N", title=None))
        .resolve_scale(x="independent", y="independent")
        .configure_legend(orient="bottom", direction="horizontal")
    )


def workload_bars(metrics: pd.DataFrame) -> alt.Chart:
    """Returns grouped bars of workload hours and capacity hours per territory."""
    long = workload_long(metrics[["territory", "flag", "workload_hours", "capacity_hours"]])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("territory:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            yOffset="measure:N",
            x=alt.X("hours:Q", title="Hours per year"),
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=["workload", "capacity"], range=["#9467bd", "#bcbd22"]),
                title=None,
            ),
            tooltip=["territory:N", "measure:N", alt.Tooltip("hours:Q", format=",.0f"), "flag:N"],
        )
        .properties(height=max(160, 34 * len(metrics)))
    )


def highlight(
    frame: pd.DataFrame, column: str, colours: dict[str, str]
) -> pd.io.formats.style.Styler:
    """Returns a Styler colouring `column` by its value (flags), the rest untouched."""

    def colour(value: object) -> str:
        c = colours.get(str(value))
        return f"background-color: {c}; color: white" if c else ""

    return frame.style.map(colour, subset=[column])


def territory_headline(filters: Filters) -> None:
    """Draws the Overview's territory tiles: balance index and over/under-loaded counts."""
    from salesops.territory import team_balance, territory_metrics
    from salesops.territory_report import territory_data
    from salesops.ui.cache import cached_call
    from salesops.ui.nav import page_link

    data = cached_call(territory_data, filters.scope, filters.period.end)
    if data.is_empty:
        st.caption("No territories or accounts yet.")
        return
    metrics = territory_metrics(data.accounts, data.reps, data.territories, data.as_of)
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


def _money(label: str) -> object:
    return st.column_config.NumberColumn(f"{label} ($)", format="compact")


def _ratio(label: str) -> object:
    return st.column_config.NumberColumn(label, format="percent")


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

COLUMN_CONFIG = {
    "potential": _money("Potential"),
    "bookings_12m": _money("Bookings 12m"),
    "open_pipeline": _money("Open pipeline"),
    "quota": _money("Quota"),
    "annual_quota": _money("Quota"),
    "potential_per_rep": _money("Per rep"),
    "potential_per_capacity_hour": _money("Per hour"),
    "peer_median": _money("Peer median/h"),
    "deviation": _ratio("vs peers"),
    "penetration": _ratio("Penetration"),
    "utilisation": _ratio("Utilisation"),
    "pipeline_coverage": st.column_config.NumberColumn("Pipeline cover", format="%.2fx"),
    "capacity_hours": st.column_config.NumberColumn("Capacity h", format="%.0f"),
    "workload_hours": st.column_config.NumberColumn("Workload h", format="%.0f"),
    "accounts": st.column_config.NumberColumn("Accounts", format="%.4g"),
    "ramp": _ratio("Ramp"),
    "suggested_quota": _money("Suggested quota"),
    "current_quota": _money("Current quota"),
    "difference": _money("Current − suggested"),
    "difference_ratio": _ratio("Difference"),
    "potential_share": _ratio("Potential share"),
    "history_share": _ratio("Bookings share"),
    "year_ramp": _ratio("Ramp over the year"),
    "cv_after": st.column_config.NumberColumn("CV after move", format="%.4f"),
    "potential_before": _money("Potential before"),
    "potential_after": _money("Potential after"),
    "pph_before": _money("Per hour before"),
    "pph_after": _money("Per hour after"),
}


def _index(value: float | None) -> str:
    return EM_DASH if value is None else f"{value:.3f}"


def assumptions() -> TerritorySettings:
    """Draws the assumptions expander (threshold, peers, weeks, coverage hours); returns them."""
    with st.expander("Assumptions", icon=":material/tune:"):
        left, mid, right = st.columns(3)
        threshold = left.slider(
            "Flag beyond ± of the peer median (potential per capacity hour)",
            5,
            100,
            25,
            step=5,
            format="%d%%",
            key="territory.threshold",
        )
        peer = mid.radio(
            "Compare each territory with",
            ["segment", "team"],
            horizontal=True,
            key="territory.peer",
            format_func={"segment": "its segment", "team": "the whole team"}.get,
            help="Enterprise hours carry more potential than SMB hours by design; comparing "
            "within a segment keeps that mix out of the flags and the balance index.",
        )
        weeks = right.number_input("Working weeks per year", 30, 52, 46, key="territory.weeks")
        hours = {
            segment: column.number_input(
                f"Coverage hours per {segment} account / year",
                0.0,
                500.0,
                value,
                key=f"territory.coverage.{segment}",
            )
            for column, (segment, value) in zip(
                st.columns(3), DEFAULT_COVERAGE_HOURS.items(), strict=True
            )
        }
    return TerritorySettings(
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
