"""Each deal's attribution to the waterfall, on hand-built histories."""

from __future__ import annotations

from salesops.pipeline_review.movements import MOVEMENTS, deal_movements
from salesops.pipeline_review.waterfall import waterfall
from tests.unit.pipeline_review.builders import (
    EVERY_CATEGORY,
    WEEK,
    assert_reconciles,
    history,
    row,
)


def test_every_category_per_deal_attribution():
    m = deal_movements(EVERY_CATEGORY, WEEK).set_index("opportunity_id")
    assert set(m.index) == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert m.loc[9, ["increased", "slipped"]].tolist() == [8_000.0, -30_000.0]
    assert m.loc[10, ["new", "increased", "won"]].tolist() == [7_000.0, 2_000.0, -9_000.0]
    assert (m.loc[10, "entry"], m.loc[10, "exit"]) == ("created", "won")
    assert (m.loc[11, "entry"], m.loc[11, "new"]) == ("reopened", 6_500.0)
    assert m.loc[5, "entry"] == "pulled_in"
    assert m.loc[4, "exit"] == "slipped"
    for opp, r in m.iterrows():
        moved = sum(r[f"{k}_cents"] for k in MOVEMENTS)
        assert r["opening_cents"] + moved == r["closing_cents"], opp


def test_increase_then_slip_in_two_rows_equals_one_row():
    # The same changes recorded in two rows (Mon +8k, Wed slip) give the same bars as deal 9.
    two_rows = history(
        row(9, "2025-02-15", 22_000, "2025-03-27"),
        row(9, "2025-03-03", 30_000, "2025-03-27"),
        row(9, "2025-03-05", 30_000, "2025-04-20"),
    )
    w = waterfall(two_rows, WEEK)
    assert (w.opening, w.increased, w.slipped, w.closing) == (22_000, 8_000, -30_000, 0)
    assert_reconciles(w)


def test_slipped_and_pulled_back_within_the_week_is_no_movement():
    h = history(
        row(1, "2025-02-01", 10_000, "2025-03-20"),
        row(1, "2025-03-04", 10_000, "2025-04-20"),  # out on Tuesday
        row(1, "2025-03-06", 11_000, "2025-03-21"),  # back on Thursday, 1k more
    )
    w = waterfall(h, WEEK)
    # in at both instants: only the net amount change counts
    assert (w.opening, w.slipped, w.pulled_in, w.increased, w.closing) == (
        10_000,
        0,
        0,
        1_000,
        11_000,
    )
    assert_reconciles(w)


def test_won_then_reopened_in_the_same_week_counts_only_the_amount_change():
    h = history(
        row(1, "2025-02-01", 10_000, "2025-03-20"),
        row(1, "2025-03-04", 10_000, "2025-03-04", outcome="won"),
        row(1, "2025-03-05", 9_000, "2025-03-25", "Commit"),  # reopened, lower
    )
    w = waterfall(h, WEEK)
    assert (w.opening, w.won, w.new, w.decreased, w.closing) == (10_000, 0, 0, -1_000, 9_000)
    assert_reconciles(w)


def test_reopened_then_lost_again_in_the_week():
    # Lost before the week, reopened Monday at 4k, lost again Friday at 3k:
    # new +4k (reopened), decreased -1k, lost -3k; opening = closing = 0.
    h = history(
        row(1, "2025-01-10", 5_000, "2025-02-10"),
        row(1, "2025-02-10", 5_000, "2025-02-10", outcome="lost"),
        row(1, "2025-03-03", 4_000, "2025-03-20"),
        row(1, "2025-03-07", 3_000, "2025-03-07", outcome="lost"),
    )
    w = waterfall(h, WEEK)
    assert (w.opening, w.new, w.decreased, w.lost, w.closing) == (0, 4_000, -1_000, -3_000, 0)
    assert_reconciles(w)


def test_created_outside_the_quarter_and_pulled_in_the_same_week_is_new():
    h = history(
        row(1, "2025-03-03", 5_000, "2025-05-01"),
        row(1, "2025-03-05", 5_000, "2025-03-31"),
    )
    m = deal_movements(h, WEEK)
    assert m.loc[0, "entry"] == "created"
    assert (m.loc[0, "new"], m.loc[0, "pulled_in"]) == (5_000.0, 0.0)


def test_pull_in_with_amount_change_in_one_row_enters_at_the_new_amount():
    h = history(
        row(1, "2025-02-01", 5_000, "2025-05-01"),
        row(1, "2025-03-05", 7_000, "2025-03-31"),
    )
    w = waterfall(h, WEEK)
    assert (w.pulled_in, w.increased, w.closing) == (7_000, 0, 7_000)


def test_slipped_into_the_previous_quarter_or_cleared_close_date_is_slipped():
    h = history(
        row(1, "2025-02-01", 1_000, "2025-03-20"),
        row(1, "2025-03-04", 1_000, "2024-12-20"),  # moved back out of the quarter
        row(2, "2025-02-01", 2_000, "2025-03-20"),
        row(2, "2025-03-04", 2_000, None),  # close date cleared
    )
    w = waterfall(h, WEEK)
    assert (w.opening, w.slipped, w.closing) == (3_000, -3_000, 0)


def test_missing_amount_counts_as_zero_and_a_lost_amount_cleared_is_a_decrease():
    h = history(
        row(1, "2025-02-01", None, "2025-03-20"),
        row(2, "2025-02-01", 4_000, "2025-03-20"),
        row(2, "2025-03-04", None, "2025-03-04", outcome="lost"),
    )
    w = waterfall(h, WEEK)
    # amount first: 4k -> 0 is a decrease, then the deal leaves as lost at 0
    assert (w.opening, w.decreased, w.lost, w.closing) == (4_000, -4_000, 0, 0)
    assert w.deals["opening"] == 2 and w.deals["lost"] == 1
    assert_reconciles(w)
