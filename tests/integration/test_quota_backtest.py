"""The quota calibration's track record on the demo: calibrated quotas give the target share.

Done means (issue 17): in a backtest on the last year's bookings, the share of reps at or
above their calibrated quota is within 10 points of the attainment target. The backtest is
rolling-origin (quotas set at the start of each of the last 12 months whose year ahead is
known, from what was known then) and pooled over those rep-years; last year alone is shown
beside it.
"""

from __future__ import annotations

import pytest

from salesops.config import Settings
from salesops.db.engine import make_engine
from salesops.plan.backtest import backtest_inputs, score_backtest
from salesops.repository import Repository
from salesops.territory.quotas import QuotaPolicy
from salesops.territory.report import periods_for


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def past(request):
    url = request.getfixturevalue("demo_url" if request.param == "sqlite" else "pg_demo_url")
    repo = Repository(make_engine(url, read_only=True))
    _, quota_year = periods_for(repo.data_bounds()["last"])
    return backtest_inputs(repo, quota_year.start)


def record(past, target: float, cap: float):
    return score_backtest(past, QuotaPolicy.from_settings(Settings(), attainment_target=target,
                                                          change_cap=cap))  # fmt: skip


@pytest.mark.parametrize("target", [0.5, 0.65])
def test_calibrated_quotas_give_the_target_share_within_ten_points(past, target):
    track = record(past, target, Settings().quota_change_cap)
    assert len(track.years) >= 6 and track.rep_years >= 100  # enough to judge a share by
    assert track.pooled("actual") == pytest.approx(target, abs=0.10)
    # the calibration expected what happened, to within the same 10 points
    assert track.pooled("actual") == pytest.approx(track.pooled("expected"), abs=0.10)


def test_without_the_change_cap_the_share_follows_the_target(past):
    shares = [record(past, target, 10.0).pooled("actual") for target in (0.5, 0.65, 0.8)]
    for target, share in zip((0.5, 0.65, 0.8), shares, strict=True):
        assert share == pytest.approx(target, abs=0.10)
    assert shares[0] < shares[1] < shares[2]


def test_last_year_alone_and_the_quotas_of_record_are_reported(past):
    track = record(past, 0.65, 0.25)
    assert track.years[0].year == track.year  # the most recent origin is last quota year
    assert track.reps == track.years[0].reps > 0
    assert 0 <= track.actual_share <= 1 and 0 <= track.actual_share_current <= 1
    doc = track.to_json()
    assert doc["pooled"]["rep_years"] == sum(y["reps"] for y in doc["pooled"]["years"])
    assert "rep-years reached their quota" in doc["sentence"]
    assert "Last year alone" in doc["sentence"]
