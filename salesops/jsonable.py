"""JSON-ready values: the one place NaN, NA, numpy scalars and dates become plain JSON."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

import pandas as pd


def json_value(
    value: object, *, dates: Literal["date", "iso"] = "iso", digits: int | None = None
) -> object:
    """Returns `value` as plain JSON: None for NA/NaT/NaN/inf, numpy scalars as Python.

    dates="date" renders Timestamps as YYYY-MM-DD, "iso" as their full isoformat; `digits`
    rounds floats when given.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if dates == "date" else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, digits) if digits is not None else value
    return value
