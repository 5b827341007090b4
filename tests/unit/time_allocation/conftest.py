"""Fixtures over the fixture company: classified rows, rep summary, hourly costs, what-if base."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.time_allocation.classification import Classified, classify_activities
from salesops.time_allocation.shares import rep_time_summary
from salesops.time_allocation.unit_costs import loaded_hourly_cost
from salesops.time_allocation.what_if import WhatIfBase, what_if_base
from tests.unit.time_allocation.company import (
    ACTIVITY,
    BENCHMARK,
    BOOKINGS,
    REPS,
    TYPES,
    WORKING_WEEKS,
)


@pytest.fixture()
def classified() -> Classified:
    return classify_activities(ACTIVITY, TYPES)


@pytest.fixture()
def summary(classified: Classified) -> pd.DataFrame:
    return rep_time_summary(classified, REPS, BOOKINGS, benchmark=BENCHMARK)


@pytest.fixture()
def costs() -> pd.DataFrame:
    return loaded_hourly_cost(REPS, working_weeks=WORKING_WEEKS)


@pytest.fixture()
def base(classified, summary, costs) -> WhatIfBase:
    return what_if_base(classified, summary, costs, REPS, period_weeks=1)
