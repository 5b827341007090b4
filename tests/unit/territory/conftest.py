"""Fixtures of the territory unit tests."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.territory.metrics import territory_metrics
from tests.unit.territory.company import (
    HOURS,
    SETTINGS,
    accounts_frame,
    reps_frame,
    territories_frame,
)


@pytest.fixture
def metrics() -> pd.DataFrame:
    return territory_metrics(accounts_frame(), reps_frame(), territories_frame(), HOURS, SETTINGS)
