"""One vocabulary: 'overdue' means one thing on the Data, Pipeline review and Forecast pages.

An open deal is overdue when its expected close date is before the as-of date
(`salesops.definitions`). At the same as-of date the three pages count the same deals: the
Data page's quality check, the review's overdue list of the week ending that day, and the
Forecast's overdue pipeline (the same SQL clause, `repository.base.overdue_clause`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from salesops.calendar import week_of
from salesops.db.engine import make_engine
from salesops.definitions import TERMS, define
from salesops.forecast.report import forecast_inputs
from salesops.pipeline_review.report import review_report
from salesops.quality.report import quality_report
from salesops.repository import Repository


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo(request) -> Repository:
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    return Repository(make_engine(url, read_only=True))


def _three_counts(demo, week):
    as_of = week.end
    quality = {c.key: c for c in quality_report(demo, as_of).checks}["open_past_close"]
    review = review_report(demo, week).review.lists["overdue"]
    forecast = forecast_inputs(demo, "M", as_of=as_of).overdue
    return quality, review, forecast


def test_the_data_review_and_forecast_pages_count_the_same_overdue_deals(demo):
    # The week holding the data's last day: at its end the review's snapshot is the table.
    week = week_of(demo.data_bounds()["last"])
    quality, review, forecast = _three_counts(demo, week)
    assert quality.count == len(review) == forecast["deals"] > 0
    assert forecast["amount"] == pytest.approx(float(review["amount"].sum()))
    assert set(review["opportunity_id"]) == set(quality.rows["id"])
    # Each shows the one definition beside the count.
    assert quality.label == "Overdue deals" and define("overdue") in quality.description


def test_an_earlier_as_of_counts_fewer_overdue_deals(demo):
    week = week_of(demo.data_bounds()["last"])
    later = forecast_inputs(demo, "M", as_of=week.end).overdue
    earlier = forecast_inputs(demo, "M", as_of=week.end - timedelta(days=60)).overdue
    assert earlier["deals"] < later["deals"]
    assert TERMS["overdue"].definition.startswith("An open deal whose expected close date")
