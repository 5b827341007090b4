"""Rebalancing proposals: known best moves, constraints, properties on random companies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.territory.balance import balance_index
from salesops.territory.metrics import territory_metrics
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import (
    AS_OF,
    SEGMENT,
    random_company,
    replay,
    rules,
    segment_company,
    two_territories,
)


def test_segment_peer_proposal_balances_within_segments():
    terr, accounts, reps = segment_company()
    m = territory_metrics(accounts, reps, terr, AS_OF, SEGMENT)
    prop = propose_moves(accounts, m, rules(same_region=True, same_segment=True))
    # Best: the 100k Enterprise account from E2 to E1 -> 200 / 200 (relative 1, 1) and the
    # 10k SMB account from S2 to S1 -> 20 / 20: relative loads all 1, CV 0 after two moves.
    moved = sorted(prop.moves["account_id"].tolist())
    assert moved == [3, 6]
    assert prop.after.cv == pytest.approx(0.0, abs=1e-12)
    assert prop.before.cv == pytest.approx(0.5)


def test_proposal_finds_known_best_move():
    accounts, terr = two_territories()
    prop = propose_moves(accounts, terr, rules())
    # Move 45k: 55 vs 65 -> CV 5/60. Move 30k: 70/50 -> 10/60. Move 25k: 75/45 -> 15/60.
    # After the 45k move nothing helps (20k back from T2 gives 75/45), so exactly one move.
    assert prop.status == "improved"
    assert prop.moves[["account_id", "from_territory_id", "to_territory_id"]].values.tolist() == [
        [1, 1, 2]
    ]
    assert prop.before.cv == pytest.approx(40 / 60)  # 100 vs 20: std 40, mean 60
    assert prop.after.cv == pytest.approx(5 / 60)
    assert prop.after.gini == pytest.approx(20 / (2 * 4 * 60))  # (|55-65| x 2) / (2 n^2 mean)
    after = prop.territories_after.set_index("territory_id")
    assert after.loc[1, "potential"] == 55_000 and after.loc[2, "potential"] == 65_000


def test_proposal_keep_largest_protects_the_big_account():
    accounts, terr = two_territories()
    prop = propose_moves(accounts, terr, rules(keep_largest=1))
    # 45k is kept; the best is then 30k (70/50, CV 10/60), then 25k would give 45/75: worse.
    assert prop.moves["account_id"].tolist() == [2]
    assert prop.after.cv == pytest.approx(10 / 60)


def test_no_move_into_zero_capacity_and_moves_out_of_uncovered():
    accounts, terr = two_territories()
    terr.loc[1, "capacity_hours"] = 0.0  # T2 has no capacity
    terr = pd.concat(
        [
            terr,
            pd.DataFrame(
                {
                    "territory_id": [3],
                    "region": ["East"],
                    "segment": ["SMB"],
                    "potential": [0.0],
                    "capacity_hours": [1000.0],
                }
            ),
        ],
        ignore_index=True,
    )
    prop = propose_moves(accounts, terr, rules(max_moves=10))
    assert 2 not in set(prop.moves["to_territory_id"])
    assert prop.after.cv < prop.before.cv


def test_infeasible_caps_keep_assignment_and_name_the_binding_constraint():
    accounts, terr = two_territories()
    by_moves = propose_moves(accounts, terr, rules(max_moves=0))
    assert (by_moves.status, by_moves.binding) == ("infeasible", "max_moves")
    assert by_moves.moves.empty and by_moves.after == by_moves.before
    by_share = propose_moves(accounts, terr, rules(max_share=0.1))  # floor(0.4) = 0
    assert (by_share.status, by_share.binding) == ("infeasible", "max_share")
    locked = propose_moves(accounts, terr, rules(keep_largest=3))
    assert (locked.status, locked.binding) == ("infeasible", "keep_largest")


def test_infeasible_region_constraint():
    accounts, terr = two_territories()
    terr["region"] = ["East", "West"]
    prop = propose_moves(accounts, terr, rules(same_region=True))
    assert prop.status == "infeasible" and prop.binding == "same_region+same_segment"
    assert "same_region" in prop.message
    free = propose_moves(accounts, terr, rules(same_region=False))
    assert free.status == "improved"


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
    assert prop.moves["account_id"].is_unique
    t = terr.set_index("territory_id")
    acc = accounts.set_index("id")
    capacity = t["capacity_hours"]
    for m in prop.moves.itertuples():
        assert capacity[m.to_territory_id] > 0
        if constraints.same_region:
            assert t.loc[m.to_territory_id, "region"] == t.loc[m.from_territory_id, "region"]
        if constraints.same_segment:
            assert t.loc[m.to_territory_id, "segment"] == acc.loc[m.account_id, "segment"]
        if constraints.keep_largest:
            # Rank in the original territory (largest first) must be beyond the kept ones.
            peers = acc[acc["territory_id"] == m.from_territory_id]["annual_potential"]
            assert (peers > acc.loc[m.account_id, "annual_potential"]).sum() >= 2


@pytest.mark.parametrize("seed", range(10))
def test_first_move_is_the_brute_force_best(seed):
    rng = np.random.default_rng(100 + seed)
    accounts, terr = random_company(rng, n_terr=4, n_acc=15)
    prop = propose_moves(accounts, terr, rules(same_region=False, same_segment=False, max_moves=1))
    # Try every single move by brute force on the territory potentials.
    t = terr.set_index("territory_id")
    cap = t["capacity_hours"].to_numpy()
    covered = cap > 0
    base_pot = accounts.groupby("territory_id")["annual_potential"].sum().reindex(t.index)
    base_pot = base_pot.fillna(0.0).to_numpy()
    base = balance_index(base_pot[covered] / cap[covered])
    pos = {tid: i for i, tid in enumerate(t.index)}
    best_cv = base.cv
    for a in accounts.itertuples():
        for to in t.index[covered]:
            if to == a.territory_id or a.annual_potential <= 0:
                continue
            pot = base_pot.copy()
            pot[pos[a.territory_id]] -= a.annual_potential
            pot[pos[to]] += a.annual_potential
            bi = balance_index(pot[covered] / cap[covered])
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
