"""Bookings series: won amounts on a regular period grid, one per scope.

A period with no won deal booked nothing, so gaps are zeros; the running period (the one
containing `as_of`) is dropped, so a half-finished month does not look like a collapse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from salesops.forecast.frequency import Frequency, frequency, period_start


def regular_series(
    bookings: pd.DataFrame,
    freq: str | Frequency,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Returns bookings summed onto a regular period grid, missing periods as 0.

    A period with no won deal booked nothing, so gaps are zeros. When `as_of` is
    given, the period containing it (still running) and later ones are dropped, so a
    half-finished month does not look like a collapse.

    Args:
        bookings: Requires columns ds (any date inside the period) and y (amount).
        freq: "W" (weeks starting Monday) or "M" (months).
        start: first period of the grid (default: the earliest ds).
        end: last period of the grid (default: the latest ds).
        as_of: today; periods not complete by this date are dropped.

    Returns:
        A frame with columns ds (datetime64[ns], period start) and y (float64).
    """
    spec = frequency(freq)
    frame = bookings[["ds", "y"]].dropna(subset=["ds"])
    starts = period_start(frame["ds"], spec)
    amounts = pd.to_numeric(frame["y"], errors="coerce").fillna(0.0).astype("float64")
    summed = amounts.groupby(starts.to_numpy()).sum()
    first = period_start(pd.Series([pd.Timestamp(start)]), spec)[0] if start is not None else None
    last = period_start(pd.Series([pd.Timestamp(end)]), spec)[0] if end is not None else None
    if first is None:
        first = summed.index.min() if len(summed) else None
    if last is None:
        last = summed.index.max() if len(summed) else None
    grid = _period_grid(first, last, spec, as_of)
    values = summed.reindex(grid, fill_value=0.0).to_numpy(dtype="float64")
    return pd.DataFrame({"ds": grid, "y": values})


def _period_grid(
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
    spec: Frequency,
    as_of: pd.Timestamp | str | None,
) -> pd.DatetimeIndex:
    """Returns the period starts from first to last, ending before the period of `as_of`."""
    if as_of is not None:
        running = period_start(pd.Series([pd.Timestamp(as_of)]), spec)[0]
        last_complete = running - spec.offset()
        last = last_complete if last is None or last > last_complete else last
    if first is None or last is None or first > last:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return pd.date_range(first, last, freq=spec.alias).astype("datetime64[ns]")


def trim_leading_zeros(series: pd.DataFrame) -> pd.DataFrame:
    """Returns the series from its first non-zero period on (a scope's history starts there).

    Requires columns ds and y. Returns a new frame with columns ds (datetime64[ns]) and
    y (float64); an all-zero series is returned whole. Built from arrays: it runs for
    every scope on every page view, cached fits included.
    """
    ds = series["ds"].to_numpy(dtype="datetime64[ns]")
    y = series["y"].to_numpy(dtype="float64")
    nonzero = np.flatnonzero(y != 0)
    first = int(nonzero[0]) if len(nonzero) else 0
    return pd.DataFrame({"ds": ds[first:], "y": y[first:]})


def series_by_scope(
    bookings: pd.DataFrame,
    freq: str | Frequency,
    by: str | None = None,
    names: Mapping[Any, str] | None = None,
    as_of: pd.Timestamp | str | None = None,
    total_label: str = "All",
) -> dict[str, pd.DataFrame]:
    """Returns one regular bookings series per scope, all on the same period grid.

    Args:
        bookings: Requires columns ds, y and the `by` column (territory_id or segment).
        freq: "W" or "M".
        by: None for one total series, "territory" (grouped on territory_id and labelled
            through `names`) or "segment".
        names: territory id -> name.
        as_of: today; the running period and later ones are dropped.
        total_label: the label of the total series.

    Returns:
        scope label -> frame with columns ds, y (sorted by label, the total first).
    """
    spec = frequency(freq)
    frame = bookings.dropna(subset=["ds"])
    if len(frame) == 0:
        return {total_label: regular_series(bookings, spec, as_of=as_of)}
    starts = period_start(frame["ds"], spec).to_numpy()
    grid = _period_grid(starts.min(), starts.max(), spec, as_of)
    amounts = pd.to_numeric(frame["y"], errors="coerce").fillna(0.0).astype("float64")
    column = "territory_id" if by == "territory" else by
    keys = np.full(len(frame), total_label, dtype=object) if by is None else frame[column]
    # one GROUP BY (scope, period) for every scope, then each scope's row on the grid
    table = (
        amounts.groupby([np.asarray(keys), starts], dropna=False, sort=True)
        .sum()
        .unstack(fill_value=0.0)
        .reindex(columns=grid, fill_value=0.0)
    )
    out: dict[str, pd.DataFrame] = {}
    for key, values in zip(table.index, table.to_numpy(dtype="float64"), strict=True):
        if by is None:
            label = total_label
        elif pd.isna(key):
            label = f"(no {by})"
        else:
            label = (names or {}).get(key, str(key)) if by == "territory" else str(key)
        out[label] = pd.DataFrame({"ds": grid, "y": values})
    return dict(sorted(out.items()))
