"""Small hand-worked companies the territory unit tests share (frames built inline)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.capacity.workload import STATED, AccountHours
from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.rebalance import Constraints

# Utilisation band 70% - 110% (Settings' defaults; test_utilisation_band_is_settings' pins it).
SETTINGS = TerritorySettings.from_settings(Settings())
# Stated hours an account needs: SMB 40, Enterprise 100, anything else 10.
HOURS = AccountHours((("Enterprise", 100.0, STATED), ("SMB", 40.0, STATED)), 10.0)


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
        }
    )


def reps_frame() -> pd.DataFrame:
    # Capacity (selling hours) as `salesops.capacity.rep_capacity` returns it. R5 has left.
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "name": ["R1", "R2", "R3", "R4", "R5"],
            "territory_id": [1, 2, 2, 3, 3],
            "active": [True, True, True, True, False],
            "capacity_hours": [100.0, 100.0, 50.0, 200.0, 0.0],
            "ramp": [1.0, 1.0, 0.5, 1.0, 0.0],
            "selling_share": [0.3] * 5,
            "share_source": ["own time logs"] * 5,
            "annual_quota": [100_000.0, 80_000.0, 40_000.0, 150_000.0, 90_000.0],
            "won_in_year": [0.0, 20_000.0, 0.0, 0.0, 0.0],
            "pipeline_in_year": [300_000.0, 30_000.0, 0.0, 0.0, 0.0],
            "open_pipeline": [300_000.0, 40_000.0, 0.0, 0.0, 0.0],
            "bookings_12m": [6_000.0, 4_600.0, 0.0, 0.0, 0.0],
        }
    )


def accounts_frame() -> pd.DataFrame:
    # T1: 3 SMB = 120 h / 100 h of capacity -> 120% (over-loaded)
    # T2: 2 SMB + 1 without segment = 90 h / 150 h -> 60% (under-loaded)
    # T3: 2 Enterprise = 200 h / 200 h -> 100% (balanced)
    # T4: Enterprise + Mid-Market = 110 h, no reps -> uncovered
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


def deals_frame() -> pd.DataFrame:
    # R2 holds 3 open deals on T2's SMB accounts, R3 one; R5 (gone) one on T3.
    return pd.DataFrame(
        {
            "rep_id": [2, 3, 5],
            "territory_id": [2, 2, 3],
            "segment": ["SMB", "SMB", "Enterprise"],
            "deals": [3, 1, 1],
        }
    )


def row(frame: pd.DataFrame, tid: int) -> pd.Series:
    return frame.set_index("territory_id").loc[tid]


def two_territories() -> tuple[pd.DataFrame, pd.DataFrame]:
    # Both 1000 capacity hours. T1 workload 100 h (45, 30, 25) = 10%; T2 20 h = 2%.
    accounts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "territory_id": [1, 1, 1, 2],
            "segment": ["SMB"] * 4,
            "workload_hours": [45.0, 30.0, 25.0, 20.0],
            "annual_potential": [45_000.0, 30_000.0, 25_000.0, 20_000.0],
        }
    )
    terr = pd.DataFrame(
        {
            "territory_id": [1, 2],
            "region": ["East", "East"],
            "segment": ["SMB", "SMB"],
            "workload_hours": [100.0, 20.0],
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
    accounts["workload_hours"] = np.where(accounts["segment"] == "SMB", 6.0, 40.0)
    by_terr = accounts.groupby("territory_id")[["annual_potential", "workload_hours"]].sum()
    by_terr = by_terr.reindex(terr["territory_id"]).fillna(0.0)
    terr["potential"] = by_terr["annual_potential"].to_numpy()
    terr["workload_hours"] = by_terr["workload_hours"].to_numpy()
    return accounts, terr


def replay(accounts, terr, moves, column: str = "workload_hours") -> pd.Series:
    """Utilisation (or PPH) after applying the moves to the original assignment."""
    where = accounts.set_index("id")["territory_id"].copy()
    for m in moves.itertuples():
        assert where[m.account_id] == m.from_territory_id
        where[m.account_id] = m.to_territory_id
    load = accounts.set_index("id")[column].groupby(where).sum()
    t = terr.set_index("territory_id")
    cap = t["capacity_hours"]
    return (load.reindex(t.index).fillna(0.0) / cap)[cap > 0]
