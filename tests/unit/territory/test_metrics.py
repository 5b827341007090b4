"""The territory and rep tables: counts, ratios, undefined figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
    team_balance,
    uncovered_potential,
)
from salesops.territory.metrics import rep_metrics, territory_metrics
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import (
    AS_OF,
    OLD,
    SEGMENT,
    TEAM,
    accounts_frame,
    reps_frame,
    row,
    rules,
    territories_frame,
)


def test_territory_counts_potential_workload_capacity(metrics):
    t1, t2, t3, t4 = (row(metrics, i) for i in (1, 2, 3, 4))
    assert (t1["accounts"], t2["accounts"], t3["accounts"], t4["accounts"]) == (3, 3, 2, 2)
    assert (t1["reps"], t2["reps"], t3["reps"], t4["reps"]) == (1, 2, 1, 0)  # R5 has left
    assert t1["potential"] == 110_400 and t2["potential"] == 46_000
    assert t3["potential"] == 73_600 and t4["potential"] == 50_000
    assert t1["workload_hours"] == 18 and t2["workload_hours"] == 22
    assert t3["workload_hours"] == 80 and t4["workload_hours"] == 56
    assert t1["capacity_hours"] == 1840 and t2["capacity_hours"] == 1840 + 460
    assert t3["capacity_hours"] == 1840 and t4["capacity_hours"] == 0


def test_ratios_by_hand(metrics):
    t1, t2, t3 = (row(metrics, i) for i in (1, 2, 3))
    assert t1["potential_per_capacity_hour"] == pytest.approx(60.0)  # 110,400 / 1840
    assert t2["potential_per_capacity_hour"] == pytest.approx(20.0)  # 46,000 / 2300
    assert t3["potential_per_capacity_hour"] == pytest.approx(40.0)  # 73,600 / 1840
    assert t1["penetration"] == pytest.approx(6_000 / 110_400)
    assert t2["penetration"] == pytest.approx(0.1)  # 4,600 / 46,000
    assert t3["utilisation"] == pytest.approx(80 / 1840)
    assert t2["potential_per_rep"] == pytest.approx(23_000)  # 46,000 / 2 reps
    assert t1["pipeline_coverage"] == pytest.approx(3.0)  # 300,000 / 100,000
    assert t2["pipeline_coverage"] == pytest.approx(0.5)  # 60,000 / (80,000 + 40,000)
    assert t3["pipeline_coverage"] == pytest.approx(0.0)  # R5 has left: quota 150,000 only
    assert t3["quota"] == 150_000


def test_territory_without_reps_is_uncovered_and_undefined_not_inf(metrics):
    t4 = row(metrics, 4)
    assert t4["flag"] == FLAG_UNCOVERED
    for col in ("utilisation", "potential_per_capacity_hour", "potential_per_rep"):
        assert pd.isna(t4[col])
    assert t4["potential_per_capacity_hour_reason"] == "no capacity"
    assert t4["utilisation_reason"] == "no capacity"
    assert t4["pipeline_coverage_reason"] == "no quota"
    assert uncovered_potential(metrics) == 50_000
    numeric = metrics.select_dtypes("number").astype("float64").to_numpy()
    assert not np.isinf(numeric).any()


def test_coverage_hours_are_configurable():
    s = TerritorySettings.from_settings(
        Settings(),
        coverage_hours=TerritorySettings.coverage({"SMB": 10.0}),
        default_coverage_hours=1.0,
    )
    m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, s)
    assert row(m, 1)["workload_hours"] == 30  # 3 SMB x 10 h
    assert row(m, 3)["workload_hours"] == 2  # Enterprise not listed -> default 1 h each


def test_zero_potential_everywhere():
    accounts = accounts_frame().assign(annual_potential=0.0, bookings_12m=0.0)
    m = territory_metrics(accounts, reps_frame(), territories_frame(), AS_OF, SEGMENT)
    assert m["penetration"].isna().all()
    assert set(m["penetration_reason"]) == {"no potential"}
    bi = team_balance(m)
    assert bi.cv is None and bi.reason == "no potential to balance"
    assert (row(m, 1)["potential_per_capacity_hour"]) == 0.0  # defined: 0 / 1840
    prop = propose_moves(accounts, m, rules())
    assert prop.status == "trivial" and prop.moves.empty


def test_empty_frames_give_empty_results():
    m = territory_metrics(
        accounts_frame().iloc[:0],
        reps_frame().iloc[:0],
        territories_frame().iloc[:0],
        AS_OF,
        SEGMENT,
    )
    assert m.empty
    assert team_balance(m).cv is None


def test_rep_metrics_split_territory_by_capacity():
    r = rep_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, TEAM)
    r = r.set_index("rep_id")
    # T2 capacity 1840 (R2) + 460 (R3): shares 0.8 / 0.2 of 46,000 and of 3 accounts.
    assert r.loc[2, "potential"] == pytest.approx(36_800)
    assert r.loc[3, "potential"] == pytest.approx(9_200)
    assert r.loc[2, "accounts"] == pytest.approx(2.4)
    assert r.loc[2, "potential_per_capacity_hour"] == pytest.approx(20.0)
    assert r.loc[1, "potential_per_capacity_hour"] == pytest.approx(60.0)
    # R5 has left: no capacity, nothing allocated, utilisation undefined (not inf).
    assert r.loc[5, "capacity_hours"] == 0 and r.loc[5, "potential"] == 0
    assert pd.isna(r.loc[5, "utilisation"]) and r.loc[5, "utilisation_reason"] == "no capacity"
    assert r.loc[5, "flag"] == "no capacity"
    # Reps compared with the median rep PPH: 60, 20, 20, 40 -> 30.
    assert r.loc[1, "flag"] == FLAG_OVER and r.loc[4, "flag"] == FLAG_OVER
    assert r.loc[2, "flag"] == FLAG_UNDER
    assert r.loc[1, "pipeline_coverage_reason"] is None


def test_rep_metrics_use_account_owner_when_given():
    accounts = accounts_frame().assign(rep_id=[1, 1, 1, 2, 3, 3, 4, 4, None, None])
    r = rep_metrics(accounts, reps_frame(), territories_frame(), AS_OF, SEGMENT).set_index("rep_id")
    assert r.loc[3, "potential"] == 20_000 and r.loc[3, "accounts"] == 2
    assert r.loc[2, "potential"] == 26_000
    assert r.loc[3, "potential_per_capacity_hour"] == pytest.approx(20_000 / 460)


def test_rep_with_zero_capacity_and_rep_with_zero_accounts():
    terr = pd.concat(
        [
            territories_frame(),
            pd.DataFrame({"id": [5], "name": ["Empty"], "region": ["East"], "segment": ["SMB"]}),
        ],
        ignore_index=True,
    )
    reps = reps_frame()
    reps.loc[0, "weekly_capacity_hours"] = 0.0  # R1 has no selling hours at all
    extra = pd.DataFrame(
        {
            "id": [6],
            "name": ["R6"],
            "territory_id": [5],
            "weekly_capacity_hours": [40.0],
            "hire_date": [OLD],
            "end_date": [None],
            "annual_quota": [10.0],
        }
    )
    reps = pd.concat([reps, extra], ignore_index=True)
    m = territory_metrics(accounts_frame(), reps, terr, AS_OF, TEAM)
    assert row(m, 1)["flag"] == FLAG_UNCOVERED and pd.isna(row(m, 1)["utilisation"])
    # The rep without accounts carries 0 load, a defined 0 utilisation, and is under-loaded.
    assert row(m, 5)["potential"] == 0 and row(m, 5)["utilisation"] == 0
    assert row(m, 5)["flag"] == FLAG_UNDER
    r = rep_metrics(accounts_frame(), reps, terr, AS_OF, TEAM).set_index("rep_id")
    assert r.loc[1, "flag"] == "no capacity" and pd.isna(r.loc[1, "utilisation"])
    assert r.loc[6, "potential"] == 0 and r.loc[6, "utilisation"] == 0
    prop = propose_moves(
        accounts_frame(), m, rules(same_region=True, same_segment=True, max_moves=50)
    )
    assert 1 not in set(prop.moves["to_territory_id"])  # never into zero capacity
    assert prop.after.cv <= prop.before.cv


def test_pre_aggregated_account_rows_give_the_same_metrics():
    accounts = accounts_frame()
    grouped = (
        accounts.assign(segment=accounts["segment"].fillna("(none)"))
        .groupby(["territory_id", "segment"], as_index=False)
        .agg(
            accounts=("id", "size"),
            annual_potential=("annual_potential", "sum"),
            bookings_12m=("bookings_12m", "sum"),
        )
    )
    grouped["segment"] = grouped["segment"].replace("(none)", None)
    by_row = territory_metrics(accounts, reps_frame(), territories_frame(), AS_OF, TEAM)
    by_group = territory_metrics(grouped, reps_frame(), territories_frame(), AS_OF, TEAM)
    pd.testing.assert_frame_equal(by_row, by_group)
    reps_row = rep_metrics(accounts, reps_frame(), territories_frame(), AS_OF, TEAM)
    reps_group = rep_metrics(grouped, reps_frame(), territories_frame(), AS_OF, TEAM)
    pd.testing.assert_frame_equal(reps_row, reps_group)
