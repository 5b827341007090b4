"""Column helpers of the territory tables: numbers with missing as 0, undefined ratios, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

_NONE = np.array(None, dtype=object)  # np.where's stubs take arrays, not a bare None


def numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    """Returns the column as float64 with missing values as 0 (0 everywhere if it is absent)."""
    if col not in frame:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[col], errors="coerce").astype("float64").fillna(0.0)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """Returns num / den as nullable floats, <NA> where the denominator is 0 or missing."""
    num = num.astype("Float64")
    den = den.astype("Float64")
    out = num / den.where(den > 0)
    return out.astype("Float64")


def reason_where(mask: pd.Series, text: str) -> pd.Series:
    """Returns `text` where `mask` is true and None elsewhere (a figure's *_reason column)."""
    return pd.Series(np.where(mask, text, _NONE), index=mask.index, dtype="object")
