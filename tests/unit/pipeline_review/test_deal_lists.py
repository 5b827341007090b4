"""The deal lists: new, stage changes, pushed, overdue, stale, big changes."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.pipeline_review.deal_lists import big_amount_changes, push_counts, stale_deals
from salesops.pipeline_review.history import week_states
from salesops.pipeline_review.report import review_week
from tests.unit.pipeline_review.builders import (
    EVERY_CATEGORY,
    LIST_DEALS,
    LIST_HISTORY,
    STAGES,
    THRESHOLDS,
    WEEK,
    D,
    deals_for,
)


def test_new_deals(review):
    new = review.lists["new"]
    assert new["opportunity_id"].tolist() == [4, 7]  # Bob's, largest amount first (3k, 2k)
    assert new["created_at"].tolist() == [pd.Timestamp("2025-03-06"), pd.Timestamp("2025-03-03")]
    assert new["in_pipeline"].tolist() == [True, True]


def test_stage_advances_and_regressions(review):
    adv, reg = review.lists["advanced"], review.lists["regressed"]
    assert adv[["opportunity_id", "from_stage", "to_stage", "steps"]].values.tolist() == [
        [1, "Prospecting", "Proposal", 2]
    ]
    assert reg[["opportunity_id", "steps"]].values.tolist() == [[2, -2]]  # 4 -> 2
    assert 6 not in set(adv["opportunity_id"])  # won is not an "advance"


def test_pushed_deals_count_pushes_over_life(review):
    pushed = review.lists["pushed"]
    assert pushed["opportunity_id"].tolist() == [1]
    r = pushed.iloc[0]
    assert (r["pushes_this_week"], r["pushes_total"]) == (1, 3)
    assert r["previous_close"] == pd.Timestamp("2025-03-01")
    assert r["days_pushed"] == 20  # 1 Mar -> 21 Mar
    assert not r["left_quarter"]


def test_push_counts_with_repository_rows_need_life_history():
    # The repository returns only the last row before the week plus the week's rows;
    # the lifetime count then comes from life_history.
    pruned = pd.concat([LIST_HISTORY.iloc[[2, 3]]])  # 15 Feb row (opening) + this week's row
    r = review_week(pruned, LIST_DEALS, STAGES, WEEK, life_history=LIST_HISTORY, **THRESHOLDS)
    assert r.lists["pushed"][["pushes_this_week", "pushes_total"]].values.tolist() == [[1, 3]]
    counts = push_counts(LIST_HISTORY, until=D("2025-03-01")).set_index("opportunity_id")
    assert counts.loc[1, "pushes"] == 2  # the 4 March push is after `until`


def test_overdue_deals(review):
    overdue = review.lists["overdue"]
    # 3: expected 1 Mar, week.end 10 Mar -> 9 days; 7: expected Sun 9 Mar -> 1 day
    assert overdue[["opportunity_id", "days_overdue"]].values.tolist() == [[3, 9], [7, 1]]


def test_stale_deals(review):
    stale = review.lists["stale"]
    # 3: 10 Feb -> 10 Mar = 28 days; 5: 24 Feb -> 10 Mar = 14 days (threshold is inclusive)
    assert stale[["opportunity_id", "days_in_stage"]].values.tolist() == [[3, 28], [5, 14]]
    assert stale["stale_after"].tolist() == [14, 14]
    tighter = stale_deals(week_states(LIST_HISTORY, WEEK), LIST_DEALS, stale_days=15)
    assert tighter["opportunity_id"].tolist() == [3]
    with pytest.raises(ValueError, match="at least 1"):
        stale_deals(week_states(LIST_HISTORY, WEEK), LIST_DEALS, stale_days=0)


def test_big_amount_changes(review):
    big = review.lists["big_changes"]
    assert big[["opportunity_id", "from_amount", "amount", "change"]].values.tolist() == [
        [2, 40_000.0, 25_000.0, -15_000.0]
    ]
    assert big["change_fraction"].iloc[0] == pytest.approx(-0.375)  # -15k / 40k
    states = week_states(LIST_HISTORY, WEEK)
    assert big_amount_changes(states, LIST_DEALS, threshold=15_001).empty
    with pytest.raises(ValueError, match="positive"):
        big_amount_changes(states, LIST_DEALS, threshold=0)


def test_lists_are_grouped_by_rep():
    r = review_week(
        EVERY_CATEGORY, deals_for(range(1, 14), {8: (2, "Bob")}), STAGES, WEEK, **THRESHOLDS
    )
    new = r.lists["new"]
    # Ann's new deals first (10 is 9k at the end of the week, 11 is reopened, not new), then Bob's
    assert new[["rep", "opportunity_id"]].values.tolist() == [["Ann", 10], ["Bob", 8]]


def test_stale_is_relative_to_each_stage_and_counts_from_the_stage_entry():
    from salesops.pipeline_review.staleness import StaleRule

    # 3 has sat in Commit since 10 Feb (28 days), 5 in Prospecting since 24 Feb (14 days);
    # 1 entered Proposal on 4 Mar (6 days), though its first row is from 6 Jan
    rule = StaleRule(14, {"Commit": 30, "Prospecting": 10, "Proposal": 5})
    states = week_states(LIST_HISTORY, WEEK)
    stale = stale_deals(states, LIST_DEALS, 14, rule)
    assert stale[["opportunity_id", "stage", "days_in_stage", "stale_after"]].values.tolist() == [
        [1, "Proposal", 6, 5],
        [5, "Prospecting", 14, 10],
    ]
    # entries from the repository win over the rows in the states
    entries = pd.DataFrame({"opportunity_id": [3], "entered_at": pd.to_datetime(["2025-01-01"])})
    assert 3 in stale_deals(states, LIST_DEALS, 14, rule, entries)["opportunity_id"].tolist()


def test_stale_rule_takes_a_weighted_percentile_per_stage_and_falls_back():
    from salesops.pipeline_review.staleness import stale_rule

    stays = pd.DataFrame(
        {
            "stage": ["Commit"] * 3 + ["Proposal"],
            "days": [5, 10, 40, 7],
            "stays": [10, 6, 4, 3],
        }
    )
    rule = stale_rule(stays, 0.8, 5, 14)
    # Commit: 20 stays; 80% = 16 reached at 10 days. Proposal: 3 stays < 5: the fallback
    assert rule.thresholds == {"Commit": 10}
    assert rule.days_for("Commit") == 10 and rule.days_for("Proposal") == 14
    assert rule.days_for("Unknown") == 14
    assert rule.describe(["Commit", "Proposal"]) == (
        "Commit 10 days (20 stays); Proposal 14 days (too few stays measured)"
    )


def test_stage_entry_dates_skip_rows_that_keep_the_stage():
    from salesops.pipeline_review.deal_lists import stage_entry_dates

    entries = stage_entry_dates(LIST_HISTORY.sort_values(["opportunity_id", "changed_at"]))
    got = dict(zip(entries["opportunity_id"], entries["entered_at"].astype(str), strict=True))
    assert got[1] == "2025-03-04"  # Prospecting rows on 6 Jan, 1 Feb, 15 Feb; Proposal 4 Mar
    assert got[2] == "2025-03-05"


def test_the_list_summary_counts_each_list_and_leaves_an_unread_one_undefined():
    """Issue 21: the Pipeline review's first tab (text, no grid) sums every list."""
    import numpy as np
    import pandas as pd

    from salesops.pipeline_review.deal_lists import (
        LIST_NAMES,
        LIST_TITLES,
        NOT_COUNTED,
        list_summary,
    )

    lists = {
        name: pd.DataFrame({"amount": [100.0, 250.0][: i % 3]})
        for i, name in enumerate(LIST_NAMES)
        if name != "stale"
    }
    summary = list_summary(lists)
    assert summary["list"].tolist() == [LIST_TITLES[n] for n in LIST_NAMES]
    new = summary.iloc[0]
    assert (new["deals"], new["amount"]) == (0.0, 0.0)
    advanced = summary.iloc[1]
    assert (advanced["deals"], advanced["amount"]) == (1.0, 100.0)
    regressed = summary.iloc[2]
    assert (regressed["deals"], regressed["amount"]) == (2.0, 350.0)
    stale = summary.set_index("list").loc[LIST_TITLES["stale"]]
    assert np.isnan(stale["deals"]) and stale["note"] == NOT_COUNTED
    assert summary["note"].isna().sum() == len(LIST_NAMES) - 1
