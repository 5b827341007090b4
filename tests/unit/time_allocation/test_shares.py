"""Selling share per rep and team, hours by activity, furthest from the benchmark."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from salesops.time_allocation.classification import classify_activities
from salesops.time_allocation.shares import (
    furthest_from_benchmark,
    hours_by_activity,
    rep_time_summary,
    share_distribution,
    team_time_summary,
    undefined_share_notes,
)
from tests.unit.time_allocation.company import ACTIVITY, BENCHMARK, BOOKINGS, REPS, TYPES


def test_rep_shares_by_hand(summary):
    s = summary.set_index("rep_id")
    assert s.loc[1, "selling_share"] == pytest.approx(15 / 40)  # 0.375
    assert s.loc[2, "selling_share"] == pytest.approx(6 / 40)  # 0.15
    assert s.loc[3, "selling_share"] == pytest.approx(10 / 20)  # 0.5
    assert s.loc[1, "back_office_hours"] == 18.0  # 6 + 8 + 4 (travel is not back office)
    assert s.loc[1, "non_selling_hours"] == 25.0  # 6 + 8 + 4 + 7
    assert s.loc[2, "back_office_hours"] == 34.0  # 9 + 12 + 3 + 10
    assert s.loc[2, "gap_to_benchmark"] == pytest.approx(0.15 - 1 / 3)
    assert s.loc[1, "revenue_per_selling_hour"] == pytest.approx(2000.0)  # 30000 / 15
    assert s.loc[2, "revenue_per_selling_hour"] == pytest.approx(1000.0)  # 6000 / 6


def test_rep_without_time_is_included_with_reason_not_zero(summary):
    dee = summary.set_index("rep_id").loc[4]
    assert dee["hours"] == 0.0
    assert pd.isna(dee["selling_share"])
    assert dee["share_reason"] == "no time logged in period"
    assert pd.isna(dee["revenue_per_selling_hour"])
    assert dee["rpsh_reason"].startswith("no selling hours logged")
    assert dee["bookings"] == 16000.0


def test_undefined_share_notes(summary):
    assert undefined_share_notes(summary) == ["Dee (no time logged in period)"]


def test_rep_with_zero_hour_rows_gets_its_own_reason():
    rows = pd.DataFrame([(1, "call", 0.0, 0), (1, "quote", 0.0, 0)], columns=ACTIVITY.columns)
    summary = rep_time_summary(classify_activities(rows, TYPES), REPS, benchmark=BENCHMARK)
    ann = summary.set_index("rep_id").loc[1]
    assert pd.isna(ann["selling_share"])
    assert ann["share_reason"] == "zero hours logged"
    assert summary.set_index("rep_id").loc[2, "share_reason"] == "no time logged in period"


def test_team_share_is_hours_weighted(summary):
    team = team_time_summary(summary, benchmark=BENCHMARK)
    assert team.hours == 100.0  # 40 + 40 + 20
    assert team.selling_hours == 31.0  # 15 + 6 + 10
    assert team.selling_share.value == pytest.approx(0.31)
    assert team.back_office_share.value == pytest.approx(0.62)  # (18 + 34 + 10) / 100
    assert team.gap_to_benchmark.value == pytest.approx(0.31 - 1 / 3)
    # Mean of the three defined rep shares (Dee has none): (0.375 + 0.15 + 0.5) / 3
    assert team.mean_rep_share.value == pytest.approx(1.025 / 3)
    assert team.reps == 4 and team.reps_with_time == 3
    assert team.reps_below_benchmark == 1  # Bob
    # Dee logged no time: her 16,000 of bookings are the team's but not per selling hour
    assert team.bookings == 62000.0
    assert team.revenue_per_selling_hour.value == pytest.approx(46000 / 31)
    payload = team.to_json()
    json.dumps(payload)
    assert payload["selling_share"] == pytest.approx(0.31)
    assert payload["selling_share_reason"] is None


def test_team_with_no_time_at_all():
    empty = classify_activities(ACTIVITY.iloc[0:0], TYPES)
    summary = rep_time_summary(empty, REPS, benchmark=BENCHMARK)
    team = team_time_summary(summary, benchmark=BENCHMARK)
    assert len(summary) == 4
    assert summary["share_reason"].eq("no time logged in period").all()
    assert team.selling_share.value is None
    assert team.selling_share.reason == "no time logged in period"
    assert team.gap_to_benchmark.value is None
    assert team.revenue_per_selling_hour.value is None


def test_custom_benchmark(classified):
    summary = rep_time_summary(classified, REPS, benchmark=0.4)
    team = team_time_summary(summary, benchmark=0.4)
    assert team.reps_below_benchmark == 2  # Ann 0.375 and Bob 0.15
    assert team.gap_to_benchmark.value == pytest.approx(0.31 - 0.4)


def test_hours_by_activity_team_and_rep(classified):
    team = hours_by_activity(classified).set_index("activity")
    assert team.loc["quote", "hours"] == 19.0  # 6 + 9 + 4
    assert team.loc["quote", "count"] == 8.0  # 3 + 3 + 2
    assert team.loc["quote", "share_of_hours"] == pytest.approx(0.19)  # 19 / 100
    assert pd.isna(team.loc["admin", "count"])  # admin never counts units: NA, not 0
    assert team.loc["order_processing", "count"] == 12.0  # 8 + 0 + 4: a counted 0 stays 0
    assert team["hours"].sum() == 100.0
    per_rep = hours_by_activity(classified, by=["rep_id"])
    cy = per_rep[per_rep["rep_id"] == 3].set_index("activity")
    assert cy.loc["order_processing", "share_of_hours"] == pytest.approx(6 / 20)
    # selling activities come first within a rep
    assert list(per_rep[per_rep["rep_id"] == 1]["category"])[:2] == ["selling", "selling"]


def test_furthest_below_and_above(summary):
    out = furthest_from_benchmark(summary, n=1)
    assert list(out["side"]) == ["below", "above"]
    assert list(out["name"]) == ["Bob", "Cy"]  # gaps -0.1833 and +0.1667; Ann +0.0417
    both = furthest_from_benchmark(summary, n=5)
    assert list(both["name"]) == ["Bob", "Cy", "Ann"]  # Dee (no time) in neither list


def test_formula_names_are_escaped_in_downloads():
    from salesops.export import to_safe_csv

    reps = REPS.assign(name=['=HYPERLINK("http://x")', "Bob", "@SUM(1+1)", "-2+3"])
    summary = rep_time_summary(
        classify_activities(ACTIVITY, TYPES), reps, BOOKINGS, benchmark=BENCHMARK
    )
    text = to_safe_csv(summary).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and "'-2+3" in text
    assert ",-0.18333" in text  # Bob's negative gap stays a number


def test_share_distribution_counts_reps_per_band_by_side_of_the_benchmark():
    shares = [0.10, 0.34, 0.30, 0.35, 1.0, 0.0, None]
    summary = pd.DataFrame(
        {
            "selling_share": pd.array(shares, dtype="Float64"),
            "gap_to_benchmark": pd.array(
                [None if s is None else s - 1 / 3 for s in shares], dtype="Float64"
            ),
        }
    )
    bands = share_distribution(summary, width=0.05)
    rows = [
        (round(r.band_start, 2), round(r.band_end, 2), r.position, r.reps)
        for r in bands.itertuples()
    ]
    assert rows == [
        (0.0, 0.05, "below", 1),
        (0.10, 0.15, "below", 1),
        (0.30, 0.35, "below", 1),  # 0.30
        (0.30, 0.35, "at/above", 1),  # 0.34: same band, other side of 1/3
        (0.35, 0.40, "at/above", 1),  # 0.35 starts its band (not 6.999... bands)
        (0.95, 1.0, "at/above", 1),  # a share of 1 is in the last band
    ]
    assert bands["reps"].sum() == 6  # the rep without a share is left out


def test_share_histogram_draws_every_band_between_and_the_benchmark():
    from salesops.charts.time_allocation import share_histogram_html

    summary = pd.DataFrame(
        {"selling_share": [0.2, 0.21, 0.34, 0.5], "gap_to_benchmark": [-0.13, -0.12, 0.01, 0.17]}
    )
    html = share_histogram_html(share_distribution(summary), 1 / 3)
    labels = re.findall(r"opacity:0.7\">([^<]*)<", html)
    assert labels == [f"{x}%–{x + 5}%" for x in range(20, 55, 5)]  # empty bands kept, flat
    tips = re.findall(r'title="([^"]*)"', html)
    assert "20%–25%: 2 reps below the benchmark" in tips
    assert "30%–35%: 1 rep at/above the benchmark" in tips
    assert "50%–55%: 1 rep at/above the benchmark" in tips
    assert "benchmark 33%" in tips
    # the benchmark's line a third of the way into 20-55%: (1/3 - 0.2) / 0.35
    assert "left:38.10%" in html
