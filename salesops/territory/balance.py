"""The balance index and the over/under-loaded flags.

Definitions (the page, the CLI and the tests all use these):

- **Potential per capacity hour** (PPH) = potential / capacity hours: the money each hour of
  selling time has to cover. It is undefined for a territory without capacity ("uncovered").
- **Balance index**: coefficient of variation (population standard deviation / mean, so one
  territory gives 0 and nothing divides by n - 1) and Gini coefficient of PPH over the
  territories that have capacity. 0 is perfectly balanced. With peer="segment" both are taken
  over PPH / segment median PPH, so the segment mix does not count as imbalance.
- **Flags**: a territory whose PPH is more than `threshold` (Settings `flag_threshold`) above
  the median PPH of its peers (its segment, or the whole team: Settings `peer_group`) is
  *over-loaded* (more potential than its hours can work: opportunity left on the table); more
  than `threshold` below is *under-loaded* (hours spent on too little potential); no capacity
  with accounts is *uncovered*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.territory.assumptions import TerritorySettings
from salesops.territory.columns import ratio

FLAG_OVER = "over-loaded"
FLAG_UNDER = "under-loaded"
FLAG_BALANCED = "balanced"
FLAG_UNCOVERED = "uncovered"
FLAG_EMPTY = "empty"

EPS = 1e-12


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


def flag_territories(metrics: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns the frame with peer_median, deviation and flag added.

    Requires columns potential_per_capacity_hour, capacity_hours, accounts, potential and, for
    peer="segment", segment. deviation = PPH / peer median - 1 (<NA> when undefined). flag is
    over-loaded (deviation > threshold), under-loaded (< -threshold), balanced, uncovered (no
    capacity but accounts) or empty (no capacity, no accounts).
    """
    out = metrics.copy()
    pph = out["potential_per_capacity_hour"].astype("Float64")
    if settings.peer == "segment":
        groups = out["segment"].fillna("(none)")
    else:
        groups = pd.Series("team", index=out.index)
    medians = pph.astype("float64").groupby(groups).transform("median")
    out["peer_median"] = medians.astype("Float64")
    out["deviation"] = ratio(pph, out["peer_median"]) - 1
    flag = np.where(
        out["deviation"].fillna(0) > settings.threshold + EPS,
        FLAG_OVER,
        np.where(out["deviation"].fillna(0) < -settings.threshold - EPS, FLAG_UNDER, FLAG_BALANCED),
    )
    no_cap = out["capacity_hours"] <= 0
    flag = np.where(no_cap & (out["accounts"] > 0), FLAG_UNCOVERED, flag)
    flag = np.where(no_cap & (out["accounts"] == 0), FLAG_EMPTY, flag)
    out["flag"] = flag
    return out


def peer_norm(frame: pd.DataFrame) -> np.ndarray:
    """Returns the peer median PPH per row where positive, else 1 (no normalisation)."""
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
    return balance_index(pph / peer_norm(covered))


def uncovered_potential(metrics: pd.DataFrame) -> float:
    """Returns the potential sitting in territories with no capacity.

    Requires columns capacity_hours, potential.
    """
    return float(metrics.loc[metrics["capacity_hours"] <= 0, "potential"].sum())
