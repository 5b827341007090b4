"""Group sums of the call's small frames, equal to pandas' to the last bit, without its cost.

The call groups frames of a few dozen rows hundreds of times (every quarter of a track
record measures eight training quarters); pandas spends milliseconds per groupby on such
frames whatever their size. `group_sums` gives what `frame.groupby(keys, as_index=False,
dropna=...)[columns].sum()` gives, in plain Python: the same groups in the same (sorted)
order, and the same sums, since it adds each group's rows in row order with the compensated
(Kahan) summation pandas' groupby sum uses. Integer columns are summed exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def _missing(value: Any) -> bool:
    """Returns whether a key value counts as missing for groupby (None, NaN, pd.NA, NaT)."""
    return value is None or value is pd.NA or value is pd.NaT or value != value


def _order(key: tuple) -> tuple:
    """Returns a group key's sort key: each part in its own order, missing parts last."""
    return tuple((True, "") if part is None else (False, part) for part in key)


def _kahan(values: list[float]) -> float:
    """Returns the sum of `values` (NaN skipped) as pandas' groupby sum adds them."""
    total = compensation = 0.0
    for value in values:
        if value != value:  # NaN is skipped (min_count 0: an all-NaN group sums to 0.0)
            continue
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if compensation != compensation:  # an infinity: pandas resets the compensation
            compensation = 0.0
        total = t
    return total


def group_rows(
    frame: pd.DataFrame, keys: Sequence[str], columns: Sequence[str], dropna: bool = True
) -> tuple[list[tuple], dict[str, list]]:
    """Returns the groups of `frame` by `keys`, sorted, and each column's sums per group.

    Keys are Python objects with None for a missing value; with `dropna` (pandas' default)
    rows with a missing key are left out, else missing sorts last. Float columns are summed
    as pandas does (compensated, in row order, NaN skipped), integer columns exactly.
    """
    key_lists = [frame[k].tolist() for k in keys]
    rows: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*key_lists, strict=True)):
        if any(_missing(part) for part in key):
            if dropna:
                continue
            key = tuple(None if _missing(part) else part for part in key)
        rows.setdefault(key, []).append(i)
    groups = sorted(rows, key=_order)
    sums: dict[str, list] = {}
    for column in columns:
        series = frame[column]
        kind = series.dtype.kind
        if kind not in "iuf":
            raise TypeError(f"group_rows sums numeric columns only, not {column} ({series.dtype})")
        values = series.tolist()
        if kind == "f":
            sums[column] = [_kahan([values[i] for i in rows[g]]) for g in groups]
        else:
            sums[column] = [sum(values[i] for i in rows[g]) for g in groups]
    return groups, sums


def group_sums(
    frame: pd.DataFrame, keys: Sequence[str], columns: Sequence[str], dropna: bool = True
) -> pd.DataFrame:
    """Returns `frame.groupby(keys, as_index=False, dropna=dropna)[columns].sum()`.

    The same groups, order and sums (see `group_rows`), with the key columns as Python
    objects (None where missing) and each sum in its column's dtype, indexed from 0.
    """
    groups, sums = group_rows(frame, keys, columns, dropna)
    data: dict[str, pd.Series] = {}
    for position, key in enumerate(keys):
        data[key] = pd.Series([g[position] for g in groups], dtype=object)
    for column in columns:
        data[column] = pd.Series(np.array(sums[column], dtype=frame[column].dtype))
    return pd.DataFrame(data, columns=[*keys, *columns])
