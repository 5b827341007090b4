"""The territory and rep tables: potential, accounts, workload, capacity and their ratios.

Definitions (the page, the CLI and the tests all use these):

- Missing or negative potential counts as 0.
- **Utilisation** = workload hours / capacity hours (undefined when capacity is 0).
- **Penetration** = bookings in the last 12 months / annual potential.
- **Potential per capacity hour** and the flags: see `salesops.territory.balance`.
- A territory's quota and open pipeline are those of its active reps.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import flag_territories
from salesops.territory.capacity import account_count, account_workload, rep_capacity
from salesops.territory.columns import numeric, ratio, reason_where

TERRITORY_COLUMNS = [
    "territory_id", "territory", "region", "segment", "accounts", "reps", "potential",
    "workload_hours", "capacity_hours", "utilisation", "bookings_12m", "penetration",
    "potential_per_rep", "potential_per_capacity_hour", "open_pipeline", "quota",
    "pipeline_coverage", "peer_median", "deviation", "flag", "utilisation_reason",
    "penetration_reason", "potential_per_rep_reason", "potential_per_capacity_hour_reason",
    "pipeline_coverage_reason",
]  # fmt: skip
_LOADS = ["n", "annual_potential", "workload_hours"]


def _account_rows(accounts: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns territory_id, annual_potential (>= 0), n (accounts) and workload_hours per row."""
    acc = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "annual_potential": numeric(accounts, "annual_potential").clip(lower=0),
            "n": account_count(accounts),
        }
    )
    acc["workload_hours"] = account_workload(accounts, settings) * acc["n"]
    return acc


def _territory_account_sums(accounts: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns accounts, potential, workload_hours and bookings_12m summed per territory_id."""
    acc = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "annual_potential": numeric(accounts, "annual_potential").clip(lower=0),
            "bookings_12m": numeric(accounts, "bookings_12m"),
        }
    )
    acc["accounts"] = account_count(accounts)
    acc["workload_hours"] = account_workload(accounts, settings) * acc["accounts"]
    by_acc = acc.groupby("territory_id")[
        ["accounts", "annual_potential", "workload_hours", "bookings_12m"]
    ].sum()
    return by_acc.rename(columns={"annual_potential": "potential"})


def _territory_rep_sums(
    reps: pd.DataFrame, as_of: date, settings: TerritorySettings
) -> pd.DataFrame:
    """Returns capacity_hours, quota and the number of active reps per territory_id."""
    rc = rep_capacity(reps, as_of, settings)
    rc["annual_quota"] = numeric(rc, "annual_quota")
    active = rc[rc["active"]]
    rep_groups = active.groupby("territory_id")
    by_rep = rep_groups[["capacity_hours", "annual_quota"]].sum()
    by_rep = by_rep.rename(columns={"annual_quota": "quota"})
    by_rep["reps"] = rep_groups.size()
    return by_rep


def _add_ratios(frame: pd.DataFrame, quota: str, per_rep: bool) -> pd.DataFrame:
    """Returns the frame with each ratio and its *_reason column added, in the table's order.

    Requires columns workload_hours, capacity_hours, bookings_12m, potential, open_pipeline,
    the `quota` column and, with `per_rep`, reps.
    """
    out = frame
    out["utilisation"] = ratio(out["workload_hours"], out["capacity_hours"])
    out["utilisation_reason"] = reason_where(out["capacity_hours"] <= 0, "no capacity")
    out["penetration"] = ratio(out["bookings_12m"], out["potential"])
    out["penetration_reason"] = reason_where(out["potential"] <= 0, "no potential")
    if per_rep:
        out["potential_per_rep"] = ratio(out["potential"], out["reps"].astype("float64"))
        out["potential_per_rep_reason"] = reason_where(out["reps"] == 0, "no active rep")
    out["potential_per_capacity_hour"] = ratio(out["potential"], out["capacity_hours"])
    out["potential_per_capacity_hour_reason"] = reason_where(
        out["capacity_hours"] <= 0, "no capacity"
    )
    out["pipeline_coverage"] = ratio(out["open_pipeline"], out[quota])
    out["pipeline_coverage_reason"] = reason_where(out[quota] <= 0, "no quota")
    return out


def territory_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings,
) -> pd.DataFrame:
    """Returns one row per territory with its potential, workload, capacity and flag.

    Requires columns:
      accounts: territory_id, segment, annual_potential, bookings_12m (one row per account,
        or pre-aggregated rows with an `accounts` count and summed potential and bookings, as
        the repository's GROUP BY returns them);
      reps: id, territory_id, weekly_capacity_hours, hire_date, end_date, annual_quota;
      territories: id, name, region, segment, optional open_pipeline (amount of open deals).
    Returns a frame with columns territory_id, territory, region, segment, accounts, reps,
    potential, workload_hours, capacity_hours, utilisation, bookings_12m, penetration,
    potential_per_rep, potential_per_capacity_hour, open_pipeline, quota, pipeline_coverage,
    peer_median, deviation, flag, and a *_reason column beside each figure that can be
    undefined (utilisation, penetration, potential_per_rep, potential_per_capacity_hour,
    pipeline_coverage). Undefined figures are <NA>, never 0 or inf.
    """
    t = territories.rename(columns={"id": "territory_id", "name": "territory"}).copy()
    if "open_pipeline" not in t:
        t["open_pipeline"] = 0.0
    t = (
        t.set_index("territory_id")
        .join(_territory_account_sums(accounts, settings))
        .join(_territory_rep_sums(reps, as_of, settings))
    )
    for col in ("accounts", "reps"):
        t[col] = t[col].fillna(0).astype("int64")
    for col in ("potential", "workload_hours", "bookings_12m", "capacity_hours", "quota"):
        t[col] = t[col].fillna(0.0).astype("float64")
    t["open_pipeline"] = numeric(t, "open_pipeline")
    t = _add_ratios(t, "quota", per_rep=True).reset_index()
    return flag_territories(t, settings)[TERRITORY_COLUMNS]


def _rep_loads(
    accounts: pd.DataFrame, rc: pd.DataFrame, settings: TerritorySettings
) -> pd.DataFrame:
    """Returns the reps (from `rep_capacity`) with the accounts, potential and workload they carry.

    Adds columns n, annual_potential and workload_hours: the accounts a rep owns when accounts
    carry a rep_id, else their territory's split in proportion to active capacity hours.
    """
    acc = _account_rows(accounts, settings)
    if "rep_id" in accounts:
        acc["rep_id"] = accounts["rep_id"]
    if "rep_id" in acc and acc["rep_id"].notna().any():
        owned = acc.groupby("rep_id")[_LOADS].sum()
        rc = rc.join(owned, on="id")
    else:
        cap = rc["capacity_hours"].where(rc["active"], 0.0)
        terr_cap = cap.groupby(rc["territory_id"]).transform("sum")
        share = (cap / terr_cap.where(terr_cap > 0)).fillna(0.0)
        per_terr = acc.groupby("territory_id")[_LOADS].sum()
        joined = rc[["territory_id"]].join(per_terr, on="territory_id")[_LOADS].fillna(0.0)
        rc = rc.join(joined.mul(share, axis=0))
    rc[_LOADS] = rc[_LOADS].fillna(0.0)
    return rc


def rep_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings,
) -> pd.DataFrame:
    """Returns one row per rep with the share of potential and workload they carry.

    Requires the same columns as `territory_metrics`; reps may add name, bookings_12m and
    open_pipeline (default 0). When accounts carry a rep_id (owner) a rep gets the accounts
    they own; otherwise a territory's accounts, potential and workload are split among its
    active reps in proportion to capacity hours (so `accounts` may be fractional).
    Returns a frame with columns rep_id, rep, territory_id, territory, active, ramp,
    capacity_hours, accounts, potential, workload_hours, utilisation, bookings_12m,
    penetration, potential_per_capacity_hour, open_pipeline, annual_quota, pipeline_coverage,
    peer_median, deviation, flag and the *_reason columns (as in `territory_metrics`).
    """
    rc = rep_capacity(reps, as_of, settings)
    rc["name"] = rc["name"] if "name" in rc else rc["id"].astype(str)
    for col in ("bookings_12m", "open_pipeline", "annual_quota"):
        rc[col] = numeric(rc, col)
    rc = _rep_loads(accounts, rc, settings)
    by_id = territories.set_index("id")
    out = pd.DataFrame(
        {
            "rep_id": rc["id"],
            "rep": rc["name"],
            "territory_id": rc["territory_id"],
            "territory": rc["territory_id"].map(by_id["name"]),
            "segment": rc["territory_id"].map(by_id["segment"]),
            "active": rc["active"],
            "ramp": rc["ramp"],
            "capacity_hours": rc["capacity_hours"],
            "accounts": rc["n"],
            "potential": rc["annual_potential"],
            "workload_hours": rc["workload_hours"],
            "bookings_12m": rc["bookings_12m"],
            "open_pipeline": rc["open_pipeline"],
            "annual_quota": rc["annual_quota"],
        }
    ).reset_index(drop=True)
    out = flag_territories(_add_ratios(out, "annual_quota", per_rep=False), settings)
    # A rep without capacity is not "uncovered": they are simply not selling now.
    out.loc[out["capacity_hours"] <= 0, "flag"] = "no capacity"
    return out
