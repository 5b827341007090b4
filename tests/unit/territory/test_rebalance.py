"""Rebalancing: moves on utilisation, swaps on potential, infeasible with the nearest feasible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.territory.balance import balance_index
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import random_company, replay, rules, two_territories


def test_proposal_finds_known_best_move():
    accounts, terr = two_territories()
    prop = propose_moves(accounts, terr, rules(max_swaps=0))
    # Loads per 1000 h: 100 vs 20. Move 45: 55 / 65 -> CV 5/60; 30: 70/50 -> 10/60; 25: 15/60.
    # After the 45 move nothing helps (20 back gives 75/45), so exactly one move.
    assert prop.status == "improved"
    assert prop.moves[["account_id", "from_territory_id", "to_territory_id"]].values.tolist() == [
        [1, 1, 2]
    ]
    assert prop.before.cv == pytest.approx(40 / 60)  # 100 vs 20: std 40, mean 60
    assert prop.after.cv == pytest.approx(5 / 60)
    assert prop.after.gini == pytest.approx(20 / (2 * 4 * 60))
    after = prop.territories_after.set_index("territory_id")
    assert after.loc[1, "workload_hours"] == 55 and after.loc[2, "workload_hours"] == 65
    assert after.loc[1, "potential"] == 55_000  # the moved account's potential went with it
    assert prop.moves.loc[0, "potential"] == 45_000


def test_equal_loads_move_the_account_with_the_least_potential():
    accounts, terr = two_territories()
    accounts["workload_hours"] = [30.0, 30.0, 30.0, 20.0]  # three equal SMB loads in T1
    terr["workload_hours"] = [90.0, 20.0]
    prop = propose_moves(accounts, terr, rules(max_moves=1, max_swaps=0))
    assert prop.moves["account_id"].tolist() == [3]  # 25,000: the least to hand over


def test_swaps_even_out_potential_and_keep_every_workload():
    accounts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "territory_id": [1, 1, 2, 2],
            "segment": ["SMB"] * 4,
            "workload_hours": [10.0] * 4,
            "annual_potential": [100.0, 80.0, 10.0, 30.0],
        }
    )
    terr = pd.DataFrame(
        {
            "territory_id": [1, 2], "region": ["East", "East"], "segment": ["SMB", "SMB"],
            "workload_hours": [20.0, 20.0], "potential": [180.0, 40.0],
            "capacity_hours": [100.0, 100.0], "peer_median": [1.1, 1.1],
        }
    )  # fmt: skip
    prop = propose_moves(accounts, terr, rules())
    assert prop.moves.empty  # utilisation is equal: nothing to move
    # Swapping 100 (T1) for 30 (T2) moves 70 of potential: 110 each, CV 0.
    assert prop.swaps[["account_id", "partner_id"]].values.tolist() == [[1, 4]]
    assert prop.potential_after.cv == pytest.approx(0.0, abs=1e-12)
    assert prop.potential_before.cv == pytest.approx(70 / 110)
    after = prop.territories_after.set_index("territory_id")
    assert after["workload_hours"].tolist() == [20.0, 20.0]
    assert after["potential"].tolist() == pytest.approx([110.0, 110.0])
    assert prop.status == "improved" and "1 swap" in prop.message


def test_keep_largest_protects_the_big_account():
    accounts, terr = two_territories()
    prop = propose_moves(accounts, terr, rules(keep_largest=1, max_swaps=0))
    # 45 is kept; the best is then 30 (70/50, CV 10/60), then 25 would give 45/75: worse.
    assert prop.moves["account_id"].tolist() == [2]
    assert prop.after.cv == pytest.approx(10 / 60)


def test_no_move_into_zero_capacity_and_moves_out_of_uncovered():
    accounts, terr = two_territories()
    terr.loc[1, "capacity_hours"] = 0.0  # T2 has no capacity
    third = pd.DataFrame(
        {"territory_id": [3], "region": ["East"], "segment": ["SMB"], "workload_hours": [0.0],
         "potential": [0.0], "capacity_hours": [1000.0]}
    )  # fmt: skip
    terr = pd.concat([terr, third], ignore_index=True)
    prop = propose_moves(accounts, terr, rules(max_moves=10))
    assert 2 not in set(prop.moves["to_territory_id"])
    assert prop.after.cv < prop.before.cv


def test_infeasible_caps_name_the_binding_constraint_and_the_nearest_feasible():
    accounts, terr = two_territories()
    by_moves = propose_moves(accounts, terr, rules(max_moves=0, max_swaps=0))
    assert (by_moves.status, by_moves.binding) == ("infeasible", "max_moves")
    assert by_moves.moves.empty and by_moves.after == by_moves.before
    assert by_moves.nearest is not None and by_moves.nearest.constraints.max_moves == 1
    assert len(by_moves.nearest.proposal.moves) == 1
    assert "Nearest feasible: without the cap on moves, 1 move(s)" in by_moves.nearest.sentence()
    by_share = propose_moves(accounts, terr, rules(max_share=0.1, max_swaps=0))  # floor(0.4) = 0
    assert (by_share.status, by_share.binding) == ("infeasible", "max_share")
    locked = propose_moves(accounts, terr, rules(keep_largest=3, max_swaps=0))
    assert (locked.status, locked.binding) == ("infeasible", "keep_largest")
    assert locked.nearest.proposal.status == "improved"


def test_infeasible_region_constraint_proposes_the_nearest_feasible():
    accounts, terr = two_territories()
    terr["region"] = ["East", "West"]
    prop = propose_moves(accounts, terr, rules(same_region=True))
    assert prop.status == "infeasible" and prop.binding == "same_region"
    assert "same region only" in prop.message
    assert prop.nearest.relaxed == "same_region"
    assert prop.nearest.proposal.status == "improved"
    assert "without same region only" in prop.nearest.sentence()
    assert not prop.nearest.constraints.same_region


def test_max_moves_cap_is_respected():
    accounts, terr = random_company(np.random.default_rng(3))
    prop = propose_moves(accounts, terr, rules(max_moves=2, min_gain=0.0))
    assert len(prop.moves) <= 2


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "constraints",
    [
        rules(same_region=False, same_segment=False, max_moves=8),
        rules(same_region=True, same_segment=False, max_moves=8, keep_largest=2),
        rules(same_region=False, same_segment=True, max_share=0.1),
    ],
)
def test_proposal_properties(seed, constraints):
    rng = np.random.default_rng(seed)
    accounts, terr = random_company(rng)
    prop = propose_moves(accounts, terr, constraints)
    before = balance_index(replay(accounts, terr, prop.moves.iloc[:0]))
    after = balance_index(replay(accounts, terr, prop.moves))
    assert prop.before.cv == pytest.approx(before.cv)
    assert prop.after.cv == pytest.approx(after.cv)
    assert after.cv <= before.cv + 1e-12 and after.gini <= before.gini + 1e-12
    cap = constraints.max_moves if constraints.max_share is None else int(0.1 * len(accounts))
    assert len(prop.moves) <= cap
    touched = [*prop.moves["account_id"], *prop.swaps["account_id"], *prop.swaps["partner_id"]]
    assert len(touched) == len(set(touched))  # an account moves or swaps at most once
    assert prop.potential_after.cv <= (prop.potential_before.cv or 0) + 1 or prop.moves.size
    t = terr.set_index("territory_id")
    acc = accounts.set_index("id")
    for m in prop.moves.itertuples():
        assert t.loc[m.to_territory_id, "capacity_hours"] > 0
        if constraints.same_region:
            assert t.loc[m.to_territory_id, "region"] == t.loc[m.from_territory_id, "region"]
        if constraints.same_segment:
            assert t.loc[m.to_territory_id, "segment"] == acc.loc[m.account_id, "segment"]
        if constraints.keep_largest:
            peers = acc[acc["territory_id"] == m.from_territory_id]["annual_potential"]
            assert (peers > acc.loc[m.account_id, "annual_potential"]).sum() >= 2
    for s in prop.swaps.itertuples():  # swaps keep workloads: one segment on both sides
        assert acc.loc[s.account_id, "segment"] == acc.loc[s.partner_id, "segment"]


@pytest.mark.parametrize("seed", range(10))
def test_first_move_is_the_brute_force_best(seed):
    rng = np.random.default_rng(100 + seed)
    accounts, terr = random_company(rng, n_terr=4, n_acc=15)
    free = rules(same_region=False, same_segment=False, max_moves=1, max_swaps=0)
    prop = propose_moves(accounts, terr, free)
    t = terr.set_index("territory_id")
    cap = t["capacity_hours"].to_numpy()
    covered = cap > 0
    base_load = accounts.groupby("territory_id")["workload_hours"].sum().reindex(t.index)
    base_load = base_load.fillna(0.0).to_numpy()
    base = balance_index(base_load[covered] / cap[covered])
    pos = {tid: i for i, tid in enumerate(t.index)}
    best_cv = base.cv
    for a in accounts.itertuples():
        for to in t.index[covered]:
            if to == a.territory_id:
                continue
            load = base_load.copy()
            load[pos[a.territory_id]] -= a.workload_hours
            load[pos[to]] += a.workload_hours
            bi = balance_index(load[covered] / cap[covered])
            if bi.gini <= base.gini + 1e-12:
                best_cv = min(best_cv, bi.cv)
    assert prop.before.cv == pytest.approx(base.cv)
    if best_cv < base.cv - 1e-4:
        assert prop.after.cv == pytest.approx(best_cv)
    else:
        assert prop.moves.empty


def test_time_limit_returns_best_found_with_status():
    accounts, terr = random_company(np.random.default_rng(7))
    prop = propose_moves(
        accounts, terr, rules(same_region=False, same_segment=False, time_limit_s=0.0)
    )
    assert prop.status == "time_limit" and prop.moves.empty
    assert prop.after == prop.before


def test_not_asked_without_account_rows():
    _, terr = two_territories()
    prop = propose_moves(None, terr, rules())
    assert prop.status == "not_asked" and prop.moves.empty and prop.swaps.empty
