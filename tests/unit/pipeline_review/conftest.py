"""The review of the hand-built LIST_HISTORY week, shared by the deal-list and roll-up tests."""

from __future__ import annotations

import pytest

from salesops.pipeline_review.report import PipelineReview, review_week
from tests.unit.pipeline_review.builders import LIST_DEALS, LIST_HISTORY, STAGES, WEEK


@pytest.fixture
def review() -> PipelineReview:
    return review_week(LIST_HISTORY, LIST_DEALS, STAGES, WEEK, stale_days=14, big_change=10_000)
