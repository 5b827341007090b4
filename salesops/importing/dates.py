"""Dates in CSV exports: parsing in one format per file, and the evidence that picks it.

Nothing here guesses: when day/month and month/day orders both read every date of a file
differently, validation stops and asks for a choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from salesops.importing.uniques import per_distinct

DAY_FIRST, MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"
DATE_FORMAT_LABELS = {
    "%Y-%m-%d": "ISO (YYYY-MM-DD)",
    "%Y-%m-%d %H:%M:%S": "ISO date-time",
    "%m/%d/%Y": "month/day/year (US)",
    "%d/%m/%Y": "day/month/year",
    "%d.%m.%Y": "day.month.year",
}


# The dates a datetime64[ns] column (and so every date pandas hands the database) can hold.
EARLIEST_DATE = pd.Timestamp.min.ceil("D")
LATEST_DATE = pd.Timestamp.max.floor("D")
OUT_OF_RANGE = (
    f"a date between {EARLIEST_DATE.year + 1} and {LATEST_DATE.year - 1} (a placeholder such as "
    "12/31/9999 is not a date: leave the cell empty)"
)


def _is_iso(fmt: str) -> bool:
    return fmt.startswith("%Y-")


def parse_dates_checked(values: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Returns (UTC calendar dates as datetime64[ns] at midnight, out-of-range mask).

    ISO formats accept any ISO 8601 date or date-time (with or without a timezone, such as
    Salesforce's `2024-01-05T10:00:00.000+0000`; aware values are converted to UTC first).
    Other formats read the date part before any time. A value that does not parse is NaT;
    one that parses but lies outside what the database's dates hold (before 1678 or after
    2261, such as Salesforce's 12/31/9999 "no date" placeholder) is NaT and flagged. Each
    distinct text is parsed once.
    """
    parsed, too_far = per_distinct(values, lambda v: _parse_dates_checked(v, fmt))
    return parsed, too_far


def _parse_dates_checked(values: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Returns parse_dates_checked(values, fmt), parsing every value."""
    text = values.astype("str").str.strip()
    if _is_iso(fmt):
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    else:
        has_time = text.str.contains(" ", regex=False).fillna(False)
        date_part = text.str.split(" ", n=1).str[0] if has_time.any() else text
        parsed = pd.to_datetime(date_part, format=fmt, errors="coerce", utc=True)
    parsed = parsed.dt.tz_localize(None)
    too_far = (parsed < EARLIEST_DATE) | (parsed > LATEST_DATE)
    parsed = parsed.where(~too_far).dt.normalize().astype("datetime64[ns]")
    return parsed, too_far


def parse_timestamps(values: pd.Series, fmt: str) -> pd.Series:
    """Returns UTC timestamps (datetime64[ns], time of day kept) for `values`; NaT if unreadable.

    Orders changes made on the same day (history rows); see parse_dates_checked.
    """
    return per_distinct(values, lambda v: (_parse_timestamps(v, fmt),))[0]


def _parse_timestamps(values: pd.Series, fmt: str) -> pd.Series:
    """Returns parse_timestamps(values, fmt), parsing every value."""
    text = values.astype("str").str.strip()
    if _is_iso(fmt):
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    else:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        with_time = pd.to_datetime(text, format=f"{fmt} %H:%M:%S", errors="coerce", utc=True)
        parsed = parsed.fillna(with_time)
    parsed = parsed.dt.tz_localize(None)
    return parsed.where((parsed >= EARLIEST_DATE) & (parsed <= LATEST_DATE)).astype(
        "datetime64[ns]"
    )


def parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Returns UTC calendar dates (datetime64 at midnight) for `values`; NaT where unparseable.

    See parse_dates_checked (dates outside 1678-2261 are NaT too).
    """
    return parse_dates_checked(values, fmt)[0]


@dataclass
class DateEvidence:
    """Per candidate format, how many non-empty date values it parses (accumulated over chunks)."""

    formats: tuple[str, ...]
    total: int = 0
    parsed: dict[str, int] = field(default_factory=dict)
    example_ambiguous: str | None = None
    latest: pd.Timestamp | None = None

    def add(self, values: pd.Series) -> None:
        """Counts which candidate formats parse each non-empty value in `values`."""
        values = values.dropna()
        values = values[values.astype("str").str.strip() != ""]
        if values.empty:
            return
        self.total += len(values)
        oks = {}
        for fmt in self.formats:
            parsed, too_far = parse_dates_checked(values, fmt)
            oks[fmt] = parsed.notna() | too_far
            self.parsed[fmt] = self.parsed.get(fmt, 0) + int(oks[fmt].sum())
            latest = parsed.max()
            if pd.notna(latest) and (self.latest is None or latest > self.latest):
                self.latest = latest
        if self.example_ambiguous is None and DAY_FIRST in oks and MONTH_FIRST in oks:
            both = oks[DAY_FIRST] & oks[MONTH_FIRST]
            differs = both & (parse_dates(values, DAY_FIRST) != parse_dates(values, MONTH_FIRST))
            if differs.any():
                self.example_ambiguous = str(values[differs].iloc[0])

    def choose(self) -> tuple[str | None, str | None]:
        """Returns (format, None) or (None, reason) when day/month order cannot be told apart."""
        if self.total == 0:
            return self.formats[0], None
        full = [f for f in self.formats if self.parsed.get(f, 0) == self.total]
        if len(full) == 1:
            return full[0], None
        if {DAY_FIRST, MONTH_FIRST} <= set(full) and self.example_ambiguous is not None:
            return None, (
                f"dates such as {self.example_ambiguous} read both as day/month and "
                "month/day: choose the date format"
            )
        if full:
            return full[0], None
        ranked = sorted(self.formats, key=lambda f: -self.parsed.get(f, 0))
        tie = len(ranked) > 1 and self.parsed.get(ranked[0], 0) == self.parsed.get(ranked[1], 0)
        if tie and {ranked[0], ranked[1]} == {DAY_FIRST, MONTH_FIRST}:
            return None, "dates mix day/month and month/day orders: choose the date format"
        return ranked[0], None
