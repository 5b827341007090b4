"""Frames the page draws: balanced lines, workload, moves, before/after."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.territory.balance import flag_territories
from salesops.territory.metrics import territory_metrics
from salesops.territory.presentation import (
    balanced_lines,
    before_after,
    describe_moves,
    workload_long,
)
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import (
    AS_OF,
    SEGMENT,
    TEAM,
    accounts_frame,
    reps_frame,
    rules,
    territories_frame,
    two_territories,
)


def test_balanced_lines_and_presentation_frames(metrics):

    lines = balanced_lines(metrics, TEAM)
    # Team median 40 per hour; largest capacity 2300 x 1.1 = 2530 -> balanced 101,200.
    end = lines[lines["capacity_hours"] > 0].iloc[0]
    assert end["balanced"] == pytest.approx(40 * 2530)
    assert end["high"] == pytest.approx(40 * 2530 * 1.25)
    assert len(lines) == 2
    seg = territory_metrics(accounts_frame(), reps_frame(), territories_frame(), AS_OF, SEGMENT)
    assert set(balanced_lines(seg, SEGMENT)["peer"]) == {"SMB", "Enterprise"}
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

    accounts, terr = two_territories()
    metrics = terr.assign(
        territory=["T1", "T2"],
        accounts=[3, 1],
        potential_per_capacity_hour=[100.0, 20.0],
    )
    metrics = flag_territories(metrics, TEAM)
    prop = propose_moves(accounts, metrics, rules(same_region=False, same_segment=False))
    ba = before_after(metrics, prop, TEAM).set_index("territory")
    # Median of 100 and 20 is 60: T1 +67 % over, T2 -67 % under. After moving 45k: 55 / 65,
    # median 60, deviations -8 % and +8 %: both balanced.
    assert (
        ba.loc["T1", "flag_before"] == "over-loaded"
        and ba.loc["T2", "flag_before"] == "under-loaded"
    )
    assert ba.loc["T1", "pph_after"] == pytest.approx(55.0)
    assert set(ba["flag_after"]) == {"balanced"}
