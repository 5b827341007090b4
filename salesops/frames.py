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
    names = list(columns)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {}
    for name, kind, column in zip(names, columns.values(), values, strict=True):
        if kind == DATE:
            data[name] = pd.to_datetime(pd.Series(column, dtype=object), errors="coerce").astype(
                "datetime64[ns]"
            )
        elif kind == FLOAT:
            data[name] = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").astype(
                "float64"
            )
        elif kind == INT:
            data[name] = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").astype(
                "Int64"
            )
        elif kind == BOOL:
            data[name] = pd.Series(column, dtype=bool)
        elif kind == STR:
            series = pd.Series(column, dtype=object)
            data[name] = series.where(series.notna(), None)
        else:
            raise ValueError(f"Unknown column kind {kind!r} for {name!r}")
    return pd.DataFrame(data, columns=names)
