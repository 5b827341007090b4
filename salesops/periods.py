"""Periods: inclusive date ranges, the previous period, and month/week bucketing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


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
