"""The territory and rep tables: counts, utilisation, rep loads, undefined figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.territory.balance import FLAG_NO_CAPACITY, FLAG_UNCOVERED, uncovered_potential
from salesops.territory.metrics import rep_loads, rep_metrics, territory_metrics
from tests.unit.territory.company import (
    HOURS,
    SETTINGS,
    accounts_frame,
    deals_frame,
    reps_frame,
    row,
    territories_frame,
)


def test_territory_counts_workload_capacity(metrics):
    t1, t2, t3, t4 = (row(metrics, i) for i in (1, 2, 3, 4))
    assert (t1["accounts"], t2["accounts"], t3["accounts"], t4["accounts"]) == (3, 3, 2, 2)
    assert (t1["reps"], t2["reps"], t3["reps"], t4["reps"]) == (1, 2, 1, 0)  # R5 has left
    assert t1["workload_hours"] == 120 and t2["workload_hours"] == 90
    assert t3["workload_hours"] == 200 and t4["workload_hours"] == 110
    assert t1["capacity_hours"] == 100 and t2["capacity_hours"] == 150
    assert t3["capacity_hours"] == 200 and t4["capacity_hours"] == 0


def test_ratios_and_pipeline_coverage_by_hand(metrics):
    t1, t2, t3 = (row(metrics, i) for i in (1, 2, 3))
    assert t1["potential_per_capacity_hour"] == pytest.approx(1104.0)  # 110,400 / 100
    assert t1["penetration"] == pytest.approx(6_000 / 110_400)
    assert t2["potential_per_rep"] == pytest.approx(23_000)  # 46,000 / 2 reps
    # Coverage = pipeline expected in the quota year / (quota - won so far in it)
    assert t1["pipeline_coverage"] == pytest.approx(3.0)  # 300,000 / 100,000
    assert t2["pipeline_coverage"] == pytest.approx(30_000 / (120_000 - 20_000))
    assert t3["pipeline_coverage"] == pytest.approx(0.0)  # R5 has left: quota 150,000 only
    assert t3["quota"] == 150_000


def test_territory_without_reps_is_uncovered_and_undefined_not_inf(metrics):
    t4 = row(metrics, 4)
    assert t4["flag"] == FLAG_UNCOVERED
    for col in ("utilisation", "potential_per_capacity_hour", "potential_per_rep"):
        assert pd.isna(t4[col])
    assert t4["utilisation_reason"] == "no capacity"
    assert t4["pipeline_coverage_reason"] == "no quota for the quota year"
    assert uncovered_potential(metrics) == 50_000
    numeric = metrics.select_dtypes("number").astype("float64").to_numpy()
    assert not np.isinf(numeric).any()


def test_rep_loads_follow_their_own_deals_then_capacity():
    reps = reps_frame()
    loads = rep_loads(accounts_frame(), reps, deals_frame(), HOURS)
    by_rep = loads.set_index(reps["id"])
    # T2's 2 SMB accounts (80 h) follow the deals 3:1; its account without a segment (10 h)
    # has no deal and is split by capacity 100:50.
    assert by_rep.loc[2, "workload_hours"] == pytest.approx(60 + 10 * 2 / 3)
    assert by_rep.loc[3, "workload_hours"] == pytest.approx(20 + 10 / 3)
    assert by_rep.loc[2, "pipeline_accounts"] == pytest.approx(1.5)
    # R1 holds no deal: T1's accounts by capacity (all of them); R5 has left: nothing.
    assert by_rep.loc[1, "accounts"] == pytest.approx(3.0)
    assert by_rep.loc[5, "workload_hours"] == 0
    # Every hour of covered territories is carried by someone.
    assert loads["workload_hours"].sum() == pytest.approx(120 + 90 + 200)


def test_rep_flags_come_from_each_rep_own_utilisation():
    reps = rep_metrics(accounts_frame(), reps_frame(), territories_frame(), HOURS, SETTINGS,
                       deals_frame()).set_index("rep_id")  # fmt: skip
    assert reps.loc[1, "utilisation"] == pytest.approx(1.2) and reps.loc[1, "flag"] == "over-loaded"
    assert reps.loc[2, "utilisation"] == pytest.approx((60 + 20 / 3) / 100)
    assert reps.loc[2, "flag"] == "under-loaded"
    assert reps.loc[4, "flag"] == "balanced"
    assert reps.loc[5, "flag"] == "inactive"
    u = reps["utilisation"].astype("float64")
    assert not ((reps["flag"] == "under-loaded") & (u >= SETTINGS.under)).any()
    assert not ((reps["flag"] == "over-loaded") & (u <= SETTINGS.over)).any()


def test_a_rep_with_zero_capacity_has_no_utilisation_not_inf():
    reps = reps_frame().assign(capacity_hours=[100.0, 0.0, 50.0, 200.0, 0.0])
    out = rep_metrics(accounts_frame(), reps, territories_frame(), HOURS, SETTINGS)
    r2 = out.set_index("rep_id").loc[2]
    assert r2["flag"] == FLAG_NO_CAPACITY and pd.isna(r2["utilisation"])
    assert r2["utilisation_reason"] == "no capacity" and r2["workload_hours"] == 0
    t = territory_metrics(accounts_frame(), reps, territories_frame(), HOURS, SETTINGS)
    assert row(t, 2)["utilisation"] == pytest.approx(90 / 50)  # R3 carries the territory


def test_accounts_without_segments_and_pre_aggregated_rows():
    facts = pd.DataFrame(
        {"territory_id": [1, 2], "segment": [None, None], "accounts": [4, 2],
         "annual_potential": [400.0, 200.0]}
    )  # fmt: skip
    m = territory_metrics(facts, reps_frame(), territories_frame(), HOURS, SETTINGS)
    assert row(m, 1)["workload_hours"] == 40 and row(m, 2)["workload_hours"] == 20
