"""Forecast frequencies: weeks starting Monday or calendar months, and their period starts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Frequency:
    """A forecast frequency: its pandas alias, season length and words for messages."""

    code: str
    alias: str
    season_length: int
    quarter_length: int
    unit: str

    def offset(self) -> pd.DateOffset:
        """Returns the pandas offset of one period."""
        return pd.tseries.frequencies.to_offset(self.alias)


WEEK = Frequency("W", "W-MON", 52, 13, "week")
MONTH = Frequency("M", "MS", 12, 3, "month")
_FREQUENCIES = {"W": WEEK, "W-MON": WEEK, "WEEK": WEEK, "M": MONTH, "MS": MONTH, "MONTH": MONTH}


def frequency(freq: str | Frequency) -> Frequency:
    """Returns the `Frequency` for "W"/"W-MON"/"week" or "M"/"MS"/"month".

    Raises:
        ValueError: for any other frequency.
    """
    if isinstance(freq, Frequency):  # an unpickled copy (worker process) maps back too
        freq = freq.code
    try:
        return _FREQUENCIES[str(freq).strip().upper()]
    except KeyError:
        raise ValueError(f"Unknown frequency {freq!r}: use W (weekly) or M (monthly).") from None


def period_start(dates: pd.Series, freq: str | Frequency) -> pd.Series:
    """Returns each date floored to the start of its period (Monday of its week, 1st of month)."""
    spec = frequency(freq)
    days = pd.to_datetime(dates).astype("datetime64[ns]").dt.normalize()
    if spec == WEEK:
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days.dt.to_period("M").dt.start_time.astype("datetime64[ns]")


def future_dates(last: pd.Timestamp, horizon: int, spec: Frequency) -> pd.DatetimeIndex:
    """Returns the starts of the `horizon` periods after the period starting at `last`."""
    return pd.date_range(last, periods=horizon + 1, freq=spec.alias)[1:].astype("datetime64[ns]")
