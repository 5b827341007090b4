"""Calendar quarters (salesops.calendar) as the Timestamps forecast frames are keyed by."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.calendar import Quarter, quarter_of


def quarters_from(day: date | pd.Timestamp | str, count: int) -> list[Quarter]:
    """Returns the quarter containing `day` and the `count - 1` quarters after it."""
    quarters = [quarter_of(pd.Timestamp(day).date())]
    while len(quarters) < count:
        quarters.append(Quarter(quarters[-1].end))
    return quarters[:count]


def quarter_index(day: date | pd.Timestamp | str, count: int) -> pd.DatetimeIndex:
    """Returns the starts of `quarters_from(day, count)` as datetime64[ns]."""
    starts = [pd.Timestamp(q.start) for q in quarters_from(day, count)]
    return pd.DatetimeIndex(starts, dtype="datetime64[ns]")


def quarter_starts(dates: pd.Series) -> pd.Series:
    """Returns the start of each date's calendar quarter as datetime64[ns] (NaT stays NaT)."""
    days = pd.to_datetime(dates)
    distinct = pd.DatetimeIndex(days.dropna().unique())
    starts = {day: pd.Timestamp(quarter_of(day.date()).start) for day in distinct}
    return days.map(starts).astype("datetime64[ns]")
