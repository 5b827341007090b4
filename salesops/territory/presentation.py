"""Frames the Territory page draws (pure): balanced lines, workload bars, moves, before/after."""

from __future__ import annotations

import pandas as pd

from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import flag_territories
from salesops.territory.columns import ratio
from salesops.territory.rebalance import Proposal

_LINE_REACH = 1.1  # the balanced line runs a little past the largest capacity


def balanced_lines(metrics: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns the "balanced" line per peer group for a potential-vs-capacity chart.

    Requires columns capacity_hours, peer_median and segment. Returns a frame with columns
    peer, capacity_hours, balanced, low, high: two points per peer group (the team, or each
    segment) at 0 and 1.1 x its largest capacity, on potential = peer median PPH x capacity,
    with the +/- threshold band that separates over- and under-loaded territories.
    """
    rows = []
    covered = metrics[(metrics["capacity_hours"] > 0) & metrics["peer_median"].notna()]
    if settings.peer == "segment":
        keys = covered["segment"].fillna("(no segment)")
    else:
        keys = pd.Series("team", index=covered.index)
    threshold = settings.threshold
    for segment, grp in covered.groupby(keys):
        median = float(grp["peer_median"].astype("float64").iloc[0])
        top = float(grp["capacity_hours"].max()) * _LINE_REACH
        for cap in (0.0, top):
            rows.append(
                {
                    "peer": segment,
                    "capacity_hours": cap,
                    "balanced": median * cap,
                    "low": median * cap * (1 - threshold),
                    "high": median * cap * (1 + threshold),
                }
            )
    return pd.DataFrame(rows, columns=["peer", "capacity_hours", "balanced", "low", "high"])


def workload_long(metrics: pd.DataFrame) -> pd.DataFrame:
    """Returns workload and capacity hours per territory in long form for grouped bars.

    Requires columns territory, workload_hours, capacity_hours, flag. Returns a frame with
    columns territory, measure ("workload" or "capacity"), hours, flag.
    """
    long = metrics.melt(
        id_vars=["territory", "flag"],
        value_vars=["workload_hours", "capacity_hours"],
        var_name="measure",
        value_name="hours",
    )
    long["measure"] = long["measure"].str.replace("_hours", "", regex=False)
    return long[["territory", "measure", "hours", "flag"]]


def describe_moves(
    moves: pd.DataFrame, territories: pd.DataFrame, account_names: pd.DataFrame
) -> pd.DataFrame:
    """Returns the move list with account and territory names, ready to show or export.

    Requires columns: moves as in `Proposal.moves`; territories: territory_id, territory;
    account_names: id, name, external_id, optional bookings_12m. Returns a frame with columns
    account_id, external_id, account, potential, bookings_12m, from_territory, to_territory,
    cv_after.
    """
    names = territories.set_index("territory_id")["territory"]
    acc = account_names.set_index("id")
    bookings = acc["bookings_12m"] if "bookings_12m" in acc else pd.Series(dtype="float64")
    out = pd.DataFrame(
        {
            "account_id": moves["account_id"],
            "external_id": moves["account_id"].map(acc["external_id"]),
            "account": moves["account_id"].map(acc["name"]),
            "potential": moves["potential"],
            "bookings_12m": moves["account_id"].map(bookings).astype("float64"),
            "from_territory": moves["from_territory_id"].map(names),
            "to_territory": moves["to_territory_id"].map(names),
            "cv_after": moves["cv_after"],
        }
    )
    return out.reset_index(drop=True)


def current_team_target(quotas: pd.DataFrame) -> float:
    """Returns the sum of current quotas of the reps active in the quota year.

    Requires columns current_quota, flag (from `suggest_quotas`).
    """
    return float(quotas.loc[quotas["flag"] != "inactive", "current_quota"].sum())


def before_after(
    metrics: pd.DataFrame, proposal: Proposal, settings: TerritorySettings
) -> pd.DataFrame:
    """Returns each territory's potential, PPH and flag before and after the proposed moves.

    Requires columns of `territory_metrics` (territory_id, territory, segment, accounts,
    potential, capacity_hours, potential_per_capacity_hour, flag). Returns a frame with columns
    territory, potential_before, potential_after, pph_before, pph_after, flag_before, flag_after.
    """
    after = metrics.copy()
    moved = proposal.territories_after.set_index("territory_id")["potential"]
    after["potential"] = after["territory_id"].map(moved).fillna(after["potential"])
    after["potential_per_capacity_hour"] = ratio(after["potential"], after["capacity_hours"])
    after = flag_territories(after, settings)
    return pd.DataFrame(
        {
            "territory": metrics["territory"],
            "potential_before": metrics["potential"],
            "potential_after": after["potential"],
            "pph_before": metrics["potential_per_capacity_hour"],
            "pph_after": after["potential_per_capacity_hour"],
            "flag_before": metrics["flag"],
            "flag_after": after["flag"],
        }
    )
