"""The balance index (CV, Gini) and the over/under-loaded flags."""

from __future__ import annotations

import math

import pytest

from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_BALANCED,
    FLAG_OVER,
    FLAG_UNDER,
    balance_index,
    team_balance,
)
from salesops.territory.metrics import territory_metrics
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import (
    AS_OF,
    SEGMENT,
    TEAM,
    accounts_frame,
    reps_frame,
    row,
    rules,
    segment_company,
    territories_frame,
)


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
        TerritorySettings.from_settings(Settings(), threshold=0.6, peer="team"),
    )
    assert set(wide.loc[wide["territory_id"] < 4, "flag"]) == {FLAG_BALANCED}


def test_segment_peers_compare_within_segment():
    s = SEGMENT
    m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, s)
    # SMB peers: median(60, 20) = 40 -> T1 +50 %, T2 -50 %; Enterprise: T3 alone -> balanced.
    assert row(m, 1)["flag"] == FLAG_OVER and row(m, 2)["flag"] == FLAG_UNDER
    assert row(m, 3)["peer_median"] == pytest.approx(40.0)
    assert row(m, 3)["flag"] == FLAG_BALANCED


def test_segment_peers_take_the_segment_mix_out_of_the_index():
    terr, accounts, reps = segment_company()
    m = territory_metrics(accounts, reps, terr, AS_OF, SEGMENT)
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
    m = territory_metrics(accounts, reps, terr, AS_OF, SEGMENT)
    assert row(m, 1)["flag"] == FLAG_BALANCED
    bi = team_balance(m)
    assert (bi.cv, bi.gini) == (0.0, 0.0)
    prop = propose_moves(accounts, m, rules())
    assert prop.status == "trivial" and prop.moves.empty
