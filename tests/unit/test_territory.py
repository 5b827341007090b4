from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesops.territory import (
    FLAG_BALANCED,
    FLAG_OVER,
    FLAG_UNCOVERED,
    FLAG_UNDER,
    Constraints,
    QuotaWeights,
    TerritorySettings,
    balance_index,
    flag_territories,
    propose_moves,
    ramp_factor,
    rep_metrics,
    suggest_quotas,
    team_balance,
    territory_metrics,
    uncovered_potential,
    year_ramp_factor,
)

AS_OF = date(2026, 1, 1)
TEAM = TerritorySettings(peer="team")
OLD = date(2020, 1, 1)


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


@pytest.fixture
def metrics() -> pd.DataFrame:
    return territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, TEAM)


def row(frame: pd.DataFrame, tid: int) -> pd.Series:
    return frame.set_index("territory_id").loc[tid]


# -- ramp -------------------------------------------------------------------------------------
def test_ramp_factor_linear_then_full_and_zero_outside_employment():
    assert ramp_factor(date(2025, 10, 3), None, AS_OF) == pytest.approx(0.5)  # 90 / 180
    assert ramp_factor(OLD, None, AS_OF) == 1.0
    assert ramp_factor(date(2026, 2, 1), None, AS_OF) == 0.0  # not started yet
    assert ramp_factor(OLD, date(2025, 12, 31), AS_OF) == 0.0  # left
    assert ramp_factor(None, None, AS_OF) == 1.0  # unknown hire date counts as ramped


def test_ramp_accepts_datetime64_frames_with_nat():
    reps = reps_frame()
    reps["hire_date"] = pd.to_datetime(reps["hire_date"])
    reps["end_date"] = pd.to_datetime(reps["end_date"])  # None -> NaT
    m = territory_metrics(accounts_frame(), reps, territories_frame(), AS_OF)
    assert row(m, 2)["capacity_hours"] == 1840 + 460
    assert row(m, 3)["reps"] == 1


def test_year_ramp_factor_averages_the_rest_of_the_ramp():
    # 90 days in: ramps from 0.5 to 1.0 over the next 90 days (mean 0.75), then 275 days at 1.
    assert year_ramp_factor(date(2025, 10, 3), None, AS_OF) == pytest.approx(
        (90 * 0.75 + 275) / 365
    )
    assert year_ramp_factor(OLD, None, AS_OF) == 1.0
    # Starts in 65 days: 0 for 65 days, ramps 0 -> 1 for 180 days (mean 0.5), 120 days at 1.
    assert year_ramp_factor(date(2026, 3, 7), None, AS_OF) == pytest.approx((180 * 0.5 + 120) / 365)
    assert year_ramp_factor(OLD, date(2025, 6, 30), AS_OF) == 0.0
    # Ramped but leaving in 100 days: 100 of the 365 days at full capacity.
    assert year_ramp_factor(OLD, date(2026, 4, 11), AS_OF) == pytest.approx(100 / 365)
    # Starts in 400 days: nothing in this quota year.
    assert year_ramp_factor(date(2027, 2, 5), None, AS_OF) == 0.0


# -- territory metrics ------------------------------------------------------------------------
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


def test_flags_against_team_median(metrics):
    # Median of 60, 20, 40 = 40: T1 +50 % over, T2 -50 % under, T3 on the median.
    assert row(metrics, 1)["flag"] == FLAG_OVER
    assert row(metrics, 1)["deviation"] == pytest.approx(0.5)
    assert row(metrics, 2)["flag"] == FLAG_UNDER
    assert row(metrics, 3)["flag"] == FLAG_BALANCED
    assert row(metrics, 3)["peer_median"] == pytest.approx(40.0)


def test_threshold_is_configurable(metrics):
    wide = territory_metrics(
        accounts_frame(),
        reps_frame(),
        territories_frame(),
        AS_OF,
        TerritorySettings(threshold=0.6, peer="team"),
    )
    assert set(wide.loc[wide["territory_id"] < 4, "flag"]) == {FLAG_BALANCED}


def test_segment_peers_compare_within_segment():
    s = TerritorySettings(peer="segment")
    m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, s)
    # SMB peers: median(60, 20) = 40 -> T1 +50 %, T2 -50 %; Enterprise: T3 alone -> balanced.
    assert row(m, 1)["flag"] == FLAG_OVER and row(m, 2)["flag"] == FLAG_UNDER
    assert row(m, 3)["peer_median"] == pytest.approx(40.0)
    assert row(m, 3)["flag"] == FLAG_BALANCED


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


def test_segment_peers_take_the_segment_mix_out_of_the_index():
    terr, accounts, reps = segment_company()
    m = territory_metrics(accounts, reps, terr, AS_OF, TerritorySettings(peer="segment"))
    assert row(m, 1)["potential_per_capacity_hour"] == pytest.approx(10.0)
    assert row(m, 4)["potential_per_capacity_hour"] == pytest.approx(300.0)
    bi = team_balance(m)
    # Relative loads 0.5, 1.5, 0.5, 1.5: mean 1, std 0.5 -> CV 0.5;
    # Gini = sum |xi - xj| (8 ordered pairs differ by 1) / (2 x 4^2 x 1) = 0.25.
    assert bi.cv == pytest.approx(0.5) and bi.gini == pytest.approx(0.25)
    team = team_balance(territory_metrics(accounts, reps, terr, AS_OF, TEAM))
    # Team-wide: 10, 30, 100, 300: mean 110, variance (100^2+80^2+10^2+190^2)/4 = 52,600/4 = 13,150.
    assert team.cv == pytest.approx(math.sqrt(13_150) / 110)
    m_team = territory_metrics(accounts, reps, terr, AS_OF, TEAM)
    assert set(m_team["flag"]) == {FLAG_OVER, FLAG_UNDER}  # median 65: segments dominate


def test_segment_peer_proposal_balances_within_segments():
    terr, accounts, reps = segment_company()
    m = territory_metrics(accounts, reps, terr, AS_OF, TerritorySettings(peer="segment"))
    prop = propose_moves(accounts, m, Constraints(same_region=True, same_segment=True))
    # Best: the 100k Enterprise account from E2 to E1 -> 200 / 200 (relative 1, 1) and the
    # 10k SMB account from S2 to S1 -> 20 / 20: relative loads all 1, CV 0 after two moves.
    moved = sorted(prop.moves["account_id"].tolist())
    assert moved == [3, 6]
    assert prop.after.cv == pytest.approx(0.0, abs=1e-12)
    assert prop.before.cv == pytest.approx(0.5)


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
    s = TerritorySettings(
        coverage_hours=TerritorySettings.coverage({"SMB": 10.0}), default_coverage_hours=1.0
    )
    m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, s)
    assert row(m, 1)["workload_hours"] == 30  # 3 SMB x 10 h
    assert row(m, 3)["workload_hours"] == 2  # Enterprise not listed -> default 1 h each


def test_balance_index_by_hand(metrics):
    bi = team_balance(metrics)
    # Values 60, 20, 40: mean 40, population variance (400 + 400 + 0) / 3, CV = sqrt(800/3)/40.
    assert bi.cv == pytest.approx(math.sqrt(800 / 3) / 40)
    # Gini: sum |xi - xj| over ordered pairs = 2 x (20 + 40 + 20) = 160; / (2 x 3^2 x 40) = 2/9.
    assert bi.gini == pytest.approx(2 / 9)
    assert bi.n == 3  # the uncovered territory is not part of the index


def test_balance_index_single_and_empty_and_zero():
    one = balance_index([42.0])
    assert (one.cv, one.gini, one.reason) == (0.0, 0.0, "n/a: single territory or rep")
    none = balance_index([])
    assert none.cv is None and none.gini is None and none.reason
    zero = balance_index([0.0, 0.0])
    assert zero.cv is None and zero.reason == "no potential to balance"
    equal = balance_index([5.0, 5.0, 5.0])
    assert equal.cv == 0.0 and equal.gini == pytest.approx(0.0)


def test_one_rep_territory_team():
    terr = territories_frame().iloc[:1]
    reps = reps_frame().iloc[:1]
    accounts = accounts_frame().iloc[:3]
    m = territory_metrics(accounts, reps, terr, AS_OF)
    assert row(m, 1)["flag"] == FLAG_BALANCED
    bi = team_balance(m)
    assert (bi.cv, bi.gini) == (0.0, 0.0)
    prop = propose_moves(accounts, m)
    assert prop.status == "trivial" and prop.moves.empty


def test_zero_potential_everywhere():
    accounts = accounts_frame().assign(annual_potential=0.0, bookings_12m=0.0)
    m = territory_metrics(accounts, reps_frame(), territories_frame(), AS_OF)
    assert m["penetration"].isna().all()
    assert set(m["penetration_reason"]) == {"no potential"}
    bi = team_balance(m)
    assert bi.cv is None and bi.reason == "no potential to balance"
    assert (row(m, 1)["potential_per_capacity_hour"]) == 0.0  # defined: 0 / 1840
    prop = propose_moves(accounts, m)
    assert prop.status == "trivial" and prop.moves.empty


def test_empty_frames_give_empty_results():
    m = territory_metrics(
        accounts_frame().iloc[:0], reps_frame().iloc[:0], territories_frame().iloc[:0], AS_OF
    )
    assert m.empty
    assert team_balance(m).cv is None


# -- rep metrics ------------------------------------------------------------------------------
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
    r = rep_metrics(accounts, reps_frame(), territories_frame(), AS_OF).set_index("rep_id")
    assert r.loc[3, "potential"] == 20_000 and r.loc[3, "accounts"] == 2
    assert r.loc[2, "potential"] == 26_000
    assert r.loc[3, "potential_per_capacity_hour"] == pytest.approx(20_000 / 460)


# -- proposals --------------------------------------------------------------------------------
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


def test_proposal_finds_known_best_move():
    accounts, terr = two_territories()
    prop = propose_moves(accounts, terr)
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
    prop = propose_moves(accounts, terr, Constraints(keep_largest=1))
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
    prop = propose_moves(accounts, terr, Constraints(max_moves=10))
    assert 2 not in set(prop.moves["to_territory_id"])
    assert prop.after.cv < prop.before.cv


def test_infeasible_caps_keep_assignment_and_name_the_binding_constraint():
    accounts, terr = two_territories()
    by_moves = propose_moves(accounts, terr, Constraints(max_moves=0))
    assert (by_moves.status, by_moves.binding) == ("infeasible", "max_moves")
    assert by_moves.moves.empty and by_moves.after == by_moves.before
    by_share = propose_moves(accounts, terr, Constraints(max_share=0.1))  # floor(0.4) = 0
    assert (by_share.status, by_share.binding) == ("infeasible", "max_share")
    locked = propose_moves(accounts, terr, Constraints(keep_largest=3))
    assert (locked.status, locked.binding) == ("infeasible", "keep_largest")


def test_infeasible_region_constraint():
    accounts, terr = two_territories()
    terr["region"] = ["East", "West"]
    prop = propose_moves(accounts, terr, Constraints(same_region=True))
    assert prop.status == "infeasible" and prop.binding == "same_region+same_segment"
    assert "same_region" in prop.message
    free = propose_moves(accounts, terr, Constraints(same_region=False))
    assert free.status == "improved"


def test_max_moves_cap_is_respected():
    accounts, terr = random_company(np.random.default_rng(3))
    prop = propose_moves(accounts, terr, Constraints(max_moves=2, min_gain=0.0))
    assert len(prop.moves) <= 2


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


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "constraints",
    [
        Constraints(same_region=False, same_segment=False, max_moves=8),
        Constraints(same_region=True, same_segment=False, max_moves=8, keep_largest=2),
        Constraints(same_region=False, same_segment=True, max_share=0.1),
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
    prop = propose_moves(
        accounts, terr, Constraints(same_region=False, same_segment=False, max_moves=1)
    )
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
        accounts, terr, Constraints(same_region=False, same_segment=False, time_limit_s=0.0)
    )
    assert prop.status == "time_limit" and prop.moves.empty
    assert prop.after == prop.before


# -- quotas -----------------------------------------------------------------------------------
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


def test_quota_suggestions_by_hand():
    rep_frame, reps = quota_inputs()
    q = suggest_quotas(rep_frame, reps, 1_000.0, AS_OF).set_index("rep_id")
    # Active A, B, C. Potential shares 0.6, 0.3, 0.1; history shares 300/400, 100/400, 0.
    # A: 0.6 x 0.6 + 0.4 x 0.75 = 0.66; B: 0.18 + 0.10 = 0.28; C (90 days, incomplete
    # history): 0.1 x year ramp (90 x 0.75 + 275) / 365.
    c_raw = 0.1 * (90 * 0.75 + 275) / 365
    total = 0.66 + 0.28 + c_raw
    assert q.loc[1, "suggested_quota"] == pytest.approx(1000 * 0.66 / total, abs=0.01)
    assert q.loc[2, "suggested_quota"] == pytest.approx(1000 * 0.28 / total, abs=0.01)
    assert q.loc[3, "suggested_quota"] == pytest.approx(1000 * c_raw / total, abs=0.01)
    assert q["suggested_quota"].sum() == pytest.approx(1_000.0, abs=1e-9)
    assert round(q["suggested_quota"].sum() * 100) == 100_000  # exact to the cent
    # A: 500 vs 638.40 -> under-assigned; B: 300 vs 270.84 (+10.8 %) fair; C: 200 vs 90.76 over.
    assert q.loc[1, "flag"] == "under-assigned"
    assert q.loc[2, "flag"] == "fair"
    assert q.loc[3, "flag"] == "over-assigned"
    assert q.loc[4, "flag"] == "inactive" and q.loc[4, "suggested_quota"] == 0
    assert pd.isna(q.loc[3, "history_share"])


def test_quota_target_defaults_to_current_active_total_and_weights_matter():
    rep_frame, reps = quota_inputs()
    q = suggest_quotas(rep_frame, reps, None, AS_OF)
    assert q["suggested_quota"].sum() == pytest.approx(1_000.0)  # 500 + 300 + 200 (D left)
    pot_only = suggest_quotas(
        rep_frame, reps, 900.0, AS_OF, QuotaWeights(potential_weight=1.0, history_weight=0.0)
    ).set_index("rep_id")
    # Potential only: A 0.6, B 0.3, C 0.1 x ramp -> A/B = 2 exactly.
    assert pot_only.loc[1, "suggested_quota"] / pot_only.loc[2, "suggested_quota"] == (
        pytest.approx(2.0, rel=1e-4)  # rounded to cents
    )
    assert pot_only["suggested_quota"].sum() == pytest.approx(900.0)


def test_quota_with_no_potential_and_no_history_splits_by_ramp():
    rep_frame, reps = quota_inputs()
    rep_frame = rep_frame.assign(potential=0.0, bookings_12m=0.0)
    q = suggest_quotas(rep_frame, reps, 300.0, AS_OF).set_index("rep_id")
    # Equal shares x year ramp: A 1, B 1, C 342.5/365.
    c = (90 * 0.75 + 275) / 365
    assert q.loc[1, "suggested_quota"] == pytest.approx(300 / (2 + c), abs=0.01)
    assert q["suggested_quota"].sum() == pytest.approx(300.0)
    assert not q["suggested_quota"].isin([np.inf]).any()


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
        accounts_frame(), m, Constraints(same_region=True, same_segment=True, max_moves=50)
    )
    assert 1 not in set(prop.moves["to_territory_id"])  # never into zero capacity
    assert prop.after.cv <= prop.before.cv


def test_report_json_shape_has_no_nan_or_inf():
    import json

    from salesops.territory import build_report, report_to_json

    report = build_report(
        accounts_frame(),
        reps_frame(),
        territories_frame(),
        AS_OF,
        TEAM,
        Constraints(same_region=False, same_segment=False, max_moves=3),
    )
    data = report_to_json(report)
    text = json.dumps(data, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text
    t4 = next(t for t in data["territories"] if t["territory_id"] == 4)
    assert t4["potential_per_capacity_hour"] is None
    assert t4["potential_per_capacity_hour_reason"] == "no capacity"
    assert t4["flag"] == "uncovered"
    assert set(data["balance"]) >= {"cv", "gini"}
    assert data["balance"]["cv"] == pytest.approx(math.sqrt(800 / 3) / 40)
    assert set(data["proposal"]) >= {"moves", "before", "after"}
    for move in data["proposal"]["moves"]:
        assert set(move) >= {"account_id", "from", "to"}
        assert move["to"] != "West Ent 2"  # uncovered: never a target
    assert data["proposal"]["after"]["cv"] <= data["proposal"]["before"]["cv"]
    assert sum(q["suggested_quota"] for q in data["quota_suggestions"]) == pytest.approx(
        100_000 + 80_000 + 40_000 + 150_000
    )


def test_balanced_lines_and_presentation_frames(metrics):
    from salesops.territory import balanced_lines, describe_moves, workload_long

    lines = balanced_lines(metrics, TEAM)
    # Team median 40 per hour; largest capacity 2300 x 1.1 = 2530 -> balanced 101,200.
    end = lines[lines["capacity_hours"] > 0].iloc[0]
    assert end["balanced"] == pytest.approx(40 * 2530)
    assert end["high"] == pytest.approx(40 * 2530 * 1.25)
    assert len(lines) == 2
    seg = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF)
    assert set(balanced_lines(seg, TerritorySettings())["peer"]) == {"SMB", "Enterprise"}
    long = workload_long(metrics)
    assert len(long) == 2 * len(metrics)
    assert set(long["measure"]) == {"workload", "capacity"}
    moves = pd.DataFrame(
        {"account_id": [7], "from_territory_id": [3], "to_territory_id": [1], "potential": [1.0],
         "cv_after": [0.1]}
    )  # fmt: skip
    names = pd.DataFrame({"id": [7], "name": ["=evil()"], "external_id": ["X7"]})
    d = describe_moves(moves, metrics, names)
    assert d.loc[0, "from_territory"] == "West Ent 1" and d.loc[0, "to_territory"] == "East SMB 1"
    assert d.loc[0, "account"] == "=evil()"  # stored verbatim; the CSV exporter escapes it


def test_before_after_recomputes_flags():
    from salesops.territory import before_after

    accounts, terr = two_territories()
    metrics = terr.assign(
        territory=["T1", "T2"],
        accounts=[3, 1],
        potential_per_capacity_hour=[100.0, 20.0],
    )
    metrics = flag_territories(metrics, TEAM)
    prop = propose_moves(accounts, metrics, Constraints(same_region=False, same_segment=False))
    ba = before_after(metrics, prop, TEAM).set_index("territory")
    # Median of 100 and 20 is 60: T1 +67 % over, T2 -67 % under. After moving 45k: 55 / 65,
    # median 60, deviations -8 % and +8 %: both balanced.
    assert (
        ba.loc["T1", "flag_before"] == "over-loaded"
        and ba.loc["T2", "flag_before"] == "under-loaded"
    )
    assert ba.loc["T1", "pph_after"] == pytest.approx(55.0)
    assert set(ba["flag_after"]) == {"balanced"}


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
