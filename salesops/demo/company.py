"""The organisation: territories with unequal potential, reps allocated unevenly, accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.demo.catalog import (
    INDUSTRIES,
    QUOTA_BY_SEGMENT,
    REGIONS,
    SEGMENTS,
    SOURCE,
)
from salesops.demo.names import account_name, rep_name
from salesops.demo.state import DemoState


@dataclass(frozen=True)
class RepTraits:
    """Per rep (in id order): how well they sell and the share of their hours spent selling."""

    skill: np.ndarray
    selling_share: np.ndarray


def territories(state: DemoState) -> tuple[pd.DataFrame, np.ndarray]:
    """Returns (territories frame, each territory's relative potential weight)."""
    n = state.scale.territories
    segments = np.array(list(SEGMENTS))[np.arange(n) % 3]
    regions = np.array(REGIONS)[(np.arange(n) // 3) % len(REGIONS)]
    suffix = np.arange(n) // (3 * len(REGIONS))
    names = [
        f"{r} {s}" + (f" {k + 1}" if n > 3 * len(REGIONS) else "")
        for r, s, k in zip(regions, segments, suffix, strict=True)
    ]
    # Potential is unequal across territories and reps are not allocated in proportion:
    # that is what makes some territories over- and others under-loaded.
    weight = state.rng.lognormal(0.0, 0.45, n)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "source": SOURCE,
            "external_id": [f"T{i:03d}" for i in range(1, n + 1)],
            "name": names,
            "region": regions,
            "segment": segments,
        }
    )
    return frame, weight


def _territory_of_each_rep(state: DemoState, territories: pd.DataFrame) -> np.ndarray:
    """Returns each rep's territory id, allocated with little regard to potential."""
    n, nt, rng = state.scale.reps, len(territories), state.rng
    base = np.ones(nt) + rng.uniform(0, 1, nt)  # allocation ignores most of the potential
    alloc = np.maximum(1, np.floor(base / base.sum() * n)).astype(int)
    while alloc.sum() < n:
        alloc[rng.integers(nt)] += 1
    while alloc.sum() > n:
        alloc[np.argmax(alloc)] -= 1
    return np.repeat(territories["id"].to_numpy(), alloc)


def reps(state: DemoState, territories: pd.DataFrame) -> tuple[pd.DataFrame, RepTraits]:
    """Returns (reps frame, their traits): hires and leavers over the span, quotas by segment."""
    n, rng = state.scale.reps, state.rng
    territory_id = _territory_of_each_rep(state, territories)
    segment = territories.set_index("id").loc[territory_id, "segment"].to_numpy()
    span = state.n_days
    # 65% were on board before the data starts; the rest joined during it.
    joined_late = rng.uniform(size=n) < 0.35
    hire_offset = np.where(joined_late, rng.integers(30, span - 90, n), -rng.integers(200, 2500, n))
    hire = state.start + hire_offset.astype("timedelta64[D]")
    leaves = rng.uniform(size=n) < 0.12
    end_offset = rng.integers(180, span, n)
    end = np.where(
        leaves & (hire_offset + 240 < end_offset),
        state.start + end_offset.astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    names = [rep_name(i) for i in range(n)]
    capacity = np.where(rng.uniform(size=n) < 0.1, 32.0, 40.0)
    skill = rng.lognormal(0.0, 0.28, n)
    selling_share = np.clip(rng.normal(0.32, 0.065, n), 0.20, 0.45)
    managers = [f"Manager {chr(65 + int(t) % 26)}" for t in (territory_id - 1) // 2]
    frame = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "source": SOURCE,
            "external_id": [f"R{i:04d}" for i in range(1, n + 1)],
            "name": names,
            "email": [f"rep{i}@demo.example" for i in range(1, n + 1)],
            "territory_id": territory_id,
            "manager": managers,
            "hire_date": hire,
            "end_date": end,
            "annual_quota": np.array([QUOTA_BY_SEGMENT[s] for s in segment])
            * np.round(rng.uniform(0.85, 1.15, n), 2),
            "weekly_capacity_hours": capacity,
            "annual_cost": np.round(rng.uniform(110_000, 190_000, n), -3),
        }
    )
    return frame, RepTraits(skill, selling_share)


def accounts(
    state: DemoState, territories: pd.DataFrame, territory_weight: np.ndarray
) -> pd.DataFrame:
    """Returns the accounts, spread over territories by potential weight."""
    n, rng = state.scale.accounts, state.rng
    weights = territory_weight / territory_weight.sum()
    territory_id = rng.choice(territories["id"].to_numpy(), size=n, p=weights)
    segment = territories.set_index("id").loc[territory_id, "segment"].to_numpy()
    seg_potential = np.array([SEGMENTS[s][7] for s in segment])
    potential = np.round(seg_potential * rng.lognormal(0.0, 0.7, n), -2)
    employees = np.maximum(5, (potential / 1_500 * rng.lognormal(0, 0.4, n)).astype(int))
    industries = np.array(INDUSTRIES)
    created = state.start - rng.integers(0, 900, n).astype("timedelta64[D]")
    names = [account_name(i) for i in range(n)]
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "source": SOURCE,
            "external_id": [f"A{i:06d}" for i in range(1, n + 1)],
            "name": names,
            "territory_id": territory_id,
            "segment": segment,
            "industry": industries[rng.integers(0, 8, n)],
            "employees": employees,
            "annual_potential": potential,
            "created_at": created,
        }
    )
