from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.cli.common import open_repository
from salesops.forecast.pipeline import stage_win_probabilities
from salesops.forecast.report import forecast_inputs, stage_lookback_start


@pytest.mark.parametrize(
    ("as_of", "start"),
    [
        (date(2026, 11, 28), date(2025, 12, 1)),
        (date(2026, 1, 1), date(2025, 2, 1)),
        (date(2024, 2, 29), date(2023, 3, 1)),
    ],
)
def test_stage_lookback_is_twelve_calendar_months_ending_with_this_one(as_of, start):
    assert stage_lookback_start(as_of) == start


def test_forecast_inputs_measure_stage_rates_over_the_lookback(demo_url):
    demo_repo = open_repository(demo_url)
    as_of = demo_repo.data_bounds()["last"]
    inputs = forecast_inputs(demo_repo, "M")
    outcomes = demo_repo.stage_outcomes(closed_since=stage_lookback_start(as_of))
    expected = stage_win_probabilities(outcomes, demo_repo.stages(), 20)
    pd.testing.assert_frame_equal(inputs.probabilities, expected)
    everything = stage_win_probabilities(demo_repo.stage_outcomes(), demo_repo.stages(), 20)
    assert not inputs.probabilities["reached"].equals(everything["reached"])  # a window, not all
