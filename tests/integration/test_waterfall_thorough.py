"""The week's waterfall on 300 generated histories: the thorough run of a unit property.

The property and its history generator are tests/unit/pipeline_review/test_waterfall.py's
(40 examples there, on every unit run). The 300 fresh examples of each full run cost ~20 s of
one process, two thirds of the unit tier's 30 s budget, so they run with the full suite, not
in tests/unit. No database: this file is here for its cost, not its kind.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.unit.pipeline_review.test_waterfall import check_history_reconciles, histories


# 300 fresh examples on every full run (each CI run draws new ones): 1,000 took ~85 s of
# the suite's 15-minute budget for histories the first few hundred already vary through.
@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_any_history_reconciles_thoroughly(h):
    check_history_reconciles(h)
