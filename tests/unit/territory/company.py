"""Small hand-worked companies the territory unit tests share (frames built inline)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.quotas import QuotaWeights
from salesops.territory.rebalance import Constraints

AS_OF = date(2026, 1, 1)
OLD = date(2020, 1, 1)
# The hand-worked numbers below assume these (Settings' defaults; test_assumptions pins them).
SEGMENT = TerritorySettings.from_settings(Settings())
TEAM = TerritorySettings.from_settings(Settings(), peer="team")
RAMP_DAYS = 180
WEIGHTS = QuotaWeights.from_settings(Settings())


def rules(**overrides: object) -> Constraints:
    """Returns the constraints these tests were written against: Settings', within a region."""
    return Constraints.from_settings(Settings(), **{"same_region": True, **overrides})


def territories_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "name": ["East SMB 1", "East SMB 2", "West Ent 1", "West Ent 2"],
            "region": ["East", "East", "West", "West"],
            "segment": ["SMB", "SMB", "Enterprise", "Enterprise"],
            "open_pipeline": [300_000.0, 60_000.0, 0.0, 0.0],
        }
    )


def reps_frame() -> pd.DataFrame:
    # Capacity = weekly hours x 46 weeks x ramp.
    # R1: 40 x 46 = 1840.  R2: 1840.  R3: hired 2025-10-03, 90 days before AS_OF, ramp 90/180
    # = 0.5 -> 20 x 46 x 0.5 = 460.  R4: 1840.  R5: left 2025-06-30 -> inactive, 0.
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "name": ["R1", "R2", "R3", "R4", "R5"],
            "territory_id": [1, 2, 2, 3, 3],
            "weekly_capacity_hours": [40.0, 40.0, 20.0, 40.0, 40.0],
            "hire_date": [OLD, OLD, date(2025, 10, 3), OLD, OLD],
            "end_date": [None, None, None, None, date(2025, 6, 30)],
            "annual_quota": [100_000.0, 80_000.0, 40_000.0, 150_000.0, 90_000.0],
            "bookings_12m": [6_000.0, 4_600.0, 0.0, 0.0, 0.0],
        }
    )


def accounts_frame() -> pd.DataFrame:
    # T1: 60,000 + 30,400 + 20,000 = 110,400  (3 SMB -> 18 h)
    # T2: 26,000 + 20,000 + 0 = 46,000        (2 SMB + 1 unknown segment -> 6+6+10 = 22 h)
    # T3: 50,000 + 23,600 = 73,600            (2 Enterprise -> 80 h)
    # T4: 30,000 + 20,000 = 50,000            (Enterprise + Mid-Market -> 56 h), no reps
    return pd.DataFrame(
        {
            "id": list(range(1, 11)),
            "territory_id": [1, 1, 1, 2, 2, 2, 3, 3, 4, 4],
            "segment": [
                "SMB",
                "SMB",
                "SMB",
                "SMB",
                "SMB",
                None,
                "Enterprise",
                "Enterprise",
                "Enterprise",
                "Mid-Market",
            ],  # fmt: skip
            "annual_potential": [
                60_000.0,
                30_400.0,
                20_000.0,
                26_000.0,
                20_000.0,
                0.0,
                50_000.0,
                23_600.0,
                30_000.0,
                20_000.0,
            ],  # fmt: skip
            "bookings_12m": [6_000.0, 0, 0, 4_600.0, 0, 0, 0, 0, 0, 0],
        }
    )


def row(frame: pd.DataFrame, tid: int) -> pd.Series:
    return frame.set_index("territory_id").loc[tid]


def segment_company() -> pd.DataFrame:
    # PPH: SMB 10 and 30 (median 20); Enterprise 100 and 300 (median 200). 1000 h each.
    return (
        pd.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "name": ["S1", "S2", "E1", "E2"],
                "region": ["East"] * 4,
                "segment": ["SMB", "SMB", "Enterprise", "Enterprise"],
            }
        ),
        pd.DataFrame(
            {
                "id": [1, 2, 3, 4, 5, 6],
                "territory_id": [1, 2, 2, 3, 4, 4],
                "segment": ["SMB", "SMB", "SMB", "Enterprise", "Enterprise", "Enterprise"],
                "annual_potential": [10_000.0, 20_000.0, 10_000.0, 100_000.0, 200_000.0, 100_000.0],
            }
        ),
        pd.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "territory_id": [1, 2, 3, 4],
                "weekly_capacity_hours": [1000 / 46] * 4,
                "hire_date": [OLD] * 4,
                "end_date": [None] * 4,
                "annual_quota": [1.0] * 4,
            }
        ),
    )


def two_territories() -> tuple[pd.DataFrame, pd.DataFrame]:
    # Both 1000 capacity hours. T1 100,000 (45k, 30k, 25k) = PPH 100; T2 20,000 = PPH 20.
    accounts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "territory_id": [1, 1, 1, 2],
            "segment": ["SMB"] * 4,
            "annual_potential": [45_000.0, 30_000.0, 25_000.0, 20_000.0],
        }
    )
    terr = pd.DataFrame(
        {
            "territory_id": [1, 2],
            "region": ["East", "East"],
            "segment": ["SMB", "SMB"],
            "potential": [100_000.0, 20_000.0],
            "capacity_hours": [1000.0, 1000.0],
        }
    )
    return accounts, terr


def random_company(rng: np.random.Generator, n_terr: int = 5, n_acc: int = 40):
    terr = pd.DataFrame(
        {
            "territory_id": np.arange(1, n_terr + 1),
            "region": rng.choice(["East", "West"], n_terr),
            "segment": rng.choice(["SMB", "Enterprise"], n_terr),
            "capacity_hours": rng.choice([0.0, 500.0, 1000.0, 1840.0], n_terr),
        }
    )
    terr.loc[0, "capacity_hours"] = 1840.0
    terr.loc[1, "capacity_hours"] = 920.0
    accounts = pd.DataFrame(
        {
            "id": np.arange(1, n_acc + 1),
            "territory_id": rng.integers(1, n_terr + 1, n_acc),
            "segment": rng.choice(["SMB", "Enterprise"], n_acc),
            "annual_potential": np.round(rng.lognormal(10, 1, n_acc), -2),
        }
    )
    terr["potential"] = (
        (accounts.groupby("territory_id")["annual_potential"].sum().reindex(terr["territory_id"]))
        .fillna(0.0)
        .to_numpy()
    )
    return accounts, terr


def replay(accounts, terr, moves) -> pd.Series:
    """PPH after applying the moves to the original assignment (an independent check)."""
    where = accounts.set_index("id")["territory_id"].copy()
    for m in moves.itertuples():
        assert where[m.account_id] == m.from_territory_id
        where[m.account_id] = m.to_territory_id
    pot = accounts.set_index("id")["annual_potential"].groupby(where).sum()
    t = terr.set_index("territory_id")
    cap = t["capacity_hours"]
    return (pot.reindex(t.index).fillna(0.0) / cap)[cap > 0]


def quota_inputs():
    rep_frame = pd.DataFrame(
        {
            "rep_id": [1, 2, 3, 4],
            "rep": ["A", "B", "C", "D"],
            "territory_id": [1, 1, 2, 2],
            "territory": ["T1", "T1", "T2", "T2"],
            "potential": [600.0, 300.0, 100.0, 500.0],
            "bookings_12m": [300.0, 100.0, 0.0, 50.0],
            "annual_quota": [500.0, 300.0, 200.0, 100.0],
        }
    )
    reps = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "hire_date": [OLD, OLD, date(2025, 10, 3), OLD],
            "end_date": [None, None, None, date(2025, 12, 1)],  # D has left
        }
    )
    return rep_frame, reps
