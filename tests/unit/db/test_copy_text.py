"""The text PostgreSQL's COPY reads: one line per row, tab-separated, escaped, \\N for missing."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from salesops.db.engine import _copy_text


def test_copy_text_escapes_tabs_newlines_and_backslashes():
    frame = pd.DataFrame({"a": ["x\ty", "line\nbreak\r", "back\\slash", r"\N"]}, dtype=object)
    assert _copy_text(frame) == "x\\ty\nline\\nbreak\\r\nback\\\\slash\n\\\\N\n"


def test_copy_text_writes_missing_as_null_and_values_as_str_writes_them():
    frame = pd.DataFrame(
        {
            "s": ["a", None, "c"],
            "d": ["2024-01-05", datetime.date(2020, 2, 29), None],
            "f": [0.1 + 0.2, np.nan, 1e20],
            "b": [True, False, pd.NA],
            "i": [1, None, np.int64(7)],
        },
        dtype=object,
    )
    lines = _copy_text(frame).split("\n")
    assert lines == [
        "a\t2024-01-05\t0.30000000000000004\tTrue\t1",
        "\\N\t2020-02-29\t\\N\tFalse\t\\N",
        "c\t\\N\t1e+20\t\\N\t7",
        "",
    ]


def test_copy_text_writes_datetime_columns_as_iso_days():
    moments = pd.Series(pd.to_datetime(["2024-02-29 23:59:59", None, "1999-12-31 00:00:00"]))
    frame = pd.DataFrame({"d": moments, "z": moments.dt.tz_localize("UTC")})
    assert _copy_text(frame) == "2024-02-29\t2024-02-29\n\\N\t\\N\n1999-12-31\t1999-12-31\n"
