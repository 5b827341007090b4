"""Column contracts for repository frames, so SQLite and PostgreSQL return identical frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

# Kinds a column can be declared as; see coerce().
DATE, FLOAT, INT, STR, BOOL = "date", "float", "int", "str", "bool"


def coerce(rows: Sequence[Sequence[object]], columns: Mapping[str, str]) -> pd.DataFrame:
    """Returns a frame of `rows` with `columns` (name -> kind) coerced to one dtype per kind.

    date -> datetime64[ns] (NaT where missing), float -> float64, int -> Int64 (nullable),
    str -> object strings (None where missing), bool -> bool.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(columns))
    for name, kind in columns.items():
        col = frame[name]
        if kind == DATE:
            frame[name] = pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
        elif kind == FLOAT:
            frame[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif kind == INT:
            frame[name] = pd.to_numeric(col, errors="coerce").astype("Int64")
        elif kind == BOOL:
            frame[name] = col.astype(bool)
        elif kind == STR:
            frame[name] = col.astype(object).where(col.notna(), None)
        else:
            raise ValueError(f"Unknown column kind {kind!r} for {name!r}")
    return frame
