"""Periods and value formatting."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from salesops.calendar import (
    MonthReads,
    Period,
    comparison_period,
    describe_period,
    month_reads,
    preset_period,
    split_whole_months,
    split_whole_weeks,
    trailing_months,
    week_start,
    year_earlier,
)
from salesops.kpis.report import default_period


def test_previous_period():
    assert Period(date(2025, 1, 1), date(2025, 12, 31)).previous() == Period(
        date(2024, 1, 1), date(2024, 12, 31)
    )
    assert Period(date(2025, 3, 1), date(2025, 5, 31)).previous() == Period(
        date(2024, 12, 1), date(2025, 2, 28)
    )
    assert Period(date(2025, 1, 11), date(2025, 1, 20)).previous() == Period(
        date(2025, 1, 1), date(2025, 1, 10)
    )
    with pytest.raises(ValueError, match="ends"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_months_trailing_and_weeks():
    assert Period(date(2024, 12, 15), date(2025, 2, 1)).months() == [
        date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)
    ]  # fmt: skip
    assert trailing_months(date(2025, 3, 15), 3) == Period(date(2025, 1, 1), date(2025, 3, 31))
    assert week_start(date(2026, 1, 1)) == date(2025, 12, 29)  # a Thursday -> Monday
    assert week_start(date(2025, 3, 9)) == date(2025, 3, 3)  # a Sunday


def test_split_whole_months():
    whole, edges = split_whole_months(Period(date(2025, 1, 15), date(2025, 6, 20)))
    assert whole == Period(date(2025, 2, 1), date(2025, 5, 31))
    assert edges == [
        Period(date(2025, 1, 15), date(2025, 1, 31)),
        Period(date(2025, 6, 1), date(2025, 6, 20)),
    ]
    assert split_whole_months(Period(date(2025, 1, 15), date(2025, 2, 10))) == (
        None, [Period(date(2025, 1, 15), date(2025, 2, 10))]
    )  # fmt: skip


def test_split_whole_months_period_ending_on_a_first():
    # a period ending on the 1st must not count that whole month
    assert split_whole_months(Period(date(2023, 1, 1), date(2023, 1, 1))) == (
        None, [Period(date(2023, 1, 1), date(2023, 1, 1))]
    )  # fmt: skip
    assert split_whole_months(Period(date(2025, 1, 1), date(2025, 3, 1))) == (
        Period(date(2025, 1, 1), date(2025, 2, 28)), [Period(date(2025, 3, 1), date(2025, 3, 1))]
    )  # fmt: skip


def test_split_whole_months_covers_every_day_exactly_once():
    days = [date(2024, 11, 25) + timedelta(days=i) for i in range(0, 130, 3)]
    for start in days:
        for end in (d for d in days if d >= start):
            period = Period(start, end)
            whole, edges = split_whole_months(period)
            parts = ([whole] if whole else []) + edges
            covered = sorted(d for p in parts for d in _days(p))
            assert covered == _days(period), period
            assert whole is None or whole.is_whole_months
            weeks, day_edges = split_whole_weeks(period)
            parts = ([weeks] if weeks else []) + day_edges
            assert sorted(d for p in parts for d in _days(p)) == _days(period), period
            if weeks:
                assert weeks.start.weekday() == 0 and weeks.end.weekday() == 6
                assert all(e.days < 7 for e in day_edges)


def test_split_whole_weeks():
    wed, tue = date(2025, 1, 8), date(2025, 1, 28)
    assert split_whole_weeks(Period(wed, tue)) == (
        Period(date(2025, 1, 13), date(2025, 1, 26)),
        [Period(wed, date(2025, 1, 12)), Period(date(2025, 1, 27), tue)],
    )
    assert split_whole_weeks(Period(wed, date(2025, 1, 12))) == (
        None, [Period(wed, date(2025, 1, 12))]
    )  # fmt: skip


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=i) for i in range(period.days)]


# --------------------------------------------------------------------------- period presets

ANCHOR = date(2026, 11, 20)  # the data's latest day


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("trailing", Period(date(2025, 11, 1), date(2026, 10, 31))),  # November not over
        ("this-quarter", Period(date(2026, 10, 1), date(2026, 12, 31))),
        ("qtd", Period(date(2026, 10, 1), date(2026, 11, 20))),
        ("last-quarter", Period(date(2026, 7, 1), date(2026, 9, 30))),
        ("ytd", Period(date(2026, 1, 1), date(2026, 11, 20))),
        ("last-year", Period(date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_presets_count_from_the_data_latest_day(preset, expected):
    assert preset_period(preset, ANCHOR, 12) == expected


def test_trailing_includes_a_month_that_ends_on_the_anchor_and_quarters_cross_years():
    assert preset_period("trailing", date(2026, 10, 31), 3) == Period(
        date(2026, 8, 1), date(2026, 10, 31)
    )
    assert preset_period("last-quarter", date(2026, 2, 3), 12) == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )
    with pytest.raises(ValueError, match="not a period preset"):
        preset_period("custom", ANCHOR, 12)


def test_trailing_runs_to_the_anchor_only_when_all_the_data_is_in_its_unfinished_month():
    # IBM's file has no dates: every deal is dated at the import day
    assert preset_period("trailing", ANCHOR, 12, first_closed=date(2026, 11, 20)) == Period(
        date(2025, 12, 1), ANCHOR
    )
    assert preset_period("trailing", ANCHOR, 12, first_closed=date(2026, 11, 1)) == Period(
        date(2025, 12, 1), ANCHOR
    )
    # one day of data in a whole month keeps the whole-month period
    assert preset_period("trailing", ANCHOR, 12, first_closed=date(2026, 10, 31)) == Period(
        date(2025, 11, 1), date(2026, 10, 31)
    )
    assert default_period(pd.Timestamp(ANCHOR), 12, pd.Timestamp(ANCHOR)) == Period(
        date(2025, 12, 1), ANCHOR
    )
    assert default_period(pd.Timestamp(ANCHOR), 12) == Period(date(2025, 11, 1), date(2026, 10, 31))
    assert default_period(None, 12) is None


def test_comparisons():
    qtd = preset_period("qtd", ANCHOR, 12)
    # a quarter to date against the same stretch of the previous quarter
    assert comparison_period(qtd, "qtd", "previous") == Period(date(2026, 7, 1), date(2026, 8, 20))
    assert comparison_period(qtd, "qtd", "year") == Period(date(2025, 10, 1), date(2025, 11, 20))
    # a year to date has no period "before" it other than last year's same stretch
    ytd = preset_period("ytd", ANCHOR, 12)
    assert comparison_period(ytd, "ytd", "previous") == Period(date(2025, 1, 1), date(2025, 11, 20))
    quarter = preset_period("last-quarter", ANCHOR, 12)
    assert comparison_period(quarter, "last-quarter", "previous") == Period(
        date(2026, 4, 1), date(2026, 6, 30)
    )
    # the stretch of a long quarter is cut at the end of a shorter one (92 days vs 90)
    long = Period(date(2026, 10, 1), date(2026, 12, 31))
    assert comparison_period(long, "qtd", "previous").end == date(2026, 9, 30)


def test_year_earlier_keeps_whole_months_whole_and_handles_leap_days():
    assert year_earlier(Period(date(2024, 2, 1), date(2024, 2, 29))) == Period(
        date(2023, 2, 1), date(2023, 2, 28)
    )
    assert year_earlier(Period(date(2024, 2, 10), date(2024, 2, 29))) == Period(
        date(2023, 2, 10), date(2023, 2, 28)
    )


@pytest.mark.parametrize(
    ("period", "words"),
    [
        (Period(date(2026, 10, 1), date(2026, 12, 31)), "Q4 2026"),
        (Period(date(2025, 1, 1), date(2025, 12, 31)), "2025"),
        (Period(date(2026, 10, 1), date(2026, 10, 31)), "Oct 2026"),
        (Period(date(2025, 11, 1), date(2026, 10, 31)), "Nov 2025 – Oct 2026"),
        (Period(date(2026, 2, 1), date(2026, 4, 30)), "Feb – Apr 2026"),
        (Period(date(2026, 10, 1), date(2026, 11, 20)), "1 Oct – 20 Nov 2026"),
        (Period(date(2025, 12, 5), date(2026, 1, 3)), "5 Dec 2025 – 3 Jan 2026"),
    ],
)
def test_periods_in_plain_words(period, words):
    assert describe_period(period) == words


def test_month_reads_takes_the_days_outside_off_a_whole_month_when_fewer():
    quarter = Period(date(2026, 10, 1), date(2026, 11, 20))
    assert month_reads(quarter) == MonthReads(
        Period(date(2026, 10, 1), date(2026, 11, 30)), [], [Period(date(2026, 11, 21),
                                                                   date(2026, 11, 30))]
    )  # fmt: skip
    early = Period(date(2026, 10, 1), date(2026, 11, 10))  # 10 days in, 20 out: read the 10
    assert month_reads(early) == MonthReads(
        Period(date(2026, 10, 1), date(2026, 10, 31)), [Period(date(2026, 11, 1),
                                                               date(2026, 11, 10))], []
    )  # fmt: skip
    # ... unless the 20 days out are after the data's last day: they hold nothing
    assert month_reads(early, date(2026, 11, 10)).take == [
        Period(date(2026, 11, 11), date(2026, 11, 30))
    ]
    inside = month_reads(Period(date(2026, 3, 2), date(2026, 3, 30)))
    assert inside == MonthReads(
        Period(date(2026, 3, 1), date(2026, 3, 31)), [],
        [Period(date(2026, 3, 1), date(2026, 3, 1)), Period(date(2026, 3, 31), date(2026, 3, 31))],
    )  # fmt: skip
    assert month_reads(Period(date(2026, 1, 1), date(2026, 3, 31))) == MonthReads(
        Period(date(2026, 1, 1), date(2026, 3, 31)), [], []
    )


def test_month_reads_covers_every_day_of_the_period_exactly_once():
    days = [date(2024, 11, 25) + timedelta(days=i) for i in range(0, 130, 3)]
    for start in days:
        for end in (d for d in days if d >= start):
            period = Period(start, end)
            for last in (None, end, end + timedelta(days=40)):
                reads = month_reads(period, last)
                counted = [d for p in ([reads.months] if reads.months else []) for d in _days(p)]
                counted += [d for p in reads.add for d in _days(p)]
                taken = [d for p in reads.take for d in _days(p)]
                assert all(counted.count(d) == 1 for d in taken), period
                left = sorted(d for d in counted if d not in taken)
                assert left == _days(period), (period, last)
                assert reads.months is None or reads.months.is_whole_months
