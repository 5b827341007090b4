"""Normalised history, snapshots, weeks and the review quarter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from salesops.calendar import Quarter, Week, last_complete_week, parse_week, week_of
from salesops.pipeline_review.history import pipeline_at, review_quarter, snapshot
from salesops.pipeline_review.waterfall import waterfall
from tests.unit.pipeline_review.builders import EVERY_CATEGORY, Q1, WEEK, D, history, row


def test_missing_history_column_is_a_clear_error():
    with pytest.raises(ValueError, match="lack column"):
        waterfall(pd.DataFrame({"opportunity_id": [1]}), WEEK)


def test_snapshot_takes_the_last_row_strictly_before_the_instant():
    h = history(
        row(1, "2025-03-01", 1_000, "2025-03-20"),
        row(1, "2025-03-03", 2_000, "2025-03-20"),
    )
    assert snapshot(h, D("2025-03-03"))["amount"].tolist() == [1_000]
    assert snapshot(h, D("2025-03-04"))["amount"].tolist() == [2_000]
    assert snapshot(h, D("2025-03-01")).empty


def test_snapshot_same_day_rows_keep_input_order():
    h = history(
        row(1, "2025-03-01", 1_000, "2025-03-20"),
        row(1, "2025-03-01", 3_000, "2025-03-20"),
    )
    assert snapshot(h, D("2025-03-02"))["amount"].tolist() == [3_000]


def test_timezone_aware_changes_are_taken_as_utc_dates():
    # 23:30 on Sunday 2 March in New York is 04:30 on Monday 3 March UTC: inside the week.
    h = history(row(1, "2025-03-01", 1_000, "2025-03-20"))
    eastern = timezone(timedelta(hours=-5))
    h["changed_at"] = pd.Series([datetime(2025, 3, 2, 23, 30, tzinfo=eastern)], dtype=object)
    assert snapshot(h, WEEK.start).empty
    assert waterfall(h, WEEK).new == 1_000


def test_week_helpers_around_year_end_and_week_53():
    w53 = parse_week("2020-W53")
    assert w53.start == D("2020-12-28") and w53.last_day == D("2021-01-03")
    assert w53.label == "2020-W53"
    assert week_of(D("2021-01-03")) == w53  # Sunday of W53 is in 2021
    assert last_complete_week(D("2021-01-04")) == w53  # Monday: last week just ended
    assert last_complete_week(D("2021-01-10")) == w53  # Sunday: this week is not over
    assert w53.next().label == "2021-W01"
    assert review_quarter(w53) == Quarter(D("2020-10-01"))  # Thursday 31 Dec 2020
    w01 = parse_week("2025-01-01")  # a Wednesday, snapped to its Monday
    assert w01.start == D("2024-12-30") and w01.label == "2025-W01"
    assert review_quarter(w01) == Quarter(D("2025-01-01"))  # Thursday 2 Jan 2025
    assert parse_week("2026w53").start == D("2026-12-28")
    assert week_of(datetime(2025, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5)))) == WEEK


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-W53", "2021 has no ISO week 53"),
        ("03/03/2025", "give a date as YYYY-MM-DD"),
        ("", "give a date as YYYY-MM-DD"),
        ("2025-02-30", "give a date as YYYY-MM-DD"),
    ],
)
def test_parse_week_rejects_bad_input_with_a_sentence(text, message):
    with pytest.raises(ValueError, match=message):
        parse_week(text)


def test_week_must_start_on_monday_and_quarter_on_a_quarter_day():
    with pytest.raises(ValueError, match="Monday"):
        Week(D("2025-03-04"))
    with pytest.raises(ValueError, match="first day of a quarter"):
        Quarter(D("2025-02-01"))
    assert Quarter(D("2025-10-01")).end == D("2026-01-01")
    assert Quarter(D("2025-10-01")).label == "2025-Q4"


def test_pipeline_at_and_opening_agree():
    pipe = pipeline_at(EVERY_CATEGORY, WEEK.start, Q1)
    assert sorted(pipe["opportunity_id"]) == [1, 2, 3, 4, 6, 7, 9]
    assert pipe["cents"].sum() / 100 == float(waterfall(EVERY_CATEGORY, WEEK).opening)
