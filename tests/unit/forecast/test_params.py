"""ProphetParams: defaults written once, in Settings; bad values refused in a sentence."""

from __future__ import annotations

import pytest

from salesops.config import Settings
from salesops.forecast.params import ProphetParams
from salesops.forecast.what_if import WhatIf


def test_defaults_come_from_settings():
    params, settings = ProphetParams(), Settings()
    assert params.interval_width == settings.forecast_interval_width == 0.8
    assert params.changepoint_prior_scale == settings.changepoint_prior_scale == 0.05
    assert params.uncertainty_samples == settings.prophet_uncertainty_samples == 300
    assert params.seed == settings.prophet_seed == 42
    assert params.algorithm == settings.prophet_algorithm == "LBFGS"
    assert params.min_cycles == settings.forecast_min_cycles == 2
    assert params.quarterly is settings.forecast_quarterly_seasonality is True
    assert params.seasonality_mode == settings.forecast_seasonality_mode == "additive"
    assert WhatIf().ramp == ()  # pages pass the one measured ramp (salesops.capacity)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seasonality_mode": "cubic"}, "seasonality_mode must be"),
        ({"interval_width": 1.0}, "interval_width must be between 0 and 1"),
        ({"algorithm": "SGD"}, "algorithm must be"),
    ],
)
def test_validate_refuses_bad_values(changes, message):
    with pytest.raises(ValueError, match=message):
        ProphetParams(**changes).validate()
