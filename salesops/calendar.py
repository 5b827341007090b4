"""Calendar: inclusive periods, ISO weeks, quarters, month and week bucketing (one home)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"Period ends ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        """Returns the number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def is_whole_months(self) -> bool:
        """Returns True if the period starts on a 1st and ends on a month's last day."""
        return self.start.day == 1 and (self.end + timedelta(days=1)).day == 1

    def previous(self) -> Period:
        """Returns the period of equal length just before (same number of months if whole)."""
        if self.is_whole_months:
            months = months_between(self.start, self.end)
            start = add_months(self.start, -months)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def months(self) -> list[date]:
        """Returns the first day of every month the period touches."""
        first = self.start.replace(day=1)
        return [add_months(first, i) for i in range(months_between(first, self.end))]

    def to_dict(self) -> dict[str, str]:
        """Returns {"from": ISO date, "to": ISO date}."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def add_months(day: date, months: int) -> date:
    """Returns the first of the month `months` after (or before, if negative) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Returns how many calendar months from start's month to end's month, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_end(day: date) -> date:
    """Returns the last day of day's month."""
    return add_months(day, 1) - timedelta(days=1)


def trailing_months(end: date, months: int) -> Period:
    """Returns the whole-month period of `months` months ending with end's month."""
    return Period(add_months(end.replace(day=1), -(months - 1)), month_end(end))


def week_start(day: date) -> date:
    """Returns the Monday of day's ISO week."""
    return day - timedelta(days=day.weekday())


def split_whole_months(period: Period) -> tuple[Period | None, list[Period]]:
    """Returns (the whole months inside the period or None, the partial-month edges).

    For 15 Jan - 20 Jun: (1 Feb - 31 May, [15 Jan - 31 Jan, 1 Jun - 20 Jun]).
    """
    if period.is_whole_months:
        return period, []
    first = period.start if period.start.day == 1 else add_months(period.start, 1)
    ends_month = (period.end + timedelta(days=1)).day == 1
    last = period.end if ends_month else period.end.replace(day=1) - timedelta(days=1)
    return _split(period, first, last)


@dataclass(frozen=True)
class MonthReads:
    """How to read a period from a monthly rollup and its base table (see `month_reads`).

    `months`: the months read from the rollup (None: none); `add`: days of the period read
    from the base table and added; `take`: days outside the period but inside `months`,
    read from the base table and taken off.
    """

    months: Period | None
    add: list[Period]
    take: list[Period]


def month_reads(period: Period, last: date | None = None) -> MonthReads:
    """Returns how to read `period`: whole months from a rollup, partial months the cheaper way.

    A partial edge month is read day by day from the base table (`add`), or as its whole
    month from the rollup less the month's days outside the period (`take`), whichever has
    fewer days to read; days after `last` (the data's last day, when known) hold nothing
    and cost nothing. A quarter to date ending on the data's last day (1 Oct - 20 Nov) reads
    October and November from the rollup and takes off 21-30 Nov: nothing. Either way the
    sums are the period's.
    """
    first: date | None = None
    final: date | None = None
    add: list[Period] = []
    take: list[Period] = []
    for start in period.months():
        month = Period(start, month_end(start))
        edge = Period(max(period.start, month.start), min(period.end, month.end))
        if edge == month:
            first, final = first or month.start, month.end
            continue
        rest = [
            Period(start, end)
            for start, end in (
                (month.start, edge.start - timedelta(days=1)),
                (edge.end + timedelta(days=1), month.end),
            )
            if start <= end
        ]
        if sum(_days_by(r, last) for r in rest) < _days_by(edge, last):
            take.extend(rest)
            first = month.start if first is None else min(first, month.start)
            final = month.end if final is None else max(final, month.end)
        else:
            add.append(edge)
    months = None if first is None or final is None else Period(first, final)
    return MonthReads(months, add, take)


def _days_by(period: Period, last: date | None) -> int:
    """Returns the days of `period` up to `last` (all of them when `last` is None)."""
    if last is None or last >= period.end:
        return period.days
    return max(0, (last - period.start).days + 1)


def split_whole_weeks(period: Period) -> tuple[Period | None, list[Period]]:
    """Returns (the whole Monday-Sunday weeks inside the period or None, the edge days).

    For Wed 8 Jan - Tue 28 Jan 2025: (Mon 13 Jan - Sun 26 Jan, [8-12 Jan, 27-28 Jan]).
    """
    first = period.start + timedelta(days=(7 - period.start.weekday()) % 7)
    last = period.end - timedelta(days=(period.end.weekday() + 1) % 7)
    return _split(period, first, last)


def _split(period: Period, first: date, last: date) -> tuple[Period | None, list[Period]]:
    """Returns (first..last or None when empty, the period's days before and after it)."""
    if first > last:
        return None, [period]
    edges = []
    if period.start < first:
        edges.append(Period(period.start, first - timedelta(days=1)))
    if last < period.end:
        edges.append(Period(last + timedelta(days=1), period.end))
    return Period(first, last), edges


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: Monday `start` (inclusive) to the next Monday `end` (exclusive)."""

    start: date

    def __post_init__(self) -> None:
        if self.start.weekday() != 0:
            raise ValueError(f"A week starts on a Monday; {self.start.isoformat()} is not one.")

    @property
    def end(self) -> date:
        """Returns the Monday after the week (exclusive end, the closing snapshot instant)."""
        return self.start + timedelta(days=7)

    @property
    def last_day(self) -> date:
        """Returns the week's Sunday."""
        return self.start + timedelta(days=6)

    @property
    def thursday(self) -> date:
        """Returns the week's Thursday (it decides the ISO year and the review quarter)."""
        return self.start + timedelta(days=3)

    @property
    def label(self) -> str:
        """Returns the ISO week label, e.g. "2026-W53"."""
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"

    def previous(self) -> Week:
        """Returns the week before."""
        return Week(self.start - timedelta(days=7))

    def next(self) -> Week:
        """Returns the week after."""
        return Week(self.end)

    def to_dict(self) -> dict[str, str]:
        """Returns {"start", "end" (the Sunday, inclusive), "label"} with ISO dates."""
        return {
            "start": self.start.isoformat(),
            "end": self.last_day.isoformat(),
            "label": self.label,
        }


def week_of(day: date | datetime) -> Week:
    """Returns the ISO week containing `day` (a datetime is taken as its UTC date)."""
    return Week(week_start(utc_date(day)))


def last_complete_week(today: date | datetime) -> Week:
    """Returns the latest week that has fully ended before `today` (the week before today's)."""
    return week_of(today).previous()


_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str) -> Week:
    """Returns the week named by an ISO date (any day of it) or an ISO week ("2025-W10").

    Raises ValueError with a one-sentence message for anything else.
    """
    value = (text or "").strip()
    match = _ISO_WEEK.match(value)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            return Week(date.fromisocalendar(year, number, 1))
        except ValueError:
            raise ValueError(f"{value!r} is not a week: {year} has no ISO week {number}.") from None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a week: give a date as YYYY-MM-DD (e.g. 2025-03-03) "
            "or an ISO week as YYYY-Www (e.g. 2025-W10)."
        ) from None
    return week_of(day)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: `start` (inclusive, the 1st of Jan/Apr/Jul/Oct) to `end` (exclusive)."""

    start: date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.start.month not in (1, 4, 7, 10):
            raise ValueError(f"{self.start.isoformat()} is not the first day of a quarter.")

    @property
    def end(self) -> date:
        """Returns the first day of the next quarter (exclusive end)."""
        month = self.start.month + 3
        return date(self.start.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        """Returns the quarter's last day."""
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """Returns e.g. "2025-Q1"."""
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def months(self) -> list[date]:
        """Returns the first day of each of the quarter's three months."""
        return [date(self.start.year, self.start.month + i, 1) for i in range(3)]

    def to_dict(self) -> dict[str, str]:
        """Returns {"start", "end" (inclusive last day), "label"} with ISO dates."""
        return {
            "start": self.start.isoformat(),
            "end": self.last_day.isoformat(),
            "label": self.label,
        }


def quarter_of(day: date | datetime) -> Quarter:
    """Returns the calendar quarter containing `day`."""
    day = utc_date(day)
    return Quarter(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))


def utc_date(value: date | datetime) -> date:
    """Returns the calendar date of `value`; a timezone-aware datetime is taken in UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return pd.Timestamp(value).tz_convert("UTC").date()
        return value.date()
    return value


# --------------------------------------------------------------------------- period presets

# Every period preset the shared filters offer, in menu order: the URL's `period` value and
# its label ("trailing" is the last Settings.default_period_months whole months).
PERIOD_PRESETS: dict[str, str] = {
    "trailing": "Last {months} months",
    "this-quarter": "This quarter",
    "qtd": "Quarter to date",
    "last-quarter": "Last quarter",
    "ytd": "Year to date",
    "last-year": "Last year",
    "custom": "Custom dates",
}
# How a period is compared: with the one before it, or with the same dates a year earlier.
COMPARISONS: dict[str, str] = {
    "previous": "Previous period",
    "year": "Same period last year",
}


def last_whole_month(last_day: date) -> date:
    """Returns the first day of the last month that is complete on `last_day`."""
    first = last_day.replace(day=1)
    return first if (last_day + timedelta(days=1)).day == 1 else add_months(first, -1)


def preset_period(
    preset: str, anchor: date, months: int, first_closed: date | None = None
) -> Period:
    """Returns the dates a preset stands for when the data's latest day is `anchor`.

    "trailing" is the last `months` whole months up to the last complete month, or, when
    every deal closed in `anchor`'s month that is not over yet (`first_closed` in it: a file
    without dates, whose every deal is dated at the import day), the `months` months up to
    `anchor`: a period without any closed deal would read "no closed deals" beside bookings
    of the same deals.
    "this-quarter" is the whole quarter of `anchor`; "qtd" and "ytd" run to `anchor`.
    Raises ValueError for "custom" or an unknown preset.
    """
    quarter = quarter_of(anchor)
    if preset == "trailing":
        whole = trailing_months(last_whole_month(anchor), months)
        if first_closed is not None and first_closed > whole.end:
            return Period(trailing_months(anchor, months).start, anchor)
        return whole
    if preset == "this-quarter":
        return Period(quarter.start, quarter.last_day)
    if preset == "qtd":
        return Period(quarter.start, anchor)
    if preset == "last-quarter":
        previous = quarter_of(quarter.start - timedelta(days=1))
        return Period(previous.start, previous.last_day)
    if preset == "ytd":
        return Period(date(anchor.year, 1, 1), anchor)
    if preset == "last-year":
        return Period(date(anchor.year - 1, 1, 1), date(anchor.year - 1, 12, 31))
    raise ValueError(f"{preset!r} is not a period preset: use one of {', '.join(PERIOD_PRESETS)}.")


def year_earlier(period: Period) -> Period:
    """Returns the same dates one year earlier (whole months stay whole: Feb 29 -> Feb 28)."""
    if period.is_whole_months:
        return Period(add_months(period.start, -12), month_end(add_months(period.end, -12)))
    return Period(_minus_year(period.start), _minus_year(period.end))


def _minus_year(day: date) -> date:
    """Returns the same day a year earlier (29 Feb becomes 28 Feb)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))


def comparison_period(period: Period, preset: str, compare: str) -> Period:
    """Returns the period `period` is compared with.

    "year": the same dates a year earlier. "previous": the period before it, except that a
    quarter to date is compared with the same stretch of the previous quarter, and a year
    to date with the same stretch of the previous year (the days just before a year to
    date would straddle two years).
    """
    if compare == "year" or preset == "ytd":
        return year_earlier(period)
    if preset == "qtd":
        start = add_months(period.start, -3)
        end = min(start + timedelta(days=period.days - 1), period.start - timedelta(days=1))
        return Period(start, end)
    return period.previous()


def describe_period(period: Period) -> str:
    """Returns a period in plain words: "Q3 2026", "Oct 2026", "2025", or "1 Oct – 20 Nov 2026"."""
    quarter = quarter_of(period.start)
    if period.start == quarter.start and period.end == quarter.last_day:
        return quarter_words(quarter)
    if period.start == date(period.start.year, 1, 1) and period.end == date(
        period.start.year, 12, 31
    ):
        return str(period.start.year)
    if period.is_whole_months and period.start.replace(day=1) == period.end.replace(day=1):
        return f"{period.start:%b %Y}"
    if period.is_whole_months:
        if period.start.year == period.end.year:
            return f"{period.start:%b} – {period.end:%b %Y}"
        return f"{period.start:%b %Y} – {period.end:%b %Y}"
    if period.start.year == period.end.year:
        return f"{period.start.day} {period.start:%b} – {period.end.day} {period.end:%b %Y}"
    return f"{period.start.day} {period.start:%b %Y} – {period.end.day} {period.end:%b %Y}"


def quarter_words(quarter: Quarter) -> str:
    """Returns a quarter in words: "Q4 2026" (its label "2026-Q4" is the machine form)."""
    return f"Q{(quarter.start.month - 1) // 3 + 1} {quarter.start.year}"


def week_words(week: Week) -> str:
    """Returns a week in words: "week of 9 Nov 2026" (its label "2026-W46" is the machine form)."""
    return f"week of {week.start.day} {week.start:%b %Y}"
