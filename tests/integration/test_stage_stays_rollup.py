"""Issue 21: the stale rule's stage stays come from rollup_stage_stays and equal what the history
gives - for this week and weeks long past, the whole company and one rep, on SQLite and
PostgreSQL; after an import that writes a stay longer than a year (counted whole, not from a
year's lookback); and a stale rollup is caught."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.cli.common import open_repository
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.pipeline_review.report import default_week, review_stale
from salesops.repository.base import Scope
from tests.integration.test_rollup_refresh import (
    ACCOUNT_HEADER,
    DEAL_HEADER,
    OH_HEADER,
    accounts,
    csv_file,
    imported,
)

YEAR = timedelta(days=365)


def _weeks(repo, backs=(0, 1, 5, 26, 80)):
    last = repo.history_bounds()["last"]
    week = default_week(last, last)
    weeks = []
    for back in backs:
        earlier = week
        for _ in range(back):
            earlier = earlier.previous()
        weeks.append(earlier)
    return weeks


def _same_stays(repo, start, end, scope=None) -> int:
    """Asserts the rollup's stays equal the history's; returns how many stays there were."""
    args = (start, end) if scope is None else (start, end, scope)
    rollup = repo.stage_stays(*args)
    raw = repo.stage_stays(*args, source="raw")
    pd.testing.assert_frame_equal(rollup, raw, check_dtype=True)
    return int(rollup["stays"].sum())


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_stage_stays_from_the_rollup_equal_the_history(which, demo_url, request):
    url = demo_url if which == "sqlite" else request.getfixturevalue("pg_demo_url")
    repo = open_repository(url)
    counted = 0
    for week in _weeks(repo):
        counted += _same_stays(repo, week.end - YEAR, week.end)
    assert counted > 0  # the demo has stays: the comparison means something
    week = _weeks(repo, (0,))[0]
    rep = int(repo.review_deals(week.start, week.end)["rep_id"].dropna().iloc[0])
    assert 0 < _same_stays(repo, week.end - YEAR, week.end, Scope(rep_ids=(rep,))) < counted


def test_an_imported_stay_longer_than_a_year_is_counted_whole(tiny_demo_copy):
    for kind in ("sqlite", "postgres"):
        engine = make_engine(tiny_demo_copy(kind))
        repo = open_repository(engine.url.render_as_string(hide_password=False))
        week = _weeks(repo, (0,))[0]
        end = week.end
        entered, again, left = end - timedelta(days=1000), end - timedelta(days=500), end - YEAR / 5
        deal = [["006LONG", "Long deal", "001R0", "Ann Lee", "", entered.isoformat(),
                 (end + YEAR).isoformat(), "Qualification", "5000", "Pipeline"]]  # fmt: skip
        imported(engine, "salesforce", csv_file("accounts.csv", ACCOUNT_HEADER, accounts()),
                 csv_file("deals.csv", DEAL_HEADER, deal))  # fmt: skip
        rows = [[f"008LONG{n}", "006LONG", f"{day.isoformat()}T10:00:00.000+0000", stage, "5000",
                 (end + YEAR).isoformat(), "20", "Pipeline"]
                for n, (day, stage) in enumerate(((entered, "Prospecting"),
                                                  (again, "Prospecting"),
                                                  (left, "Qualification")))]  # fmt: skip
        imported(engine, "salesforce", csv_file("OpportunityHistory.csv", OH_HEADER, rows))
        stays = repo.stage_stays(end - YEAR, end)
        long = stays[(stays["stage"] == "Prospecting") & (stays["days"] == (left - entered).days)]
        assert len(long) == 1, kind  # from its first row, not from a year before the window
        _same_stays(repo, end - YEAR, end)
        stale, rule = review_stale(repo, week)
        raw_stale, raw_rule = review_stale(repo, week, source="raw")
        pd.testing.assert_frame_equal(stale, raw_stale)
        assert rule == raw_rule, kind
        engine.dispose()


def test_a_stale_rollup_shows_and_a_rebuild_fixes_it(tiny_demo_copy):
    from salesops.db.rollups import refresh_rollups

    url = tiny_demo_copy("sqlite")
    repo = open_repository(url)
    week = _weeks(repo, (0,))[0]
    engine = make_engine(url)
    with engine.begin() as conn:  # behind salesops' back: the rollup is now wrong
        conn.execute(
            sa.delete(s.rollup_stage_stays).where(s.rollup_stage_stays.c.history_id % 3 == 0)
        )
    with pytest.raises(AssertionError):
        _same_stays(repo, week.end - YEAR, week.end)
    refresh_rollups(engine)
    assert _same_stays(repo, week.end - YEAR, week.end) > 0
    engine.dispose()
