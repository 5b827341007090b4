"""The territory and rep tables: potential, accounts, workload, selling capacity and their ratios.

Definitions (the page, the CLI and the tests all use these):

- Missing or negative potential counts as 0.
- **Capacity hours**: selling hours per year from `salesops.capacity` (weekly hours x working
  weeks x selling share x ramp); a territory's is the sum over its active reps.
- **Workload hours** = the sum over accounts of the hours their segment needs
  (`salesops.capacity.workload`); **utilisation** = workload / capacity; flags from it: see
  `salesops.territory.balance`.
- **Penetration** = bookings in the last 12 months / annual potential.
- **Pipeline coverage** (`salesops.definitions`): open pipeline expected to close in the
  quota year / (quota for the year - won in it so far), of the territory's or rep's own deals.
- A rep's accounts: the accounts of each territory and segment go to the active reps holding
  open deals on them, in proportion to those deals (their own pipeline); a territory's
  accounts without any open deal are split among its active reps in proportion to capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.capacity.workload import AccountHours, segment_key
from salesops.definitions import pipeline_coverage_column
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import FLAG_NO_CAPACITY, flag_territories, load_flags
from salesops.territory.columns import numeric, ratio, reason_where

TERRITORY_COLUMNS = [
    "territory_id", "territory", "region", "segment", "accounts", "reps", "potential",
    "workload_hours", "capacity_hours", "utilisation", "flag", "bookings_12m", "penetration",
    "potential_per_rep", "potential_per_capacity_hour", "peer_median", "pph_vs_peers",
    "open_pipeline", "pipeline_in_year", "quota", "won_in_year", "pipeline_coverage",
    "utilisation_reason", "penetration_reason", "potential_per_rep_reason",
    "potential_per_capacity_hour_reason", "pipeline_coverage_reason",
]  # fmt: skip
_LOADS = ["accounts", "potential", "workload_hours"]


def account_loads(accounts: pd.DataFrame, hours: AccountHours) -> pd.DataFrame:
    """Returns territory_id, segment, accounts, potential (>= 0) and workload_hours per row.

    Requires columns territory_id, segment, annual_potential and either one row per account
    or an `accounts` count per (pre-aggregated) row.
    """
    count = numeric(accounts, "accounts") if "accounts" in accounts else 1.0
    out = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "segment": accounts["segment"],
            "accounts": pd.Series(count, index=accounts.index, dtype="float64"),
            "potential": numeric(accounts, "annual_potential").clip(lower=0),
        }
    )
    out["workload_hours"] = hours.lookup(accounts["segment"]) * out["accounts"]
    return out


def _add_ratios(frame: pd.DataFrame, quota: str) -> pd.DataFrame:
    """Returns the frame with utilisation, penetration, PPH, coverage and their reasons.

    Requires columns workload_hours, capacity_hours, bookings_12m, potential, pipeline_in_year,
    won_in_year and the `quota` column.
    """
    out = frame
    out["utilisation"] = ratio(out["workload_hours"], out["capacity_hours"])
    out["utilisation_reason"] = reason_where(out["capacity_hours"] <= 0, "no capacity")
    out["penetration"] = ratio(out["bookings_12m"], out["potential"])
    out["penetration_reason"] = reason_where(out["potential"] <= 0, "no potential")
    out["potential_per_capacity_hour"] = ratio(out["potential"], out["capacity_hours"])
    out["potential_per_capacity_hour_reason"] = reason_where(
        out["capacity_hours"] <= 0, "no capacity"
    )
    value, reason = pipeline_coverage_column(
        out["pipeline_in_year"], out[quota], out["won_in_year"]
    )
    out["pipeline_coverage"], out["pipeline_coverage_reason"] = value, reason
    return out


def territory_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    hours: AccountHours,
    settings: TerritorySettings,
) -> pd.DataFrame:
    """Returns one row per territory with its potential, workload, capacity and flag.

    Requires columns:
      accounts: territory_id, segment, annual_potential, bookings_12m (one row per account,
        or pre-aggregated rows with an `accounts` count, as the repository returns them);
      reps: id, territory_id, active, capacity_hours (from `salesops.capacity.rep_capacity`),
        annual_quota, optional won_in_year, open_pipeline, pipeline_in_year (a territory's
        quota, pipeline and wins are those of its active reps);
      territories: id, name, region, segment.
    Returns a frame with the TERRITORY_COLUMNS; undefined figures are <NA> with a reason.
    """
    t = territories.rename(columns={"id": "territory_id", "name": "territory"})
    t = t.drop(columns=["open_pipeline", "pipeline_in_year"], errors="ignore")
    loads = account_loads(accounts, hours).assign(bookings_12m=numeric(accounts, "bookings_12m"))
    by_acc = loads.groupby("territory_id")[[*_LOADS, "bookings_12m"]].sum()
    sums = ["capacity_hours", "annual_quota", "won_in_year", "open_pipeline", "pipeline_in_year"]
    active = reps[reps["active"]].assign(**{c: numeric(reps, c) for c in sums[1:]})
    groups = active.groupby("territory_id")
    by_rep = groups[sums].sum()
    by_rep = by_rep.rename(columns={"annual_quota": "quota"}).assign(reps=groups.size())
    t = t.set_index("territory_id").join(by_acc).join(by_rep)
    for col in ("accounts", "reps"):
        t[col] = t[col].fillna(0).astype("int64")
    for col in ("potential", "workload_hours", "bookings_12m", "capacity_hours", "quota"):
        t[col] = t[col].fillna(0.0).astype("float64")
    for col in ("open_pipeline", "pipeline_in_year", "won_in_year"):
        t[col] = numeric(t, col)
    t["potential_per_rep"] = ratio(t["potential"], t["reps"].astype("float64"))
    t["potential_per_rep_reason"] = reason_where(t["reps"] == 0, "no active rep")
    t = _add_ratios(t, "quota").reset_index()
    return flag_territories(t, settings)[TERRITORY_COLUMNS]


def rep_loads(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    deals: pd.DataFrame | None,
    hours: AccountHours,
) -> pd.DataFrame:
    """Returns accounts, pipeline_accounts, potential and workload_hours per rep (reps' order).

    The accounts of a (territory, segment) go to the active reps holding open deals on them,
    in proportion to those deals (`deals`: rep_id, territory_id, segment, deals); the
    accounts of a group without such deals are split among the territory's active reps in
    proportion to capacity hours. Requires columns id, territory_id, active, capacity_hours
    in `reps`; pipeline_accounts is the part that follows the rep's own deals.
    """
    groups = account_loads(accounts, hours)
    groups["key"] = segment_key(groups["segment"])
    groups = groups.groupby(["territory_id", "key"], as_index=False)[_LOADS].sum()
    held = _held(deals, reps)
    total = held.groupby(["territory_id", "key"])["deals"].transform("sum")
    held["share"] = held["deals"] / total
    owned = held.merge(groups, on=["territory_id", "key"], how="inner")
    owned[_LOADS] = owned[_LOADS].mul(owned["share"], axis=0)
    rest = groups[~groups.set_index(["territory_id", "key"]).index.isin(
        owned.set_index(["territory_id", "key"]).index
    )].groupby("territory_id")[_LOADS].sum()  # fmt: skip
    cap = reps["capacity_hours"].where(reps["active"], 0.0)
    terr_cap = cap.groupby(reps["territory_id"]).transform("sum")
    share = (cap / terr_cap.where(terr_cap > 0)).fillna(0.0)
    out = (
        reps[["territory_id"]].join(rest, on="territory_id")[_LOADS].fillna(0.0).mul(share, axis=0)
    )
    mine = owned.groupby("rep_id")[_LOADS].sum().reindex(reps["id"]).fillna(0.0)
    out = out + mine.to_numpy()
    out["pipeline_accounts"] = mine["accounts"].to_numpy()
    return out


def _held(deals: pd.DataFrame | None, reps: pd.DataFrame) -> pd.DataFrame:
    """Returns rep_id, territory_id, key (segment), deals: open deals held by active reps."""
    if deals is None or deals.empty:
        return pd.DataFrame({"rep_id": [], "territory_id": [], "key": [], "deals": []})
    active = reps.loc[reps["active"] & (reps["capacity_hours"] > 0), "id"]
    mine = deals[deals["rep_id"].isin(active) & (deals["deals"] > 0)]
    out = mine.assign(key=segment_key(mine["segment"]))
    return out.groupby(["rep_id", "territory_id", "key"], as_index=False)["deals"].sum()


def rep_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    hours: AccountHours,
    settings: TerritorySettings,
    deals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Returns one row per rep with the accounts, potential and workload they carry and a flag.

    Requires the columns of `territory_metrics` (reps with capacity columns from
    `salesops.capacity.rep_capacity`, and optionally name, bookings_12m, open_pipeline,
    pipeline_in_year, won_in_year) and `deals` as in `rep_loads`. Returns a frame with
    columns rep_id, rep, territory_id, territory, segment, active, ramp, selling_share,
    share_source, capacity_hours, accounts, pipeline_accounts, potential, workload_hours,
    utilisation, flag, bookings_12m, penetration, potential_per_capacity_hour,
    open_pipeline, pipeline_in_year, annual_quota, won_in_year, pipeline_coverage and the
    *_reason columns. The flag comes from the rep's own utilisation ("no capacity" without).
    """
    rc = reps.reset_index(drop=True)
    loads = rep_loads(accounts, rc, deals, hours)
    by_id = territories.set_index("id")
    out = pd.DataFrame(
        {
            "rep_id": rc["id"],
            "rep": rc["name"] if "name" in rc else rc["id"].astype(str),
            "territory_id": rc["territory_id"],
            "territory": rc["territory_id"].map(by_id["name"]),
            "segment": rc["territory_id"].map(by_id["segment"]),
            "active": rc["active"],
            "ramp": rc["ramp"],
            "selling_share": rc["selling_share"],
            "share_source": rc["share_source"],
            "capacity_hours": rc["capacity_hours"],
            "accounts": loads["accounts"],
            "pipeline_accounts": loads["pipeline_accounts"],
            "potential": loads["potential"],
            "workload_hours": loads["workload_hours"],
            **{c: numeric(rc, c) for c in ("bookings_12m", "open_pipeline", "pipeline_in_year")},
            "annual_quota": numeric(rc, "annual_quota"),
            "won_in_year": numeric(rc, "won_in_year"),
        }
    )
    out = _add_ratios(out, "annual_quota")
    out["flag"] = load_flags(out["utilisation"], out["capacity_hours"], settings)
    out["flag"] = np.where(out["active"], out["flag"], "inactive")
    out.loc[out["flag"] == FLAG_NO_CAPACITY, "utilisation_reason"] = "no capacity"
    return out
