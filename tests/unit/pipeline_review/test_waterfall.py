"""The week's waterfall totals: by hand, to the cent, and on any history (property)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.calendar import Quarter, quarter_words, week_of
from salesops.pipeline_review.history import (
    HISTORY_COLUMNS,
    normalise_history,
    pipeline_at,
    review_quarter,
)
from salesops.pipeline_review.waterfall import WATERFALL_STEPS, headline, waterfall
from tests.unit.pipeline_review.builders import (
    EVERY_CATEGORY,
    Q1,
    WEEK,
    D,
    assert_reconciles,
    history,
    row,
)


def test_every_category_by_hand():
    w = waterfall(EVERY_CATEGORY, WEEK)
    assert w.quarter == Q1
    # opening: deals 1, 2, 3, 4, 6, 7, 9 = 10k + 20k + 30k + 40k + 50k + 8k + 22k
    assert w.opening == Decimal("180000")
    # new: 8 (12k) + 10 (7k, created and won) + 11 (6.5k, reopened)
    assert w.new == Decimal("25500")
    # increased: 2 (+5k) + 9 (+8k before it slipped) + 10 (+2k: won at 9k, entered at 7k)
    assert w.increased == Decimal("15000")
    assert w.decreased == Decimal("-12000")  # 3: 30k -> 18k
    assert w.slipped == Decimal("-70000")  # 4 (40k) + 9 (30k, its increased amount)
    assert w.pulled_in == Decimal("15000")  # 5
    assert w.won == Decimal("-59000")  # 6 (50k) + 10 (9k)
    assert w.lost == Decimal("-8000")  # 7
    # closing: 1 (10k) + 2 (25k) + 3 (18k) + 5 (15k) + 8 (12k) + 11 (6.5k)
    assert w.closing == Decimal("86500")
    # 180000 + 25500 + 15000 - 12000 - 70000 + 15000 - 59000 - 8000 = 86500
    assert_reconciles(w)
    assert w.net_change == Decimal("-93500")
    assert w.deals == {
        "opening": 7,
        "new": 3,
        "increased": 3,
        "decreased": 1,
        "slipped": 2,
        "pulled_in": 1,
        "won": 2,
        "lost": 1,
        "closing": 6,
    }


def test_cents_reconcile_exactly():
    # 0.1 + 0.2 != 0.3 in floats; the waterfall sums integer cents.
    h = history(
        row(1, "2025-02-01", 0.10, "2025-03-20"),
        row(2, "2025-02-01", 0.20, "2025-03-20"),
        row(2, "2025-03-04", 0.21, "2025-03-20"),
        row(3, "2025-03-04", 1234.57, "2025-03-20"),
    )
    w = waterfall(h, WEEK)
    assert w.opening == Decimal("0.30")
    assert w.increased == Decimal("0.01")
    assert w.new == Decimal("1234.57")
    assert w.closing == Decimal("1234.88")
    assert_reconciles(w)


def test_waterfall_frame_running_totals():
    f = waterfall(EVERY_CATEGORY, WEEK).to_frame().set_index("step")
    assert list(f.index) == list(WATERFALL_STEPS)
    # new starts where opening ends; slipped (after +25.5k, +15k, -12k) ends at 138.5k
    assert f.loc["new", "bar_start"] == 180_000
    assert f.loc["slipped", "bar_end"] == 138_500
    assert f.loc["lost", "bar_end"] == f.loc["closing", "bar_end"] == 86_500
    assert f.loc["won", "kind"] == "decrease" and f.loc["new", "kind"] == "increase"


def test_week_straddling_quarters_uses_one_quarter_for_both_snapshots():
    # Week 2024-12-30 .. 2025-01-05 is reviewed against Q1 2025 (its Thursday is 2 Jan).
    week = week_of(D("2025-01-01"))
    h = history(
        row(1, "2024-12-01", 1_000, "2024-12-31"),  # Q4 deal, not in the Q1 pipeline
        row(1, "2024-12-31", 1_000, "2024-12-31", outcome="won"),
        row(2, "2024-12-01", 2_000, "2025-01-15"),  # Q1 deal, in both snapshots
        row(3, "2024-12-01", 3_000, "2025-01-20"),
        row(3, "2025-01-03", 3_000, "2025-01-03", outcome="won"),
    )
    w = waterfall(h, week)
    assert w.quarter.label == "2025-Q1"
    assert (w.opening, w.won, w.closing) == (5_000, -3_000, 2_000)
    # Asking for Q4 instead: deal 1 won from the Q4 pipeline.
    w4 = waterfall(h, week, Quarter(D("2024-10-01")))
    assert (w4.opening, w4.won, w4.closing) == (1_000, -1_000, 0)


def test_headline():
    h = headline(waterfall(EVERY_CATEGORY, WEEK))
    assert (h.net_change, h.slipped, h.slipped_deals) == (-93_500.0, -70_000.0, 2)


BASE = D("2025-02-17")

OUTCOMES = ["open", "open", "open", "won", "lost"]


@st.composite
def histories(draw):
    rows = []
    for opp in range(1, draw(st.integers(1, 8)) + 1):
        day = draw(st.integers(0, 30))
        for _ in range(draw(st.integers(1, 6))):
            rows.append(
                row(
                    opp,
                    BASE + timedelta(days=day),
                    draw(st.one_of(st.none(), st.integers(0, 500_000).map(lambda c: c / 100))),
                    draw(
                        st.one_of(
                            st.none(),
                            st.integers(-60, 150).map(lambda d: D("2025-03-01") + timedelta(d)),
                        )
                    ),
                    outcome=draw(st.sampled_from(OUTCOMES)),
                )
            )
            day += draw(st.integers(0, 6))
    return history(*rows)


def check_history_reconciles(h):
    w = waterfall(h, WEEK)
    assert_reconciles(w)
    q = review_quarter(WEEK)
    # opening and closing are the point-in-time pipelines at the two instants
    assert w.opening == Decimal(int(pipeline_at(h, WEEK.start, q)["cents"].sum())).scaleb(-2)
    assert w.closing == Decimal(int(pipeline_at(h, WEEK.end, q)["cents"].sum())).scaleb(-2)
    # what the repository sends (last row before the week + the week's rows) is enough
    n = normalise_history(h)
    before = n[n["changed_at"] < pd.Timestamp(WEEK.start)].groupby("opportunity_id").tail(1)
    during = n[
        (n["changed_at"] >= pd.Timestamp(WEEK.start)) & (n["changed_at"] < pd.Timestamp(WEEK.end))
    ]
    pruned = pd.concat([before, during])[list(HISTORY_COLUMNS)]
    assert waterfall(pruned, WEEK) == w


# 300 more on every full run: tests/integration/test_waterfall_thorough.py (slow).
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_any_history_reconciles(h):
    check_history_reconciles(h)


def test_new_deals_note_reconciles_the_list_with_the_bar():
    from salesops.pipeline_review.movements import deal_movements
    from salesops.pipeline_review.waterfall import new_deals_note

    h = pd.concat(
        [
            EVERY_CATEGORY,
            # created this week but expected to close in Q2: listed as new, not in the bar
            history(row(20, "2025-03-05", 4_000, "2025-05-10")),
        ],
        ignore_index=True,
    )
    moves = deal_movements(h, WEEK, Q1)
    # created this week: 8, 10 and 20 (11 was reopened, created long before)
    created = pd.DataFrame({"opportunity_id": [8, 10, 20]})
    note = new_deals_note(created, moves, Q1)
    assert note.startswith("The New bar counts 3 deal(s): 2 of the 3 created this week")
    assert "plus 1 reopened" in note
    assert "The other 1 created this week are expected to close after Q1 2025" in note
    assert waterfall(h, WEEK).deals["new"] == 3


def test_week_words_say_the_change_in_plain_words():
    from salesops.pipeline_review.waterfall import week_words

    w = waterfall(EVERY_CATEGORY, WEEK)  # 180k -> 86.5k, 70k slipped by 2 deals
    text, tone = week_words(w, WEEK.last_day, "USD", 0.02)
    assert text == (
        "This week (3 Mar – 9 Mar) the Q1 2025 pipeline shrank by $93.5k to $86.5k; "
        "$70k slipped out of the quarter (2 deals)."
    )
    assert tone == "bad"
    so_far, _ = week_words(w, D("2025-03-06"), "USD", 0.02)
    assert so_far.startswith("This week so far (3 Mar – 6 Mar)")
    # a change below 2% of the opening pipeline is not news
    steady, tone = week_words(w, WEEK.last_day, "USD", 0.6)
    assert "held steady at $86.5k" in steady and tone == "neutral"


def test_an_empty_week_says_why_and_counts_the_undated_deals():
    from salesops.pipeline_review.waterfall import empty_waterfall_sentence

    empty = waterfall(history(), WEEK)
    assert empty.is_empty
    assert empty_waterfall_sentence(empty, 2089, 1_250_000.0, "USD") == (
        f"No open deal was expected to close in {quarter_words(Q1)} during this week, and none "
        "moved in or out of it: the waterfall is empty. 2,089 open deal(s) ($1.25M) have no "
        "expected close date, and the review places a deal in a quarter by that date: import "
        "close dates (Salesforce CloseDate, HubSpot closedate) to see them here."
    )
    assert "have no expected close date" not in empty_waterfall_sentence(empty, 0, 0.0, "USD")
    assert not waterfall(EVERY_CATEGORY, WEEK).is_empty


def test_the_overview_sentence_of_an_empty_week_is_not_held_steady_at_zero():
    from salesops.pipeline_review.waterfall import week_words

    # no open pipeline at all (Olist exports won deals only): nothing "held steady at $0"
    text, tone = week_words(waterfall(history(), WEEK), WEEK.last_day, "USD", 0.02)
    assert text == (
        "This week (3 Mar – 9 Mar) no open deal was expected to close in Q1 2025, and none "
        "moved in or out of it."
    )
    assert tone == "neutral"
