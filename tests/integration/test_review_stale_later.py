"""Issue 21: the page reads the stale list only when asked; with it added back, the report is
the very report review_report builds in one go."""

from __future__ import annotations

import pandas as pd

from salesops.cli.common import open_repository
from salesops.pipeline_review.deal_lists import LIST_NAMES
from salesops.pipeline_review.report import (
    default_week,
    review_report,
    review_stale,
    with_stale_list,
)


def test_the_stale_list_read_later_equals_the_one_read_at_once(demo_url):
    repo = open_repository(demo_url)
    week = default_week(repo.history_bounds()["last"], repo.history_bounds()["last"])
    whole = review_report(repo, week)
    without = review_report(repo, week, with_stale=False)
    assert "stale" not in without.review.lists and without.stale_rule is None
    stale, rule = review_stale(repo, week)
    assert len(stale) > 0  # the demo has stale deals: the comparison means something
    later = with_stale_list(without, stale, rule)
    assert list(later.review.lists) == list(LIST_NAMES) == list(whole.review.lists)
    for name in LIST_NAMES:
        pd.testing.assert_frame_equal(later.review.lists[name], whole.review.lists[name])
    assert later.stale_rule == whole.stale_rule
    pd.testing.assert_frame_equal(later.coverage, whole.coverage)
    assert later.to_dict() == whole.to_dict()
