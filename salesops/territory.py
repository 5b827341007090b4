"""Territory balance: potential against capacity, imbalance flags, account moves, fair quotas.

Definitions (the page, the CLI and the tests all use these):

- Missing or negative potential counts as 0; missing capacity hours count as 0.
- **Capacity hours** of a rep = weekly_capacity_hours x working weeks per year (46) x ramp,
  where ramp = clip(tenure_days / ramp_days, 0, 1) at `as_of` (linear six-month ramp by
  default); a rep not yet started or already gone has ramp 0. A territory's capacity is the
  sum over its reps.
- **Workload hours** = sum over accounts of the yearly coverage hours its segment needs
  (`coverage_hours`, default Enterprise 40 h, Mid-Market 16 h, SMB 6 h, other 10 h).
  **Utilisation** = workload / capacity (undefined when capacity is 0).
- **Penetration** = bookings in the last 12 months / annual potential.
- **Potential per capacity hour** (PPH) = potential / capacity hours: the money each hour of
  selling time has to cover. It is undefined for a territory without capacity ("uncovered").
- **Balance index**: coefficient of variation (population standard deviation / mean, so one
  territory gives 0 and nothing divides by n - 1) and Gini coefficient of PPH over the
  territories that have capacity. 0 is perfectly balanced. With peer="segment" both are taken
  over PPH / segment median PPH, so the segment mix does not count as imbalance.
- **Flags**: a territory whose PPH is more than `threshold` (default 25 %) above the median PPH
  of its peers (its segment by default, or the whole team) is *over-loaded* (more potential than its
  hours can work: opportunity left on the table); more than `threshold` below is
  *under-loaded* (hours spent on too little potential); no capacity with accounts is
  *uncovered*.
- **Rebalancing proposal**: greedy best-improvement local search on the exact CV, one account
  move at a time (see `propose_moves`).
- **Quota suggestions** ("Goldilocks"): see `suggest_quotas`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

import numpy as np
import pandas as pd

from salesops.jsonable import json_value

DEFAULT_COVERAGE_HOURS: MappingProxyType[str, float] = MappingProxyType(
    {"Enterprise": 40.0, "Mid-Market": 16.0, "SMB": 6.0}
)

FLAG_OVER = "over-loaded"
FLAG_UNDER = "under-loaded"
FLAG_BALANCED = "balanced"
FLAG_UNCOVERED = "uncovered"
FLAG_EMPTY = "empty"

_EPS = 1e-12


@dataclass(frozen=True)
class TerritorySettings:
    """Assumptions behind the territory figures; each has a sensible default."""

    # Yearly coverage hours per account by segment, as (segment, hours) pairs (hashable, so the
    # settings can key a cache); `coverage_for` looks them up.
    coverage_hours: tuple[tuple[str, float], ...] = tuple(DEFAULT_COVERAGE_HOURS.items())
    default_coverage_hours: float = 10.0
    working_weeks_per_year: float = 46.0
    ramp_days: int = 180
    threshold: float = 0.25
    # Whose median PPH a territory is compared with: "segment" (default: Enterprise hours carry
    # more potential than SMB hours by design, so only like is compared with like; territories
    # without a segment form one group) or "team" (one median for everybody).
    peer: str = "segment"

    def coverage_for(self, segment: object) -> float:
        """Returns the yearly coverage hours an account of `segment` needs."""
        hours = dict(self.coverage_hours)
        if isinstance(segment, str) and segment in hours:
            return float(hours[segment])
        return float(self.default_coverage_hours)

    @staticmethod
    def coverage(hours: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
        """Returns a segment -> hours mapping in the form `coverage_hours` takes."""
        return tuple((str(k), float(v)) for k, v in hours.items())


@dataclass(frozen=True)
class BalanceIndex:
    """Coefficient of variation and Gini of potential per capacity hour (0 = balanced)."""

    cv: float | None
    gini: float | None
    n: int
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Returns the index as a JSON-ready dict (None where undefined)."""
        return {"cv": self.cv, "gini": self.gini, "n": self.n, "reason": self.reason}


@dataclass(frozen=True)
class Constraints:
    """What a rebalancing proposal may do.

    `max_moves` and `max_share` (fraction of all accounts) cap the number of moves; the smaller
    one binds. `keep_largest` keeps each territory's N largest accounts (by potential) where
    they are. `min_gain` is the smallest CV reduction worth one move, so the proposal stops
    instead of making many tiny moves.
    """

    same_region: bool = True
    same_segment: bool = True
    max_moves: int | None = 25
    max_share: float | None = None
    keep_largest: int = 0
    min_gain: float = 1e-4
    time_limit_s: float = 10.0


@dataclass(frozen=True)
class Proposal:
    """A rebalancing proposal: the moves, the index before and after, and how it ended.

    `status` is "improved", "no_improvement" (no allowed move lowers the index), "trivial"
    (fewer than two territories with capacity), "time_limit" (best found when time ran out)
    or "infeasible" (the constraints allow no move at all; `binding` names the constraint).
    `moves` has columns account_id, from_territory_id, to_territory_id, potential, cv_after.
    """

    status: str
    moves: pd.DataFrame
    before: BalanceIndex
    after: BalanceIndex
    binding: str | None = None
    message: str = ""
    territories_after: pd.DataFrame = field(default_factory=pd.DataFrame)


_MOVE_COLUMNS = ["account_id", "from_territory_id", "to_territory_id", "potential", "cv_after"]


# -- small helpers ----------------------------------------------------------------------------
def _as_date(value: object) -> date | None:
    if value is None or pd.isna(value):  # NaT is a datetime subclass, so test NA first
        return None
    return pd.Timestamp(value).date()


def ramp_factor(hire_date: object, end_date: object, as_of: date, ramp_days: int = 180) -> float:
    """Returns the share of full capacity a rep has on `as_of` (0 before start or after leaving).

    Linear ramp: tenure_days / ramp_days, capped at 1. An unknown hire date counts as ramped.
    """
    end = _as_date(end_date)
    if end is not None and end <= as_of:
        return 0.0
    hire = _as_date(hire_date)
    if hire is None:
        return 1.0
    tenure = (as_of - hire).days
    if tenure < 0:
        return 0.0
    if ramp_days <= 0:
        return 1.0
    return min(1.0, tenure / ramp_days)


def _ramp_integral(t0: float, t1: float, ramp_days: int) -> float:
    """Integral over tenure t in [t0, t1] of clip(t / ramp_days, 0, 1), in days."""
    a, b = max(t0, 0.0), max(t1, 0.0)
    ramping = (min(b, ramp_days) ** 2 - a**2) / (2 * ramp_days) if a < ramp_days else 0.0
    full = b - max(a, ramp_days) if b > ramp_days else 0.0
    return ramping + full


def year_ramp_factor(
    hire_date: object, end_date: object, as_of: date, ramp_days: int = 180
) -> float:
    """Returns the average ramp over the 365 days from `as_of` (the quota year).

    The linear ramp clip(tenure / ramp_days, 0, 1) integrated over the year (days before the
    start date count 0, so do days after a known end date), divided by 365. 0 for a rep who
    has left. E.g. 90 days in with a 180-day ramp: (90 x 0.75 + 275 x 1) / 365.
    """
    end = _as_date(end_date)
    if end is not None and end <= as_of:
        return 0.0
    days = 365 if end is None else min(365, (end - as_of).days)
    hire = _as_date(hire_date)
    if hire is None or ramp_days <= 0:
        return days / 365
    tenure = (as_of - hire).days
    return _ramp_integral(tenure, tenure + days, ramp_days) / 365


def balance_index(values: pd.Series | np.ndarray | list[float]) -> BalanceIndex:
    """Returns CV (population) and Gini of the given potential-per-capacity-hour values.

    Missing values are ignored. One value gives 0 with reason "n/a: single territory"; none,
    or a zero mean, gives None with a reason. Gini uses the sorted-values formula
    G = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n.
    """
    x = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").dropna().to_numpy()
    n = len(x)
    if n == 0:
        return BalanceIndex(None, None, 0, "no territory or rep with capacity")
    if n == 1:
        return BalanceIndex(0.0, 0.0, 1, "n/a: single territory or rep")
    mean = float(x.mean())
    if mean <= 0:
        return BalanceIndex(None, None, n, "no potential to balance")
    cv = float(x.std(ddof=0) / mean)
    xs = np.sort(x)
    gini = float(2 * np.sum(np.arange(1, n + 1) * xs) / (n * xs.sum()) - (n + 1) / n)
    return BalanceIndex(cv, max(0.0, gini), n)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """Returns num / den as nullable floats, <NA> where the denominator is 0 or missing."""
    num = num.astype("Float64")
    den = den.astype("Float64")
    out = num / den.where(den > 0)
    return out.astype("Float64")


def _numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    """The column as float64 with missing values as 0 (0 everywhere if the column is absent)."""
    if col not in frame:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[col], errors="coerce").astype("float64").fillna(0.0)


def _reason(mask: pd.Series, text: str) -> pd.Series:
    return pd.Series(np.where(mask, text, None), index=mask.index, dtype="object")


# -- metrics ----------------------------------------------------------------------------------
def rep_capacity(reps: pd.DataFrame, as_of: date, settings: TerritorySettings) -> pd.DataFrame:
    """Returns reps with ramp and yearly capacity hours on `as_of`.

    Requires columns id, territory_id, weekly_capacity_hours, hire_date, end_date.
    Returns a frame with the input columns plus ramp, active and capacity_hours.
    """
    out = reps.copy()
    out["ramp"] = [
        ramp_factor(h, e, as_of, settings.ramp_days)
        for h, e in zip(out["hire_date"], out["end_date"], strict=True)
    ]
    ended = [(_as_date(e) is not None and _as_date(e) <= as_of) for e in out["end_date"]]
    out["active"] = ~pd.Series(ended, index=out.index, dtype=bool)
    weekly = _numeric(out, "weekly_capacity_hours").clip(lower=0)
    out["capacity_hours"] = (weekly * settings.working_weeks_per_year * out["ramp"]).astype(
        "float64"
    )
    return out


def _account_workload(accounts: pd.DataFrame, settings: TerritorySettings) -> pd.Series:
    codes, segments = pd.factorize(accounts["segment"])  # fast on 100k rows, NA -> -1
    hours = np.array([settings.coverage_for(name) for name in segments] + [0.0])
    out = np.where(codes >= 0, hours[codes], settings.default_coverage_hours)
    return pd.Series(out, index=accounts.index, dtype="float64")


def _account_count(accounts: pd.DataFrame) -> pd.Series:
    """1 per account row, or the `accounts` column of pre-aggregated (territory, segment) rows."""
    if "accounts" in accounts:
        return _numeric(accounts, "accounts")
    return pd.Series(1.0, index=accounts.index)


def territory_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings | None = None,
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
    settings = settings or TerritorySettings()
    acc = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "annual_potential": _numeric(accounts, "annual_potential").clip(lower=0),
            "bookings_12m": _numeric(accounts, "bookings_12m"),
        }
    )
    acc["accounts"] = _account_count(accounts)
    acc["workload_hours"] = _account_workload(accounts, settings) * acc["accounts"]
    by_acc = acc.groupby("territory_id")[
        ["accounts", "annual_potential", "workload_hours", "bookings_12m"]
    ].sum()
    by_acc = by_acc.rename(columns={"annual_potential": "potential"})
    rc = rep_capacity(reps, as_of, settings)
    rc["annual_quota"] = _numeric(rc, "annual_quota")
    active = rc[rc["active"]]
    rep_groups = active.groupby("territory_id")
    by_rep = rep_groups[["capacity_hours", "annual_quota"]].sum()
    by_rep = by_rep.rename(columns={"annual_quota": "quota"})
    by_rep["reps"] = rep_groups.size()
    t = territories.rename(columns={"id": "territory_id", "name": "territory"}).copy()
    if "open_pipeline" not in t:
        t["open_pipeline"] = 0.0
    t = t.set_index("territory_id").join(by_acc).join(by_rep)
    for col in ("accounts", "reps"):
        t[col] = t[col].fillna(0).astype("int64")
    for col in ("potential", "workload_hours", "bookings_12m", "capacity_hours", "quota"):
        t[col] = t[col].fillna(0.0).astype("float64")
    t["open_pipeline"] = _numeric(t, "open_pipeline")

    t["utilisation"] = _ratio(t["workload_hours"], t["capacity_hours"])
    t["utilisation_reason"] = _reason(t["capacity_hours"] <= 0, "no capacity")
    t["penetration"] = _ratio(t["bookings_12m"], t["potential"])
    t["penetration_reason"] = _reason(t["potential"] <= 0, "no potential")
    t["potential_per_rep"] = _ratio(t["potential"], t["reps"].astype("float64"))
    t["potential_per_rep_reason"] = _reason(t["reps"] == 0, "no active rep")
    t["potential_per_capacity_hour"] = _ratio(t["potential"], t["capacity_hours"])
    t["potential_per_capacity_hour_reason"] = _reason(t["capacity_hours"] <= 0, "no capacity")
    t["pipeline_coverage"] = _ratio(t["open_pipeline"], t["quota"])
    t["pipeline_coverage_reason"] = _reason(t["quota"] <= 0, "no quota")
    t = t.reset_index()
    flagged = flag_territories(t, settings)
    cols = [
        "territory_id", "territory", "region", "segment", "accounts", "reps", "potential",
        "workload_hours", "capacity_hours", "utilisation", "bookings_12m", "penetration",
        "potential_per_rep", "potential_per_capacity_hour", "open_pipeline", "quota",
        "pipeline_coverage", "peer_median", "deviation", "flag", "utilisation_reason",
        "penetration_reason", "potential_per_rep_reason", "potential_per_capacity_hour_reason",
        "pipeline_coverage_reason",
    ]  # fmt: skip
    return flagged[cols]


def flag_territories(
    metrics: pd.DataFrame, settings: TerritorySettings | None = None
) -> pd.DataFrame:
    """Returns the frame with peer_median, deviation and flag added.

    Requires columns potential_per_capacity_hour, capacity_hours, accounts, potential and, for
    peer="segment", segment. deviation = PPH / peer median - 1 (<NA> when undefined). flag is
    over-loaded (deviation > threshold), under-loaded (< -threshold), balanced, uncovered (no
    capacity but accounts) or empty (no capacity, no accounts).
    """
    settings = settings or TerritorySettings()
    out = metrics.copy()
    pph = out["potential_per_capacity_hour"].astype("Float64")
    if settings.peer == "segment":
        groups = out["segment"].fillna("(none)")
    else:
        groups = pd.Series("team", index=out.index)
    medians = pph.astype("float64").groupby(groups).transform("median")
    out["peer_median"] = medians.astype("Float64")
    out["deviation"] = _ratio(pph, out["peer_median"]) - 1
    flag = np.where(
        out["deviation"].fillna(0) > settings.threshold + _EPS,
        FLAG_OVER,
        np.where(
            out["deviation"].fillna(0) < -settings.threshold - _EPS, FLAG_UNDER, FLAG_BALANCED
        ),
    )
    no_cap = out["capacity_hours"] <= 0
    flag = np.where(no_cap & (out["accounts"] > 0), FLAG_UNCOVERED, flag)
    flag = np.where(no_cap & (out["accounts"] == 0), FLAG_EMPTY, flag)
    out["flag"] = flag
    return out


def rep_metrics(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings | None = None,
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
    settings = settings or TerritorySettings()
    rc = rep_capacity(reps, as_of, settings)
    rc["name"] = rc["name"] if "name" in rc else rc["id"].astype(str)
    for col in ("bookings_12m", "open_pipeline", "annual_quota"):
        rc[col] = _numeric(rc, col)
    acc = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "annual_potential": _numeric(accounts, "annual_potential").clip(lower=0),
            "n": _account_count(accounts),
        }
    )
    acc["workload_hours"] = _account_workload(accounts, settings) * acc["n"]
    if "rep_id" in accounts:
        acc["rep_id"] = accounts["rep_id"]
    sums = ["n", "annual_potential", "workload_hours"]
    if "rep_id" in acc and acc["rep_id"].notna().any():
        owned = acc.groupby("rep_id")[sums].sum()
        rc = rc.join(owned, on="id")
    else:
        cap = rc["capacity_hours"].where(rc["active"], 0.0)
        terr_cap = cap.groupby(rc["territory_id"]).transform("sum")
        share = (cap / terr_cap.where(terr_cap > 0)).fillna(0.0)
        per_terr = acc.groupby("territory_id")[sums].sum()
        joined = rc[["territory_id"]].join(per_terr, on="territory_id")[sums].fillna(0.0)
        rc = rc.join(joined.mul(share, axis=0))
    rc[sums] = rc[sums].fillna(0.0)
    names = territories.set_index("id")["name"]
    out = pd.DataFrame(
        {
            "rep_id": rc["id"],
            "rep": rc["name"],
            "territory_id": rc["territory_id"],
            "territory": rc["territory_id"].map(names),
            "segment": rc["territory_id"].map(territories.set_index("id")["segment"]),
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
    out["utilisation"] = _ratio(out["workload_hours"], out["capacity_hours"])
    out["utilisation_reason"] = _reason(out["capacity_hours"] <= 0, "no capacity")
    out["penetration"] = _ratio(out["bookings_12m"], out["potential"])
    out["penetration_reason"] = _reason(out["potential"] <= 0, "no potential")
    out["potential_per_capacity_hour"] = _ratio(out["potential"], out["capacity_hours"])
    out["potential_per_capacity_hour_reason"] = _reason(out["capacity_hours"] <= 0, "no capacity")
    out["pipeline_coverage"] = _ratio(out["open_pipeline"], out["annual_quota"])
    out["pipeline_coverage_reason"] = _reason(out["annual_quota"] <= 0, "no quota")
    out = flag_territories(out, settings)
    # A rep without capacity is not "uncovered": they are simply not selling now.
    out.loc[out["capacity_hours"] <= 0, "flag"] = "no capacity"
    return out


def _peer_norm(frame: pd.DataFrame) -> np.ndarray:
    """Peer median PPH per row where positive, else 1 (no normalisation)."""
    if "peer_median" not in frame:
        return np.ones(len(frame))
    med = pd.to_numeric(frame["peer_median"], errors="coerce").astype("float64").fillna(0.0)
    return np.where(med.to_numpy() > 0, med.to_numpy(), 1.0)


def team_balance(metrics: pd.DataFrame) -> BalanceIndex:
    """Returns the balance index over the rows (territories or reps) that have capacity.

    Requires columns potential_per_capacity_hour, capacity_hours; with a peer_median column
    (from `flag_territories`) the index is taken over the relative load PPH / peer median, which
    for the team-wide peer group is the plain CV and Gini of PPH, and for peer="segment" takes
    the segment mix out of the index (Enterprise hours naturally carry more potential than SMB).
    """
    covered = metrics[metrics["capacity_hours"] > 0]
    pph = covered["potential_per_capacity_hour"].astype("float64").to_numpy()
    return balance_index(pph / _peer_norm(covered))


def uncovered_potential(metrics: pd.DataFrame) -> float:
    """Returns the potential sitting in territories with no capacity.

    Requires columns capacity_hours, potential.
    """
    return float(metrics.loc[metrics["capacity_hours"] <= 0, "potential"].sum())


# -- rebalancing ------------------------------------------------------------------------------
def _cv_from_sums(s1: np.ndarray, s2: np.ndarray, n: int) -> np.ndarray:
    """CV from sum and sum of squares of n values (population)."""
    mean = s1 / n
    var = np.maximum(s2 / n - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, np.sqrt(var) / np.where(mean > 0, mean, 1.0), np.inf)


def _gini_rows(x: np.ndarray) -> np.ndarray:
    """Gini of each row of a 2-D array (population formula on sorted values)."""
    n = x.shape[1]
    xs = np.sort(x, axis=1)
    total = xs.sum(axis=1)
    ranks = np.arange(1, n + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * (xs * ranks).sum(axis=1) / (n * total) - (n + 1) / n
    return np.where(total > 0, np.maximum(g, 0.0), np.inf)


def _empty_moves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": pd.Series(dtype="Int64"),
            "from_territory_id": pd.Series(dtype="Int64"),
            "to_territory_id": pd.Series(dtype="Int64"),
            "potential": pd.Series(dtype="float64"),
            "cv_after": pd.Series(dtype="float64"),
        }
    )


def propose_moves(
    accounts: pd.DataFrame,
    territories: pd.DataFrame,
    constraints: Constraints | None = None,
) -> Proposal:
    """Returns account moves that lower the balance index the most with as few moves as possible.

    Requires columns:
      accounts: id, territory_id, annual_potential, segment, optional region (defaults to the
        region of the account's current territory);
      territories: territory_id, region, segment, potential, capacity_hours, optional
        peer_median (as returned by `territory_metrics`; the objective is then the balance
        index of `team_balance`, over PPH / peer median with the medians held fixed).

    Method: greedy best-improvement local search on the exact objective. Each step evaluates
    every allowed (source, target, account group) and applies the single move that lowers the
    CV of potential per capacity hour the most, provided the Gini does not rise either; it stops
    when no move lowers the CV by `min_gain`, when the move cap is reached, or at the time limit
    (status "time_limit", best found so far). Moving potential p from territory a to b changes
    the sum S1 and the sum of squares S2 of the PPH values linearly and quadratically in p, so
    CV^2 = n S2(p) / S1(p)^2 - 1 has one stationary point p* = (2 k S2 - beta S1) /
    (2 alpha S1 - beta k); the best account of a group is therefore one of the two neighbours of
    p* in the group's sorted potentials, or the smallest or largest one. Only those four are
    evaluated, which makes each step exact and cheap at 100k accounts. Ties go to the lowest
    (source, target, account id). An account moves at most once; nothing moves into a
    territory without capacity; accounts may move out of an uncovered territory. CV never
    rises: a move is taken only if it lowers CV and does not raise Gini.
    """
    c = constraints or Constraints()
    started = time.perf_counter()
    terr = territories.reset_index(drop=True)
    tid = terr["territory_id"].to_numpy()
    cap = terr["capacity_hours"].to_numpy(dtype="float64")
    pot = terr["potential"].to_numpy(dtype="float64").copy()
    covered = cap > 0
    n_cov = int(covered.sum())
    # Relative load = PPH / peer median, the peer medians held at the current assignment; with
    # one team-wide median this is a constant factor and leaves CV and Gini unchanged.
    norm = _peer_norm(terr)
    cap_eff = cap * norm
    inv_c = np.where(covered, 1.0 / np.where(covered, cap_eff, 1.0), 0.0)

    def index_of(p: np.ndarray) -> BalanceIndex:
        return balance_index(p[covered] / cap_eff[covered])

    before = index_of(pot)

    def result(status: str, moves: pd.DataFrame, binding: str | None, msg: str) -> Proposal:
        after_pot = pot
        after = index_of(after_pot)
        t_after = terr[["territory_id"]].copy()
        t_after["potential"] = after_pot
        t_after["capacity_hours"] = cap
        t_after["potential_per_capacity_hour"] = pd.Series(
            np.where(covered, after_pot / np.where(covered, cap, 1.0), np.nan)
        ).astype("Float64")
        return Proposal(status, moves, before, after, binding, msg, t_after)

    if n_cov < 2:
        return result(
            "trivial",
            _empty_moves(),
            None,
            "Fewer than two territories have capacity: the current assignment is the only one.",
        )
    if before.cv is None:
        return result("trivial", _empty_moves(), None, f"Nothing to balance: {before.reason}.")
    acc = accounts.reset_index(drop=True)
    n_acc = len(acc)
    cap_moves = n_acc if c.max_moves is None else int(c.max_moves)
    binding_cap = "max_moves"
    if c.max_share is not None:
        by_share = math.floor(c.max_share * n_acc + 1e-9)
        if by_share < cap_moves:
            cap_moves, binding_cap = by_share, "max_share"
    if cap_moves <= 0:
        return result(
            "infeasible",
            _empty_moves(),
            binding_cap,
            f"The {binding_cap.replace('_', ' ')} cap allows no move at all.",
        )

    pos = pd.Series(np.arange(len(terr)), index=tid)
    a_pos = pos.reindex(acc["territory_id"].to_numpy()).to_numpy()
    known = ~np.isnan(a_pos.astype("float64"))
    acc = acc[known].reset_index(drop=True)
    a_pos = a_pos[known].astype(int)
    a_pot = _numeric(acc, "annual_potential").clip(lower=0).to_numpy()
    a_seg = acc["segment"].astype("object").where(acc["segment"].notna(), None).to_numpy()
    t_region = terr["region"].astype("object").where(terr["region"].notna(), None).to_numpy()
    t_seg = terr["segment"].astype("object").where(terr["segment"].notna(), None).to_numpy()
    if "region" in acc:
        a_reg = acc["region"].astype("object").where(acc["region"].notna(), None).to_numpy()
        a_reg = np.where(pd.isna(a_reg), t_region[a_pos], a_reg)
    else:
        a_reg = t_region[a_pos]
    movable = a_pot > 0
    if c.keep_largest > 0:
        rank = pd.Series(a_pot).groupby(a_pos).rank(method="first", ascending=False).to_numpy()
        movable &= rank > c.keep_largest
    if not movable.any():
        reason = "keep_largest" if c.keep_largest > 0 and (a_pot > 0).any() else "no_potential"
        return result(
            "infeasible",
            _empty_moves(),
            reason,
            "Keeping each territory's largest accounts leaves no account to move."
            if reason == "keep_largest"
            else "No account has potential to move.",
        )

    # Groups: (territory, segment, region) -> sorted potentials and account ids.
    a_ids = acc["id"].to_numpy()
    keys = pd.DataFrame(
        {"t": a_pos, "seg": pd.Series(a_seg, dtype="object").fillna("\0"),
         "reg": pd.Series(a_reg, dtype="object").fillna("\0")}
    )[movable]  # fmt: skip
    groups: dict[tuple[int, str, str], list[np.ndarray]] = {}
    for (t, seg, reg), idx in keys.groupby(["t", "seg", "reg"], sort=True).groups.items():
        ii = np.asarray(idx)
        order = np.lexsort((a_ids[ii], a_pot[ii]))
        groups[(int(t), seg, reg)] = [a_pot[ii][order], a_ids[ii][order]]

    def targets_for(t: int, seg: str, reg: str) -> np.ndarray:
        ok = covered.copy()
        ok[t] = False
        if c.same_segment:
            ok &= np.array([(s is None) or (s == seg) for s in t_seg])
        if c.same_region:
            ok &= np.array([(r is not None) and (r == reg) for r in t_region])
        return np.flatnonzero(ok)

    group_targets = {k: targets_for(*k) for k in groups}
    if not any(len(v) for v in group_targets.values()):
        names = [
            n for n, on in (("same_region", c.same_region), ("same_segment", c.same_segment)) if on
        ]
        binding = "+".join(names) or "capacity"
        return result(
            "infeasible",
            _empty_moves(),
            binding,
            "No account may move: "
            + (
                f"no other territory with capacity satisfies {' and '.join(names)}."
                if names
                else "no other territory has capacity."
            ),
        )

    moves: list[tuple[int, int, int, float, float]] = []
    status, msg = "no_improvement", "No allowed move lowers the balance index."
    x = np.where(covered, pot * inv_c, 0.0)
    while len(moves) < cap_moves:
        if time.perf_counter() - started > c.time_limit_s:
            status, msg = "time_limit", "Time limit reached: best moves found so far."
            break
        s1, s2 = x[covered].sum(), (x[covered] ** 2).sum()
        cur_cv = float(_cv_from_sums(np.array([s1]), np.array([s2]), n_cov)[0])
        cur_gini = float(_gini_rows(x[covered][None, :])[0])
        cand_p, cand_a, cand_b, cand_id, cand_gi = [], [], [], [], []
        for (a, seg, reg), (gp, gid) in groups.items():
            b = group_targets[(a, seg, reg)]
            if len(b) == 0 or len(gp) == 0:
                continue
            k = inv_c[b] - inv_c[a]
            beta = 2 * x[b] * inv_c[b] - 2 * x[a] * inv_c[a]
            alpha = inv_c[a] ** 2 + inv_c[b] ** 2
            den = 2 * alpha * s1 - beta * k
            with np.errstate(divide="ignore", invalid="ignore"):
                pstar = np.where(np.abs(den) > _EPS, (2 * k * s2 - beta * s1) / den, 0.0)
            j = np.searchsorted(gp, pstar)
            idx = np.stack([np.zeros_like(j), np.full_like(j, len(gp) - 1), j - 1, j])
            idx = np.clip(idx, 0, len(gp) - 1)
            cand_p.append(gp[idx].ravel())
            cand_gi.append(idx.ravel())
            cand_a.append(np.full(idx.size, a))
            cand_b.append(np.tile(b, 4))
            cand_id.append(gid[idx].ravel())
        if not cand_p:
            break
        p = np.concatenate(cand_p)
        ca = np.concatenate(cand_a)
        cb = np.concatenate(cand_b)
        cid = np.concatenate(cand_id)
        xa_new = x[ca] - p * inv_c[ca]
        xb_new = x[cb] + p * inv_c[cb]
        ns1 = s1 - x[ca] - x[cb] + xa_new + xb_new
        ns2 = s2 - x[ca] ** 2 - x[cb] ** 2 + xa_new**2 + xb_new**2
        # Uncovered sources contribute nothing to the sums: their x and 1/C are 0.
        ns1 = np.where(covered[ca], ns1, s1 - x[cb] + xb_new)
        ns2 = np.where(covered[ca], ns2, s2 - x[cb] ** 2 + xb_new**2)
        cv = _cv_from_sums(ns1, ns2, n_cov)
        improving = cv < cur_cv - max(c.min_gain, 1e-12)
        if not improving.any():
            break
        order = np.lexsort((cid, tid[cb], tid[ca], cv))
        chosen = None
        cov_idx = np.flatnonzero(covered)
        for o in order[:64]:
            if not improving[o]:
                break
            trial = x.copy()
            trial[ca[o]] = xa_new[o] if covered[ca[o]] else 0.0
            trial[cb[o]] = xb_new[o]
            if _gini_rows(trial[cov_idx][None, :])[0] <= cur_gini + 1e-12:
                chosen = o
                break
        if chosen is None:
            break
        a, b, pa = int(ca[chosen]), int(cb[chosen]), float(p[chosen])
        pot[a] -= pa
        pot[b] += pa
        x = np.where(covered, pot * inv_c, 0.0)
        moves.append((int(cid[chosen]), int(tid[a]), int(tid[b]), pa, float(cv[chosen])))
        for key, (gp, gid) in groups.items():
            if key[0] == a:
                hit = np.flatnonzero(gid == cid[chosen])
                if len(hit):
                    groups[key] = [np.delete(gp, hit), np.delete(gid, hit)]
                    break
        status, msg = "improved", f"{len(moves)} move(s) lower the balance index."
    else:
        status = "improved"
        msg = f"{len(moves)} move(s); the {binding_cap.replace('_', ' ')} cap stopped the search."
    moves_df = (
        pd.DataFrame(moves, columns=_MOVE_COLUMNS).astype(
            {"account_id": "Int64", "from_territory_id": "Int64", "to_territory_id": "Int64"}
        )
        if moves
        else _empty_moves()
    )
    if status == "improved" and not moves:
        status = "no_improvement"
    return result(status, moves_df, None, msg)


# -- quotas -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuotaWeights:
    """How a quota suggestion blends territory potential and booking history.

    A rep's base share = potential_weight x share of team potential + history_weight x share of
    team bookings (last 12 months). Reps with less than `full_history_days` of tenure have
    incomplete history, so their base share is their potential share only. The base share is
    then multiplied by the rep's average ramp over the quota year and everything is scaled to
    the team target. `tolerance` is how far a current quota may sit from the suggestion before
    it is flagged over- or under-assigned.
    """

    potential_weight: float = 0.6
    history_weight: float = 0.4
    full_history_days: int = 365
    tolerance: float = 0.15


def _largest_remainder(raw: np.ndarray, total_cents: int) -> np.ndarray:
    """Integers proportional to raw that sum exactly to total_cents."""
    if raw.sum() <= 0:
        return np.zeros(len(raw), dtype=np.int64)
    exact = raw / raw.sum() * total_cents
    floor = np.floor(exact).astype(np.int64)
    short = int(total_cents - floor.sum())
    if short > 0:
        order = np.lexsort((np.arange(len(raw)), -(exact - floor)))
        floor[order[:short]] += 1
    return floor


def suggest_quotas(
    rep_frame: pd.DataFrame,
    reps: pd.DataFrame,
    team_target: float | None,
    as_of: date,
    weights: QuotaWeights | None = None,
    ramp_days: int = 180,
) -> pd.DataFrame:
    """Returns a suggested annual quota per rep beside the current one, summing to the target.

    Requires columns:
      rep_frame (from `rep_metrics`): rep_id, rep, territory_id, territory, potential,
        bookings_12m, annual_quota;
      reps: id, hire_date, end_date.
    `team_target` defaults to the sum of current quotas of active reps. Suggestions are
    rounded to cents so that they add up to the target exactly. Returns a frame with columns
    rep_id, rep, territory, potential_share, history_share, year_ramp, suggested_quota,
    current_quota, difference (current - suggested), difference_ratio, flag
    ("over-assigned", "under-assigned", "fair", "inactive") and reason.
    """
    w = weights or QuotaWeights()
    r = rep_frame.merge(
        reps[["id", "hire_date", "end_date"]], left_on="rep_id", right_on="id", how="left"
    )
    year_ramp = np.array(
        [
            year_ramp_factor(h, e, as_of, ramp_days)
            for h, e in zip(r["hire_date"], r["end_date"], strict=True)
        ],
        dtype="float64",
    )
    tenure = np.array(
        [(as_of - _as_date(h)).days if _as_date(h) is not None else 10**6 for h in r["hire_date"]]
    )
    active = year_ramp > 0
    current = _numeric(r, "annual_quota").to_numpy()
    target = float(current[active].sum()) if team_target is None else float(team_target)
    pot = _numeric(r, "potential").clip(lower=0).to_numpy() * active
    hist = _numeric(r, "bookings_12m").clip(lower=0).to_numpy() * active
    pot_share = (
        pot / pot.sum() if pot.sum() > 0 else np.where(active, 1.0 / max(1, active.sum()), 0.0)
    )
    hist_share = hist / hist.sum() if hist.sum() > 0 else np.zeros(len(r))
    full_hist = (tenure >= w.full_history_days) & (hist.sum() > 0)
    total_w = w.potential_weight + w.history_weight
    base = np.where(
        full_hist,
        (w.potential_weight * pot_share + w.history_weight * hist_share) / total_w,
        pot_share,
    )
    raw = base * year_ramp
    cents = (
        _largest_remainder(raw, round(target * 100)) if target > 0 else np.zeros(len(r), np.int64)
    )
    suggested = cents / 100.0
    diff = current - suggested
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(suggested > 0, current / np.where(suggested > 0, suggested, 1) - 1, np.nan)
    flag = np.where(
        ~active,
        "inactive",
        np.where(
            suggested <= 0,
            np.where(current > 0, "over-assigned", "fair"),
            np.where(
                ratio > w.tolerance,
                "over-assigned",
                np.where(ratio < -w.tolerance, "under-assigned", "fair"),
            ),
        ),
    )
    reason = np.where(
        ~active,
        "not active in the quota year",
        np.where(suggested <= 0, "no suggested quota", None),
    )
    out = pd.DataFrame(
        {
            "rep_id": r["rep_id"],
            "rep": r["rep"],
            "territory": r["territory"],
            "potential_share": pot_share,
            "history_share": np.where(full_hist, hist_share, np.nan),
            "year_ramp": year_ramp,
            "suggested_quota": suggested,
            "current_quota": current,
            "difference": diff,
            "difference_ratio": pd.Series(ratio).astype("Float64"),
            "flag": flag,
            "reason": pd.Series(reason, dtype="object"),
        }
    )
    out["history_share"] = out["history_share"].astype("Float64")
    return out


# -- one report for the page and the CLI ------------------------------------------------------
@dataclass(frozen=True)
class TerritoryReport:
    """Everything the Territory balance page and `salesops territory` show."""

    territories: pd.DataFrame
    reps: pd.DataFrame
    balance: BalanceIndex
    rep_balance: BalanceIndex
    uncovered_potential: float
    proposal: Proposal
    quotas: pd.DataFrame
    settings: TerritorySettings


def build_report(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
    account_rows: pd.DataFrame | None = None,
) -> TerritoryReport:
    """Returns the territory and rep tables, balance indexes, a proposal and quota suggestions.

    Requires the frames described in `territory_metrics`; the proposal moves `account_rows`
    (one row per account, see `propose_moves`), which default to `accounts`.
    """
    settings = settings or TerritorySettings()
    terr = territory_metrics(accounts, reps, territories, as_of, settings)
    rep_frame = rep_metrics(accounts, reps, territories, as_of, settings)
    rows = accounts if account_rows is None else account_rows
    proposal = propose_moves(rows, terr, constraints)
    quotas = suggest_quotas(rep_frame, reps, team_target, as_of, weights, settings.ramp_days)
    return TerritoryReport(
        territories=terr,
        reps=rep_frame,
        balance=team_balance(terr),
        rep_balance=team_balance(rep_frame),
        uncovered_potential=uncovered_potential(terr),
        proposal=proposal,
        quotas=quotas,
        settings=settings,
    )


def frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the rows as JSON-ready dicts: <NA>/NaN as None, numpy scalars as Python."""
    return [
        {k: json_value(v) for k, v in row.items()}
        for row in frame.astype("object").to_dict(orient="records")
    ]


def report_to_json(report: TerritoryReport, move_names: dict[int, str] | None = None) -> dict:
    """Returns the report in the DESIGN.md `salesops territory --format json` shape.

    `move_names` maps territory ids to names for the proposal's "from"/"to" (default: the
    names in the territory table). Undefined figures are null with a *_reason beside them.
    """
    names = move_names or dict(
        zip(report.territories["territory_id"], report.territories["territory"], strict=True)
    )
    moves = [
        {
            "account_id": int(m.account_id),
            "from": names.get(int(m.from_territory_id)),
            "to": names.get(int(m.to_territory_id)),
            "from_territory_id": int(m.from_territory_id),
            "to_territory_id": int(m.to_territory_id),
            "potential": float(m.potential),
            "cv_after": float(m.cv_after),
        }
        for m in report.proposal.moves.itertuples()
    ]
    p = report.proposal
    return {
        "settings": {
            "peer": report.settings.peer,
            "threshold": report.settings.threshold,
            "coverage_hours": dict(report.settings.coverage_hours),
            "working_weeks_per_year": report.settings.working_weeks_per_year,
            "ramp_days": report.settings.ramp_days,
        },
        "territories": frame_records(report.territories),
        "reps": frame_records(report.reps),
        "balance": report.balance.as_dict(),
        "rep_balance": report.rep_balance.as_dict(),
        "uncovered_potential": report.uncovered_potential,
        "proposal": {
            "status": p.status,
            "binding": p.binding,
            "message": p.message,
            "moves": moves,
            "before": p.before.as_dict(),
            "after": p.after.as_dict(),
        },
        "quota_suggestions": frame_records(report.quotas),
    }


# -- presentation frames (pure; the page draws them) -----------------------------------------
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
        top = float(grp["capacity_hours"].max()) * 1.1
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
    metrics: pd.DataFrame, proposal: Proposal, settings: TerritorySettings | None = None
) -> pd.DataFrame:
    """Returns each territory's potential, PPH and flag before and after the proposed moves.

    Requires columns of `territory_metrics` (territory_id, territory, segment, accounts,
    potential, capacity_hours, potential_per_capacity_hour, flag). Returns a frame with columns
    territory, potential_before, potential_after, pph_before, pph_after, flag_before, flag_after.
    """
    settings = settings or TerritorySettings()
    after = metrics.copy()
    moved = proposal.territories_after.set_index("territory_id")["potential"]
    after["potential"] = after["territory_id"].map(moved).fillna(after["potential"])
    after["potential_per_capacity_hour"] = _ratio(after["potential"], after["capacity_hours"])
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
