"""Balance indexes (CV, Gini) and the absolute utilisation flags."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    FLAG_BALANCED,
    FLAG_NO_CAPACITY,
    FLAG_OVER,
    FLAG_UNDER,
    balance_index,
    load_flags,
    potential_balance,
    team_balance,
)
from salesops.territory.metrics import territory_metrics
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import (
    HOURS,
    SETTINGS,
    accounts_frame,
    reps_frame,
    row,
    rules,
    territories_frame,
)


def test_utilisation_band_is_settings():
    assert (SETTINGS.under, SETTINGS.over) == (0.7, 1.1)
    assert (Settings().utilisation_under, Settings().utilisation_over) == (0.7, 1.1)


def test_flags_follow_utilisation_and_the_absolute_band(metrics):
    assert row(metrics, 1)["utilisation"] == pytest.approx(1.2)
    assert row(metrics, 1)["flag"] == FLAG_OVER
    assert row(metrics, 2)["utilisation"] == pytest.approx(0.6)
    assert row(metrics, 2)["flag"] == FLAG_UNDER
    assert row(metrics, 3)["utilisation"] == pytest.approx(1.0)
    assert row(metrics, 3)["flag"] == FLAG_BALANCED


def test_band_edges_and_zero_capacity():
    u = pd.Series([0.6999, 0.7, 1.1, 1.1001, None])
    cap = pd.Series([10.0, 10.0, 10.0, 10.0, 0.0])
    flags = load_flags(u, cap, SETTINGS).tolist()
    assert flags == [FLAG_UNDER, FLAG_BALANCED, FLAG_BALANCED, FLAG_OVER, FLAG_NO_CAPACITY]


def test_the_band_is_configurable():
    wide = TerritorySettings.from_settings(Settings(), under=0.5, over=1.3)
    m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), HOURS, wide)
    assert set(m.loc[m["territory_id"] < 4, "flag"]) == {FLAG_BALANCED}


def test_flags_never_contradict_utilisation_whatever_the_peers():
    """A territory at 2x its capacity is never under-loaded, at 0.6x never over-loaded."""
    for peer in ("segment", "team"):
        s = TerritorySettings.from_settings(Settings(), peer=peer)
        m = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), HOURS, s)
        u = m["utilisation"].astype("float64")
        assert not ((m["flag"] == FLAG_UNDER) & (u >= s.under)).any()
        assert not ((m["flag"] == FLAG_OVER) & (u <= s.over)).any()


def test_load_balance_index_by_hand(metrics):
    bi = team_balance(metrics)
    # Utilisation 1.2, 0.6, 1.0: mean 14/15, deviations 4/15, -5/15, 1/15.
    mean = 2.8 / 3
    var = ((1.2 - mean) ** 2 + (0.6 - mean) ** 2 + (1.0 - mean) ** 2) / 3
    assert bi.cv == pytest.approx(math.sqrt(var) / mean)
    assert bi.n == 3  # the uncovered territory is not part of the index


def test_potential_balance_is_relative_to_segment_peers(metrics):
    # PPH: T1 110,400 / 100 = 1104; T2 46,000 / 150 = 306.67 (SMB median 705.33);
    # T3 73,600 / 200 = 368 (alone in Enterprise).
    rel = [1104 / 705.3333, 306.6667 / 705.3333, 1.0]
    mean = sum(rel) / 3
    var = sum((r - mean) ** 2 for r in rel) / 3
    assert potential_balance(metrics).cv == pytest.approx(math.sqrt(var) / mean, rel=1e-4)
    assert row(metrics, 1)["pph_vs_peers"] == pytest.approx(1104 / 705.3333 - 1, rel=1e-4)


def test_balance_index_single_and_empty_and_zero():
    one = balance_index([42.0])
    assert (one.cv, one.gini, one.reason) == (0.0, 0.0, "n/a: single territory or rep")
    none = balance_index([])
    assert none.cv is None and none.gini is None and none.reason
    zero = balance_index([0.0, 0.0])
    assert zero.cv is None and zero.reason == "no workload or potential to balance"
    equal = balance_index([5.0, 5.0, 5.0])
    assert equal.cv == 0.0 and equal.gini == pytest.approx(0.0)
    # Gini of 1, 2, 3: sum |xi - xj| over ordered pairs 8 / (2 x 9 x 2) = 2/9
    assert balance_index([1.0, 2.0, 3.0]).gini == pytest.approx(2 / 9)


def test_one_rep_territory_team():
    terr = territories_frame().iloc[:1]
    reps = reps_frame().iloc[:1]
    accounts = accounts_frame().iloc[:3]
    m = territory_metrics(accounts, reps, terr, HOURS, SETTINGS)
    bi = team_balance(m)
    assert (bi.cv, bi.gini) == (0.0, 0.0)
    rows = accounts.assign(workload_hours=40.0)
    prop = propose_moves(rows, m, rules())
    assert prop.status == "trivial" and prop.moves.empty
