"""Frames the Territory page draws (pure): utilisation bars, moves, swaps, before/after."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import flag_territories
from salesops.territory.columns import ratio
from salesops.territory.rebalance import Proposal


def utilisation_bars(metrics: pd.DataFrame) -> pd.DataFrame:
    """Returns territory, utilisation (float, NaN when undefined), flag and hours, sorted.

    Requires columns territory, utilisation, flag, workload_hours, capacity_hours. Rows are
    sorted by utilisation (highest first, undefined last), for a bar chart against the band.
    """
    out = metrics[["territory", "segment", "utilisation", "flag", "workload_hours",
                   "capacity_hours"]].copy()  # fmt: skip
    out["utilisation"] = pd.to_numeric(out["utilisation"], errors="coerce").astype("float64")
    return out.sort_values("utilisation", ascending=False, na_position="last", kind="stable")


# every column made of accounts' annual potential, in any territory table
POTENTIAL_COLUMNS = (
    "potential", "potential_per_capacity_hour", "pph_vs_peers", "penetration",
    "potential_per_rep", "partner_potential", "pph_before", "pph_after",
)  # fmt: skip


def columns_without_potential(metrics: pd.DataFrame) -> tuple[str, ...]:
    """Returns the potential columns to leave out of the tables: all when none is recorded.

    Missing potential sums as 0 (the balance and quota maths need a number), so a company
    whose accounts carry no annual potential would read "Potential $0" in every row; the
    tables then leave the columns out and `potential_chart_gap` says why. Requires column
    potential; returns () when any territory has a positive potential.
    """
    if (pd.to_numeric(metrics["potential"], errors="coerce") > 0).any():
        return ()
    return POTENTIAL_COLUMNS


def potential_chart_gap(metrics: pd.DataFrame) -> str | None:
    """Returns why potential per selling hour has nothing to chart, or None when it has.

    Requires columns potential, potential_per_capacity_hour. Nothing to chart: no territory
    has a positive potential per selling hour (no account has a potential, or no territory
    with potential has selling capacity).
    """
    pph = pd.to_numeric(metrics["potential_per_capacity_hour"], errors="coerce")
    if (pph > 0).any():
        return None
    if not (pd.to_numeric(metrics["potential"], errors="coerce") > 0).any():
        return (
            "No account has a potential recorded (annual potential): potential per selling "
            "hour is 0 in every territory, so there is nothing to compare. Import accounts "
            "with their annual potential to see where each selling hour has most to work."
        )
    return (
        "No territory with potential has selling capacity: potential per selling hour is "
        "undefined everywhere (see the uncovered territories above)."
    )


def describe_moves(
    moves: pd.DataFrame, territories: pd.DataFrame, details: pd.DataFrame
) -> pd.DataFrame:
    """Returns the move list with account, owner, pipeline and territory names, to show or export.

    Requires columns: moves as in `Proposal.moves`; territories: territory_id, territory;
    details: id, name, external_id, optional bookings_12m, owner, open_pipeline (see
    `Repository.account_details`). Returns a frame with columns account_id, external_id,
    account, current_owner, open_pipeline, potential, workload_hours, bookings_12m,
    from_territory, to_territory, cv_after.
    """
    names = territories.set_index("territory_id")["territory"]
    acc = details.set_index("id")

    def col(name: str, dtype: str) -> pd.Series:
        """Returns the detail column mapped onto the moves (missing as NA)."""
        source = acc[name] if name in acc else pd.Series(dtype=dtype)
        return moves["account_id"].map(source)

    out = pd.DataFrame(
        {
            "account_id": moves["account_id"],
            "external_id": col("external_id", "object"),
            "account": col("name", "object"),
            "current_owner": col("owner", "object"),
            "open_pipeline": col("open_pipeline", "float64").astype("float64"),
            "potential": moves["potential"],
            "workload_hours": moves["workload_hours"],
            "bookings_12m": col("bookings_12m", "float64").astype("float64"),
            "from_territory": moves["from_territory_id"].map(names),
            "to_territory": moves["to_territory_id"].map(names),
            "cv_after": moves["cv_after"],
        }
    )
    return out.reset_index(drop=True)


def describe_swaps(
    swaps: pd.DataFrame, territories: pd.DataFrame, details: pd.DataFrame
) -> pd.DataFrame:
    """Returns the swap list: both accounts with their owners, pipeline and potential.

    Requires columns: swaps as in `Proposal.swaps`; territories and details as in
    `describe_moves`. Returns columns account, current_owner, open_pipeline, potential,
    from_territory, partner_account, partner_owner, partner_open_pipeline, partner_potential,
    partner_territory, cv_after.
    """
    names = territories.set_index("territory_id")["territory"]
    acc = details.set_index("id")

    def pick(ids: pd.Series, name: str) -> pd.Series:
        """Returns a detail column for the given account ids."""
        return ids.map(acc[name]) if name in acc else pd.Series(np.nan, index=ids.index)

    a, b = swaps["account_id"], swaps["partner_id"]
    return pd.DataFrame(
        {
            "account": pick(a, "name"),
            "current_owner": pick(a, "owner"),
            "open_pipeline": pick(a, "open_pipeline").astype("float64"),
            "potential": swaps["potential"],
            "from_territory": swaps["territory_id"].map(names),
            "partner_account": pick(b, "name"),
            "partner_owner": pick(b, "owner"),
            "partner_open_pipeline": pick(b, "open_pipeline").astype("float64"),
            "partner_potential": swaps["partner_potential"],
            "partner_territory": swaps["partner_territory_id"].map(names),
            "cv_after": swaps["cv_after"],
        }
    ).reset_index(drop=True)


def before_after(
    metrics: pd.DataFrame, proposal: Proposal, settings: TerritorySettings
) -> pd.DataFrame:
    """Returns each territory's utilisation, potential per hour and flag before and after.

    Requires columns of `territory_metrics`. Returns a frame with columns territory,
    utilisation_before, utilisation_after, pph_before, pph_after, flag_before, flag_after.
    """
    after = metrics.copy()
    if not proposal.territories_after.empty:
        moved = proposal.territories_after.set_index("territory_id")
        for col in ("workload_hours", "potential"):
            after[col] = after["territory_id"].map(moved[col]).fillna(after[col])
    after["utilisation"] = ratio(after["workload_hours"], after["capacity_hours"])
    after["potential_per_capacity_hour"] = ratio(after["potential"], after["capacity_hours"])
    after = flag_territories(after, settings)
    return pd.DataFrame(
        {
            "territory": metrics["territory"],
            "utilisation_before": metrics["utilisation"],
            "utilisation_after": after["utilisation"],
            "pph_before": metrics["potential_per_capacity_hour"],
            "pph_after": after["potential_per_capacity_hour"],
            "flag_before": metrics["flag"],
            "flag_after": after["flag"],
        }
    )


def proposal_account_ids(proposal: Proposal) -> tuple[int, ...]:
    """Returns every account a proposal moves or swaps (moves, then both sides of swaps)."""
    ids = [*proposal.moves["account_id"], *proposal.swaps["account_id"],
           *proposal.swaps["partner_id"]]  # fmt: skip
    return tuple(int(i) for i in ids)


def with_owners(proposal_json: dict, details: pd.DataFrame) -> dict:
    """Returns the proposal JSON with each moved account's name, current owner, open pipeline.

    `details`: id, name, owner, open_pipeline (see `Repository.account_details`); a swap's
    partner account gets partner_name, partner_owner, partner_open_pipeline. An account
    missing from `details` gets None (owner) and 0 (pipeline).
    """
    table = details.set_index("id") if len(details) else None

    def about(account_id: int, prefix: str = "") -> dict[str, object]:
        row = None if table is None or account_id not in table.index else table.loc[account_id]
        owner = None if row is None or pd.isna(row["owner"]) else str(row["owner"])
        pipeline = 0.0 if row is None or pd.isna(row["open_pipeline"]) else row["open_pipeline"]
        return {
            f"{prefix}name": None if row is None else str(row["name"]),
            f"{prefix}current_owner": owner,
            f"{prefix}open_pipeline": float(pipeline),
        }

    out = dict(proposal_json)
    out["moves"] = [{**m, **about(int(m["account_id"]))} for m in proposal_json["moves"]]
    out["swaps"] = [
        {**s, **about(int(s["account_id"])), **about(int(s["partner_id"]), "partner_")}
        for s in proposal_json["swaps"]
    ]
    return out
