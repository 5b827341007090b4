"""Safe exports: every CSV a user downloads goes through `to_safe_csv`.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab
or a carriage return, or their full-width forms, after any leading whitespace: spaces,
NBSP, the ideographic space U+3000, newlines, vertical tabs, form feeds) get a leading
apostrophe. Numeric
columns are never touched, so negative numbers stay numbers (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# What a spreadsheet skips before reading a formula: every Unicode whitespace (\s: NBSP,
# U+3000, newline, vertical tab, form feed...) and the zero-width characters.
_LEADING = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+")


def neutralise(value: object) -> object:
    """Returns `value` with a leading apostrophe if it is text a spreadsheet would execute."""
    if not isinstance(value, str):
        return value
    if value[:1] in FORMULA_PREFIXES or _LEADING.sub("", value)[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns a copy of `frame` with text columns neutralised and inf/NaN blanked."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series.where(series.map(_finite), None)
        elif not pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.map(neutralise)
    return out


def _finite(value: object) -> bool:
    if value is None or value is pd.NA:
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """Returns UTF-8 (with BOM, for Excel) RFC 4180 CSV bytes of `frame`, formulas neutralised."""
    buffer = io.StringIO()
    safe_frame(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
