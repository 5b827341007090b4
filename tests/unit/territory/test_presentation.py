"""Frames the page draws: utilisation bars, moves with owners, swaps, before/after."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.territory.balance import flag_territories
from salesops.territory.presentation import (
    before_after,
    describe_moves,
    describe_swaps,
    utilisation_bars,
)
from salesops.territory.rebalance import propose_moves
from tests.unit.territory.company import SETTINGS, rules, two_territories


def test_utilisation_bars_sort_highest_first_undefined_last(metrics):
    bars = utilisation_bars(metrics)
    assert bars["territory"].tolist() == ["East SMB 1", "West Ent 1", "East SMB 2", "West Ent 2"]
    assert pd.isna(bars["utilisation"].iloc[-1])


def test_move_and_swap_lists_show_owner_pipeline_and_names(metrics):
    moves = pd.DataFrame(
        {"account_id": [7], "from_territory_id": [3], "to_territory_id": [1],
         "workload_hours": [100.0], "potential": [1.0], "cv_after": [0.1]}
    )  # fmt: skip
    details = pd.DataFrame(
        {"id": [7, 8], "name": ["=evil()", "B"], "external_id": ["X7", "X8"],
         "owner": ["R4", None], "open_pipeline": [5_000.0, 0.0], "bookings_12m": [0.0, 0.0]}
    )  # fmt: skip
    d = describe_moves(moves, metrics, details)
    assert d.loc[0, "from_territory"] == "West Ent 1" and d.loc[0, "to_territory"] == "East SMB 1"
    assert d.loc[0, "account"] == "=evil()"  # stored verbatim; the CSV exporter escapes it
    assert d.loc[0, "current_owner"] == "R4" and d.loc[0, "open_pipeline"] == 5_000
    swaps = pd.DataFrame(
        {"account_id": [7], "partner_id": [8], "territory_id": [3], "partner_territory_id": [4],
         "potential": [1.0], "partner_potential": [2.0], "cv_after": [0.0]}
    )  # fmt: skip
    s = describe_swaps(swaps, metrics, details)
    assert s.loc[0, "partner_account"] == "B" and s.loc[0, "partner_territory"] == "West Ent 2"
    assert pd.isna(s.loc[0, "partner_owner"])


def test_before_after_recomputes_utilisation_and_flags():
    accounts, terr = two_territories()
    metrics = terr.assign(
        territory=["T1", "T2"],
        accounts=[3, 1],
        utilisation=[0.1, 0.02],
        potential_per_capacity_hour=[100.0, 20.0],
    )
    metrics = flag_territories(metrics, SETTINGS)
    assert set(metrics["flag"]) == {"under-loaded"}
    prop = propose_moves(accounts, metrics, rules(same_region=False, max_swaps=0))
    ba = before_after(metrics, prop, SETTINGS).set_index("territory")
    assert ba.loc["T1", "utilisation_after"] == pytest.approx(0.055)
    assert ba.loc["T2", "utilisation_after"] == pytest.approx(0.065)
    assert ba.loc["T1", "pph_after"] == pytest.approx(55.0)
    assert set(ba["flag_after"]) == {"under-loaded"}  # absolute band: still far below 70%


def test_potential_per_hour_says_why_it_has_nothing_to_chart():
    from salesops.territory.presentation import potential_chart_gap

    def frame(potential: list[float], pph: list[float | None]) -> pd.DataFrame:
        return pd.DataFrame({"potential": potential, "potential_per_capacity_hour": pph})

    assert potential_chart_gap(frame([100.0, 0.0], [2.0, 0.0])) is None
    no_potential = potential_chart_gap(frame([0.0, 0.0], [0.0, None]))
    assert no_potential is not None and no_potential.startswith("No account has a potential")
    uncovered = potential_chart_gap(frame([100.0, 0.0], [None, 0.0]))
    assert uncovered is not None and uncovered.startswith("No territory with potential has")


def test_potential_columns_are_left_out_only_when_no_territory_has_one():
    from salesops.territory.presentation import POTENTIAL_COLUMNS, columns_without_potential

    assert columns_without_potential(pd.DataFrame({"potential": [0.0, 0.0, None]})) == (
        POTENTIAL_COLUMNS
    )
    # one territory with potential: every column stays, zeros included
    assert columns_without_potential(pd.DataFrame({"potential": [0.0, 250.0]})) == ()
    assert "potential" in POTENTIAL_COLUMNS and "partner_potential" in POTENTIAL_COLUMNS
