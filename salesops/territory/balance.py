"""Load flags from utilisation, and the balance indexes of load and of potential.

Definitions (the page, the CLI and the tests all use these):

- **Utilisation** = workload hours / selling capacity hours (`salesops.capacity`); undefined
  without capacity.
- **Flags** (absolute, never relative to a median): utilisation above Settings
  `utilisation_over` is *over-loaded* (more accounts than the hours can cover: opportunity
  left on the table), below `utilisation_under` *under-loaded* (hours spent on too few
  accounts), else *balanced*; no capacity with accounts is *uncovered*, with none *empty*.
- **Balance index** (load): coefficient of variation (population standard deviation / mean,
  so one territory gives 0 and nothing divides by n - 1) and Gini of utilisation over the
  territories with capacity; 0 is perfectly balanced.
- **Potential per selling hour** (PPH) = potential / capacity hours; its **balance index**
  is taken over PPH / the median PPH of the territory's peers (its segment, or the team:
  Settings `peer_group`), so the segment mix does not count as imbalance.
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
FLAG_NO_CAPACITY = "no capacity"

EPS = 1e-12


@dataclass(frozen=True)
class BalanceIndex:
    """Coefficient of variation and Gini of a load measure (0 = balanced)."""

    cv: float | None
    gini: float | None
    n: int
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Returns the index as a JSON-ready dict (None where undefined)."""
        return {"cv": self.cv, "gini": self.gini, "n": self.n, "reason": self.reason}


def balance_index(values: pd.Series | np.ndarray | list[float]) -> BalanceIndex:
    """Returns CV (population) and Gini of the given values (utilisation or relative PPH).

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
        return BalanceIndex(None, None, n, "no workload or potential to balance")
    cv = float(x.std(ddof=0) / mean)
    xs = np.sort(x)
    gini = float(2 * np.sum(np.arange(1, n + 1) * xs) / (n * xs.sum()) - (n + 1) / n)
    return BalanceIndex(cv, max(0.0, gini), n)


def load_flags(
    utilisation: pd.Series, capacity: pd.Series, settings: TerritorySettings
) -> np.ndarray:
    """Returns over-loaded / under-loaded / balanced from utilisation and the absolute band."""
    u = pd.to_numeric(utilisation, errors="coerce").astype("float64").to_numpy()
    flag = np.where(
        u > settings.over + EPS,
        FLAG_OVER,
        np.where(u < settings.under - EPS, FLAG_UNDER, FLAG_BALANCED),
    )
    return np.where(capacity.to_numpy(dtype="float64") > 0, flag, FLAG_NO_CAPACITY)


def peer_medians(metrics: pd.DataFrame, peer: str) -> pd.Series:
    """Returns the median PPH of each row's peers (segment or team), as Float64."""
    pph = metrics["potential_per_capacity_hour"].astype("Float64").astype("float64")
    if peer == "segment":
        groups = metrics["segment"].astype("object").fillna("(none)")
    else:
        groups = pd.Series("team", index=metrics.index)
    return pph.groupby(groups).transform("median").astype("Float64")


def flag_territories(metrics: pd.DataFrame, settings: TerritorySettings) -> pd.DataFrame:
    """Returns the frame with peer_median, pph_vs_peers and flag added.

    Requires columns utilisation, potential_per_capacity_hour, capacity_hours, accounts and,
    for peer="segment", segment. flag is over-loaded, under-loaded or balanced from the
    utilisation band, uncovered (no capacity but accounts) or empty (neither).
    pph_vs_peers = PPH / peer median - 1 (<NA> when undefined).
    """
    out = metrics.copy()
    out["peer_median"] = peer_medians(out, settings.peer)
    pph = out["potential_per_capacity_hour"].astype("Float64")
    out["pph_vs_peers"] = ratio(pph, out["peer_median"]) - 1
    flag = load_flags(out["utilisation"], out["capacity_hours"], settings)
    no_cap = (out["capacity_hours"] <= 0).to_numpy()
    flag = np.where(no_cap & (out["accounts"] > 0).to_numpy(), FLAG_UNCOVERED, flag)
    flag = np.where(no_cap & (out["accounts"] == 0).to_numpy(), FLAG_EMPTY, flag)
    out["flag"] = flag
    return out


def peer_norm(frame: pd.DataFrame) -> np.ndarray:
    """Returns the peer median PPH per row where positive, else 1 (no normalisation)."""
    if "peer_median" not in frame:
        return np.ones(len(frame))
    med = pd.to_numeric(frame["peer_median"], errors="coerce").astype("float64").fillna(0.0)
    return np.where(med.to_numpy() > 0, med.to_numpy(), 1.0)


def team_balance(metrics: pd.DataFrame) -> BalanceIndex:
    """Returns the load balance index: CV and Gini of utilisation over rows with capacity.

    Requires columns utilisation, capacity_hours.
    """
    covered = metrics[metrics["capacity_hours"] > 0]
    return balance_index(covered["utilisation"].astype("float64").to_numpy())


def potential_balance(metrics: pd.DataFrame) -> BalanceIndex:
    """Returns the potential balance index: CV and Gini of PPH / peer median (with capacity).

    Requires columns potential_per_capacity_hour, capacity_hours and optionally peer_median.
    """
    covered = metrics[metrics["capacity_hours"] > 0]
    pph = covered["potential_per_capacity_hour"].astype("float64").to_numpy()
    return balance_index(pph / peer_norm(covered))


def uncovered_potential(metrics: pd.DataFrame) -> float:
    """Returns the potential sitting in territories with no capacity.

    Requires columns capacity_hours, potential.
    """
    return float(metrics.loc[metrics["capacity_hours"] <= 0, "potential"].sum())


def balance_words(
    cv: float | None, over: int, under: int, even: float, uneven: float
) -> tuple[str, str]:
    """Returns (a plain sentence about workload balance, tone "good" / "bad" / "neutral").

    `cv` is the balance index (spread of utilisation; 0 = every territory equally loaded);
    at or below `even` reads even, above `uneven` uneven (Settings.balance_even_cv /
    balance_uneven_cv). `over` and `under` count the flagged territories.
    """
    flagged = f"{over} over-loaded and {under} under-loaded territor" + (
        "y" if over + under == 1 else "ies"
    )
    if cv is None:
        return f"Workload balance is undefined; {flagged}.", "neutral"
    scale = f"index {cv:.2f}, where 0 is perfectly even and above {uneven:.2f} is uneven"
    if cv <= even and over + under == 0:
        return f"Workload is even across territories ({scale}).", "good"
    if cv <= even:  # evenly loaded, yet every territory may sit outside the band
        return f"Workload is even across territories ({scale}), but with {flagged}.", "neutral"
    if cv > uneven:
        return f"Workload is uneven across territories ({scale}): {flagged}.", "bad"
    return f"Workload is somewhat uneven ({scale}): {flagged}.", "neutral"
