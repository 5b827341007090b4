"""Pipeline coverage per rep and in total, and when it is undefined."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.pipeline_review.coverage import coverage_by_rep, coverage_ratio


def test_coverage_by_rep_by_hand():
    pipe = pd.DataFrame(
        {"rep_id": [1, 2, 3], "rep": ["Ann", "Bob", "Cy"], "pipeline": [90.0, 50, 10]}
    )
    quota = pd.DataFrame({"rep_id": [1, 2, 4], "quota": [100.0, 40, 30]})
    won = pd.DataFrame({"rep_id": [1, 2], "won": [70.0, 45]})
    c = coverage_by_rep(pipe, quota, won).set_index("rep")
    assert c.loc["Ann", "coverage"] == pytest.approx(3.0)  # 90 / (100 - 70)
    assert pd.isna(c.loc["Bob", "coverage"]) and c.loc["Bob", "reason"] == "quota already met"
    assert pd.isna(c.loc["Cy", "coverage"])
    assert c.loc["Cy", "reason"] == "no quota for the quarter"
    assert c.loc["Ann", "reason"] is None
    # total: pipeline 150 / (quota 170 - won 115 = 55)
    assert c.loc["Total", "coverage"] == pytest.approx(150 / 55)
    assert len(c) == 5  # Ann, Bob, Cy, rep 4 (quota only, no name) and Total


def test_coverage_ratio_undefined_cases():
    assert coverage_ratio(10.0, None, 0.0).reason == "no quota for the quarter"
    assert coverage_ratio(10.0, 0.0, 0.0).value is None
    done = coverage_ratio(10.0, 50.0, 50.0)
    assert (done.value, done.reason) == (None, "quota already met")
    assert done.inputs["remaining_quota"] == 0.0
    assert coverage_ratio(0.0, 50.0, 10.0).value == 0.0  # no pipeline is a defined 0x
