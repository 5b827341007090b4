"""The territory assumptions come from Settings, once, with the numbers they always had."""

from __future__ import annotations

import dataclasses

import pytest

from salesops.config import Settings
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.quotas import QuotaWeights
from salesops.territory.rebalance import Constraints


def test_defaults_are_the_settings_and_keep_their_numbers():
    s = TerritorySettings.from_settings(Settings())
    assert dict(s.coverage_hours) == {"Enterprise": 40.0, "Mid-Market": 16.0, "SMB": 6.0}
    assert (s.default_coverage_hours, s.working_weeks_per_year, s.ramp_days) == (10.0, 46.0, 180)
    assert (s.threshold, s.peer) == (0.25, "segment")
    c = Constraints.from_settings(Settings())
    assert (c.same_region, c.same_segment, c.max_moves, c.max_share, c.keep_largest) == (
        False, True, 25, None, 0,
    )  # fmt: skip
    assert (c.min_gain, c.time_limit_s) == (1e-4, 10.0)
    w = QuotaWeights.from_settings(Settings())
    assert (w.potential_weight, w.history_weight, w.full_history_days, w.tolerance) == (
        0.6, 0.4, 365, 0.15,
    )  # fmt: skip
    assert Settings().rebalance_page_max_share == 0.05
    assert Settings().rebalance_auto_accounts == 20_000


def test_changed_settings_reach_the_model_records():
    changed = Settings(flag_threshold=0.4, peer_group="team", quota_potential_weight=0.7)
    assert TerritorySettings.from_settings(changed).threshold == 0.4
    assert TerritorySettings.from_settings(changed, threshold=0.1).threshold == 0.1
    assert TerritorySettings.from_settings(changed).peer == "team"
    assert QuotaWeights.from_settings(changed).potential_weight == 0.7


@pytest.mark.parametrize("record", [TerritorySettings, Constraints, QuotaWeights])
def test_model_records_carry_no_defaults_of_their_own(record):
    for f in dataclasses.fields(record):
        assert f.default is dataclasses.MISSING, f"{record.__name__}.{f.name} has a default"


def test_coverage_lookup_falls_back_to_the_default_hours():
    s = TerritorySettings.from_settings(Settings(), default_coverage_hours=3.0)
    assert s.coverage_for("Enterprise") == 40.0
    assert s.coverage_for("Strategic") == 3.0
    assert s.coverage_for(None) == 3.0
