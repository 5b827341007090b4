"""Selling share per week or month: one row for every period, a gap (not 0%) where no hours.

**Period membership**: an activity row is in a period when its ``week_start`` is; a
week belongs to the month its ``week_start`` (Monday) falls in.
"""

from __future__ import annotations

import pandas as pd

from salesops.time_allocation.classification import Classified, activity_rows
from salesops.time_allocation.ratios import NO_TIME_REASON
from salesops.time_allocation.shares import HOUR_COLUMNS, category_hours, share_columns


def selling_share_trend(
    rows: Classified | pd.DataFrame,
    *,
    freq: str,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    benchmark: float,
) -> pd.DataFrame:
    """Returns selling share per period, one row for every period from start to end.

    A week is bucketed into the month its ``week_start`` (Monday) falls in. Periods
    with no rows, or rows summing to zero hours, appear with ``hours`` 0 and an NA
    share with a reason (a gap in the chart, not a 0%).

    Requires columns ``period`` (a week_start Monday for ``freq="W"``, a month start
    for ``freq="M"``; finer periods are bucketed), ``hours``, ``category``,
    ``is_back_office``.

    Returns a frame with columns ``period``, ``hours``, ``selling_hours``,
    ``non_selling_hours``, ``back_office_hours``, ``unknown_hours``,
    ``selling_share`` (Float64), ``share_reason``, ``gap_to_benchmark``.
    """
    if freq not in ("W", "M"):
        raise ValueError(f"freq must be 'W' or 'M', not {freq!r}.")
    frame = activity_rows(rows)
    frame = frame.assign(period=_bucket(pd.to_datetime(frame["period"]), freq))
    per = category_hours(frame, ["period"]) if len(frame) else None
    lo = None
    if start is not None:
        # Rows belong to a period by their week_start, so the first week is the first
        # Monday on or after start (a week that began earlier is not in the period).
        first = pd.Timestamp(start).normalize()
        if freq == "W":
            lo = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
        else:
            lo = _bucket_one(first, freq)
    hi = _bucket_one(end, freq) if end is not None else None
    if per is not None and len(per):
        lo = per["period"].min() if lo is None else lo
        hi = per["period"].max() if hi is None else hi
    cols = HOUR_COLUMNS
    if lo is None or hi is None or lo > hi:
        out = pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]")})
        for col in cols:
            out[col] = pd.Series([], dtype=float)
        return share_columns(out, NO_TIME_REASON, benchmark)
    periods = pd.date_range(lo, hi, freq="W-MON" if freq == "W" else "MS")
    out = pd.DataFrame({"period": periods.astype("datetime64[ns]")})
    if per is not None:
        per = per.astype({"period": "datetime64[ns]"})
        out = out.merge(per, on="period", how="left")
    out = out.reindex(columns=["period", *cols]).fillna({c: 0.0 for c in cols})
    return share_columns(out, "no hours logged in this period", benchmark)


def _bucket(dates: pd.Series, freq: str) -> pd.Series:
    """Returns each date's period start: its week's Monday (``"W"``) or month's first day."""
    if freq == "W":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.to_timestamp()


def _bucket_one(value: pd.Timestamp | str, freq: str) -> pd.Timestamp:
    """Returns the start of the period one day falls in."""
    return _bucket(pd.Series([pd.Timestamp(value)]), freq).iloc[0]
