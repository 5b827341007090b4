"""Hand-built opportunity histories shared by the pipeline review tests (unit and integration)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.calendar import Quarter, Week
from salesops.pipeline_review.history import HISTORY_COLUMNS
from salesops.pipeline_review.waterfall import Waterfall

D = date.fromisoformat

WEEK = Week(D("2025-03-03"))  # Mon 3 Mar .. Sun 9 Mar 2025; Thursday 6 Mar -> Q1 2025

Q1 = Quarter(D("2025-01-01"))
# The thresholds the hand-worked lists assume (the Settings defaults at the time of writing).
THRESHOLDS = {"stale_days": 14, "big_change": 10_000.0}

STAGES = pd.DataFrame(
    {
        "name": [
            "Prospecting",
            "Qualification",
            "Proposal",
            "Negotiation",
            "Commit",
            "Closed Won",
            "Closed Lost",
        ],
        "sort_order": [1, 2, 3, 4, 5, 6, 7],
    }
)

CATEGORY = {
    "Prospecting": "pipeline",
    "Qualification": "pipeline",
    "Proposal": "best_case",
    "Negotiation": "best_case",
    "Commit": "commit",
    "Closed Won": "closed",
    "Closed Lost": "omitted",
}


def row(opp, changed, amount, ecd, stage="Prospecting", outcome="open"):
    if outcome == "won":
        stage = "Closed Won"
    elif outcome == "lost":
        stage = "Closed Lost"
    return {
        "opportunity_id": opp,
        "changed_at": D(changed) if isinstance(changed, str) else changed,
        "stage": stage,
        "outcome": outcome,
        "amount": amount,
        "expected_close_date": D(ecd) if isinstance(ecd, str) else ecd,
        "forecast_category": CATEGORY.get(stage),
    }


def history(*rows):
    return pd.DataFrame(list(rows), columns=list(HISTORY_COLUMNS))


def deals_for(ids, rep_of=None):
    rep_of = rep_of or {}
    return pd.DataFrame(
        {
            "opportunity_id": list(ids),
            "name": [f"Deal {i}" for i in ids],
            "rep_id": [rep_of.get(i, (1, "Ann"))[0] for i in ids],
            "rep": [rep_of.get(i, (1, "Ann"))[1] for i in ids],
            "territory": ["North"] * len(ids),
        }
    )


def assert_reconciles(w: Waterfall) -> None:
    total = w.opening + w.new + w.increased + w.decreased + w.slipped + w.pulled_in
    assert total + w.won + w.lost == w.closing
    assert w.reconciles
    assert w.decreased <= 0 and w.slipped <= 0 and w.won <= 0 and w.lost <= 0
    assert w.new >= 0 and w.increased >= 0 and w.pulled_in >= 0


# One deal per waterfall category plus the awkward ones the issue names.
EVERY_CATEGORY = history(
    # 1 steady: in the pipeline all week, no change
    row(1, "2025-01-10", 10_000, "2025-03-20"),
    # 2 increased 20k -> 25k
    row(2, "2025-02-01", 20_000, "2025-03-25"),
    row(2, "2025-03-04", 25_000, "2025-03-25", "Proposal"),
    # 3 decreased 30k -> 18k
    row(3, "2025-02-02", 30_000, "2025-03-28"),
    row(3, "2025-03-05", 18_000, "2025-03-28"),
    # 4 slipped: expected close moved into Q2
    row(4, "2025-01-15", 40_000, "2025-03-31"),
    row(4, "2025-03-06", 40_000, "2025-04-15"),
    # 5 pulled in: expected close moved from Q2 into Q1
    row(5, "2025-02-10", 15_000, "2025-05-10"),
    row(5, "2025-03-07", 15_000, "2025-03-30"),
    # 6 won on the Monday (the first day of the week belongs to the week)
    row(6, "2025-01-05", 50_000, "2025-03-15", "Commit"),
    row(6, "2025-03-03", 50_000, "2025-03-03", outcome="won"),
    # 7 lost on the Sunday (the last day of the week)
    row(7, "2025-01-20", 8_000, "2025-03-10"),
    row(7, "2025-03-09", 8_000, "2025-03-09", outcome="lost"),
    # 8 new this week
    row(8, "2025-03-04", 12_000, "2025-03-29"),
    # 9 increased AND slipped in the same row: 22k -> 30k and close into Q2
    row(9, "2025-02-15", 22_000, "2025-03-27", "Negotiation"),
    row(9, "2025-03-05", 30_000, "2025-04-20", "Negotiation"),
    # 10 created and won in the same week, won at a higher amount
    row(10, "2025-03-04", 7_000, "2025-03-31"),
    row(10, "2025-03-08", 9_000, "2025-03-08", outcome="won"),
    # 11 reopened: lost in February, reopened this week at 6.5k
    row(11, "2025-01-02", 6_000, "2025-02-20"),
    row(11, "2025-02-20", 6_000, "2025-02-20", outcome="lost"),
    row(11, "2025-03-05", 6_500, "2025-03-26", "Qualification"),
    # 12 next quarter all week: never in the pipeline
    row(12, "2025-02-01", 100_000, "2025-06-30"),
    # 13 created the Monday after the week: not yet
    row(13, "2025-03-10", 5_000, "2025-03-20"),
)

# For the deal lists: one deal per list, reps Ann and Bob.
LIST_HISTORY = history(
    # 1 Ann: advanced Prospecting -> Proposal; pushed three times in its life, once this week
    row(1, "2025-01-06", 20_000, "2025-02-01"),
    row(1, "2025-02-01", 20_000, "2025-02-15"),  # push 1
    row(1, "2025-02-15", 20_000, "2025-03-01"),  # push 2
    row(1, "2025-03-04", 20_000, "2025-03-21", "Proposal"),  # push 3, this week
    # 2 Ann: regressed Negotiation -> Qualification, amount 40k -> 25k (big change)
    row(2, "2025-02-03", 40_000, "2025-03-25", "Negotiation"),
    row(2, "2025-03-05", 25_000, "2025-03-25", "Qualification"),
    # 3 Bob: overdue (expected 1 Mar, still open), stale (last change 10 Feb: 28 days to 10 Mar)
    row(3, "2025-02-10", 9_000, "2025-03-01", "Commit"),
    # 4 Bob: new this week
    row(4, "2025-03-06", 3_000, "2025-03-28"),
    # 5 Bob: last change 24 Feb = 14 days before 10 Mar: stale at exactly the threshold
    row(5, "2025-02-24", 1_000, "2025-03-30"),
    # 6 Bob: won this week (not overdue, not stale, not a stage change)
    row(6, "2025-01-10", 5_000, "2025-03-05"),
    row(6, "2025-03-05", 5_000, "2025-03-05", outcome="won"),
    # 7 Bob: expected close on the Sunday of the week: overdue by one day at week.end
    row(7, "2025-03-03", 2_000, "2025-03-09"),
)

LIST_DEALS = deals_for(range(1, 8), {i: (2, "Bob") for i in (3, 4, 5, 6, 7)})
