"""Breakdown rankings carry their sample sizes; too small a sample is not ranked."""

from __future__ import annotations

import pandas as pd

from salesops.kpis.ranking import ranking

TABLE = pd.DataFrame(
    {
        "name": ["Ann", "Bob", "Cy", "Di"],
        "win_rate": [0.70, 0.30, 0.45, None],
        "avg_sales_cycle_days": [40.0, 80.0, 60.0, None],
        "won": [7, 30, 45, 0],
        "lost": [3, 70, 55, 0],
    }
)


def test_a_rate_on_a_handful_of_deals_is_shown_but_not_ranked():
    r = ranking(TABLE, "win_rate", 20)
    # Ann leads at 70% on 10 closed deals: below 20, so she comes after every ranked row
    assert r["name"].tolist() == ["Cy", "Bob", "Ann"]
    assert r["sample"].tolist() == [100, 100, 10]
    assert r["rank"].tolist() == [1, 2, pd.NA]
    assert r["label"].tolist() == [
        "Cy (n = 100)",
        "Bob (n = 100)",
        "Ann (n = 10), too few to rank",
    ]


def test_lower_is_better_and_the_sample_is_the_won_deals():
    r = ranking(TABLE, "avg_sales_cycle_days", 20, higher_is_better=False)
    # Ann has 7 won deals: not ranked; Cy (60 days, 45 won) beats Bob (80 days, 30 won)
    assert r["name"].tolist() == ["Cy", "Bob", "Ann"]
    assert r["sample"].tolist() == [45, 30, 7]


def test_a_metric_without_a_sample_is_ranked_on_its_value():
    table = TABLE.assign(ltv=[5.0, 9.0, 7.0, None])
    r = ranking(table, "ltv", 20)
    assert r["name"].tolist() == ["Bob", "Cy", "Ann"] and r["ranked"].all()
    assert r["label"].tolist() == ["Bob", "Cy", "Ann"]
