"""Typed rows as the database wants them: plain Python values, ISO dates, change detection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# Values per IN (...) list when looking rows up by id.
LOOKUP_BATCH = 2_000


def plain_value(value: object) -> object:
    """Returns a value as plain Python: Timestamp as date, numpy scalars unwrapped, NA as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def plain_column(series: pd.Series) -> list[object]:
    """Returns a column as plain Python values: dates as date, missing as None."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series):
        values = np.array(series.dt.date, dtype=object)
    elif pd.api.types.is_float_dtype(series):
        values = np.array(series.to_numpy(dtype=object), dtype=object)
    else:
        values = np.array(series.astype(object).to_numpy(), dtype=object)
    values[missing] = None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the frame as dicts of plain Python values (dates as date, missing as None)."""
    columns = list(frame.columns)
    lists = [plain_column(frame[c]) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def in_batches(values: Sequence, size: int = LOOKUP_BATCH) -> Iterable[Sequence]:
    """Yields `values` in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def same_values(left: pd.Series, right: pd.Series) -> pd.Series:
    """Returns elementwise equality where both-missing counts as equal (dates/floats tolerant)."""
    left = left.reset_index(drop=True)
    right = right.reset_index(drop=True)
    both_missing = left.isna().to_numpy() & right.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(right) or pd.api.types.is_datetime64_any_dtype(left):
        l_dates = pd.to_datetime(left, errors="coerce")
        r_dates = pd.to_datetime(right, errors="coerce")
        equal = (l_dates == r_dates).to_numpy()
    elif pd.api.types.is_float_dtype(right) or (
        # an id column read back with NULLs is float64 (9.0) while the new one is Int64 (9)
        pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right)
    ):
        l_num = pd.to_numeric(left, errors="coerce").to_numpy(dtype="float64")
        r_num = right.to_numpy(dtype="float64", na_value=np.nan)
        equal = np.isclose(l_num, r_num, rtol=0, atol=0.005)
    else:
        as_text = (left.astype("string") == right.astype("string")).fillna(False)
        equal = as_text.to_numpy(dtype=bool)
    return pd.Series(both_missing | equal, index=right.index)


def same_value(left: object, right: object) -> bool:
    """Returns True when two single values are equal by `same_values` (a stored vs a new one)."""
    return bool(
        same_values(
            pd.Series([plain_value(left)], dtype=object), pd.Series([right], dtype=object)
        ).iloc[0]
    )
