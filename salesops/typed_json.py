"""Exact JSON for page results: dataclasses, frames, dates and numbers written and read back equal.

`dumps(value)` writes a result the pages compute (salesops dataclasses holding pandas frames
and series, dates, Decimals, numpy scalars and numeric arrays, tuples, dicts with any keys)
as JSON that `loads` turns back into an equal value: the same types, dtypes and values
(floats written with repr, datetimes as integers; a Settings' database URL is left out and
the reader's put back). JSON, not pickle: whoever can write to the database can
make `loads` build only salesops dataclasses and plain values, never run code (a
dataclass is rebuilt field by field, without calling its __init__).

A value of any other type raises NotStorable when written, so what cannot be kept exactly is
never kept at all.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

FORMAT = 1
_PLAIN = (str, int, float, bool, type(None))
_PLAIN_SET = frozenset(_PLAIN)
_MASKED = {"Int": pd.arrays.IntegerArray, "Float": pd.arrays.FloatingArray}


_URL: ContextVar[str] = ContextVar("typed_json_database_url", default="")


class NotStorable(TypeError):
    """A value typed_json cannot write exactly (its type is named)."""


def dumps(value: Any) -> str:
    """Returns `value` as JSON text (`loads` reads it back equal); raises NotStorable."""
    return json.dumps({"format": FORMAT, "value": encode(value)}, separators=(",", ":"))


def loads(text: str, database_url: str = "") -> tuple[bool, Any]:
    """Returns (True, the value) written by `dumps`, or (False, None) for another format.

    Settings in the value get `database_url` (dumps leaves their URL out).
    """
    data = json.loads(text)
    if data.get("format") != FORMAT:
        return False, None
    token = _URL.set(database_url)
    try:
        return True, decode(data["value"])
    finally:
        _URL.reset(token)


def encode(value: Any) -> Any:
    """Returns `value` as JSON-ready data (see the module docstring)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [encode(v) for v in value]
    if kind is tuple:
        return {"$": "tuple", "v": [encode(v) for v in value]}
    if kind is dict:
        return {"$": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, pd.DataFrame):
        return _frame(value)
    if type(value) is np.ndarray:
        return _ndarray(value)
    if isinstance(value, pd.Series):
        return {"$": "series", "name": encode(value.name), "data": _array(value),
                "index": _index(value.index)}  # fmt: skip
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass(value)
    return _scalar(value)


def _scalar(value: Any) -> Any:
    """Returns a date, time, decimal, NA or numpy scalar as JSON-ready data."""
    if value is pd.NaT:
        return {"$": "NaT"}
    if value is pd.NA:
        return {"$": "NA"}
    if isinstance(value, pd.Timestamp):
        return {"$": "ts", "v": value.value, "unit": value.unit, "tz": _tz(value.tz)}
    if type(value) is datetime:
        return {"$": "datetime", "v": value.isoformat()}
    if type(value) is date:
        return {"$": "date", "v": value.isoformat()}
    if type(value) is timedelta:
        return {"$": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if type(value) is Decimal:
        return {"$": "decimal", "v": str(value)}
    if isinstance(value, np.datetime64 | np.timedelta64):
        return {"$": "np64", "dtype": str(value.dtype), "v": int(value.view("int64"))}
    if isinstance(value, np.generic):
        return {"$": "np", "dtype": str(value.dtype), "v": value.item()}
    raise NotStorable(f"{type(value).__module__}.{type(value).__qualname__}")


def _ndarray(value: np.ndarray) -> dict[str, Any]:
    """Returns a numeric or boolean numpy array with its dtype and shape (others: NotStorable)."""
    if value.dtype.kind not in "biuf":
        raise NotStorable(f"numpy.ndarray of dtype {value.dtype}")
    return {"$": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape),
            "v": value.ravel().tolist()}  # fmt: skip


def _tz(tz: Any) -> str | None:
    if tz is None:
        return None
    name = str(tz)
    if name not in ("UTC", "utc"):
        raise NotStorable(f"timestamp in time zone {name}")
    return "UTC"


def _dataclass(value: Any) -> dict[str, Any]:
    cls = type(value)
    if not cls.__module__.startswith("salesops."):
        raise NotStorable(f"{cls.__module__}.{cls.__qualname__}")
    fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    data: dict[str, Any] = {"$": "dc", "type": f"{cls.__module__}:{cls.__qualname__}", "v": fields}
    if fields.get("database_url"):  # Settings: never written (it may hold a password)
        fields["database_url"] = ""
        data["url"] = True  # loads puts the reader's URL back
    return data


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    if frame.attrs:
        raise NotStorable("DataFrame with attrs")
    return {
        "$": "frame",
        "columns": _index(frame.columns),
        "data": [_array(frame.iloc[:, i]) for i in range(frame.shape[1])],
        "index": _index(frame.index),
    }


def _index(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.MultiIndex):
        raise NotStorable("MultiIndex")
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": encode(index.name)}
    return {"data": _array(index), "name": encode(index.name)}


def _array(values: pd.Series | pd.Index) -> dict[str, Any]:
    """Returns one column's values with its dtype (every NA, NaN and NaT kept as it was)."""
    dtype, array = values.dtype, values.array
    name = str(dtype)
    if isinstance(dtype, np.dtype):
        if dtype.kind in "biuf":
            return {"dtype": name, "v": array.to_numpy().tolist()}
        if dtype.kind in "mM":
            return {"dtype": name, "v": array.to_numpy().view("int64").tolist()}
        if dtype.kind == "O":
            return {"dtype": name, "v": [encode(v) for v in array.to_numpy()]}
    if name[:3] in ("Int", "UIn") or name.startswith("Float") or name == "boolean":
        mask = array.isna()
        numpy = array.dtype.numpy_dtype
        values = array.to_numpy(dtype=numpy, na_value=numpy.type(0)).tolist()
        return {"dtype": name, "v": values, "mask": np.asarray(mask).tolist()}
    if isinstance(dtype, pd.StringDtype):
        values = [None if pd.isna(v) else str(v) for v in array]
        return {"dtype": name, "storage": dtype.storage, "na": str(dtype.na_value), "v": values}
    raise NotStorable(f"column of dtype {name}")


def decode(data: Any) -> Any:
    """Returns the value `encode` gave `data` for."""
    if type(data) is list:
        return [decode(v) for v in data]
    if type(data) is not dict:
        return data
    kind = data["$"]
    if kind == "tuple":
        return tuple(decode(v) for v in data["v"])
    if kind == "dict":
        return {decode(k): decode(v) for k, v in data["v"]}
    if kind == "frame":
        index = _index_from(data["index"])
        columns = {i: _series(_array_from(c), index) for i, c in enumerate(data["data"])}
        frame = pd.DataFrame(columns, index=index)
        frame.columns = _index_from(data["columns"])
        return frame
    if kind == "series":
        series = _series(_array_from(data["data"]), _index_from(data["index"]))
        return series.rename(decode(data["name"]))
    if kind == "ndarray":
        return np.array(data["v"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    if kind == "dc":
        value = _dataclass_from(data["type"], data["v"])
        if data.get("url"):
            object.__setattr__(value, "database_url", _URL.get())
        return value
    return _scalar_from(kind, data)


def _scalar_from(kind: str, data: dict[str, Any]) -> Any:
    if kind == "NaT":
        return pd.NaT
    if kind == "NA":
        return pd.NA
    if kind == "ts":
        stamp = pd.Timestamp(data["v"], unit="ns", tz=data["tz"])
        return stamp.as_unit(data["unit"])
    if kind == "datetime":
        return datetime.fromisoformat(data["v"])
    if kind == "date":
        return date.fromisoformat(data["v"])
    if kind == "timedelta":
        days, seconds, micro = data["v"]
        return timedelta(days=days, seconds=seconds, microseconds=micro)
    if kind == "decimal":
        return Decimal(data["v"])
    if kind == "np64":
        return np.array([data["v"]], dtype="int64").view(data["dtype"])[0]
    if kind == "np":
        return np.dtype(data["dtype"]).type(data["v"])
    raise ValueError(f"unknown stored kind {kind!r}")


def _dataclass_from(name: str, fields: dict[str, Any]) -> Any:
    """Returns the salesops dataclass `name` ("module:qualname") holding `fields`."""
    module, _, qualname = name.partition(":")
    if not module.startswith("salesops."):
        raise ValueError(f"not a salesops class: {name}")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"not a dataclass: {name}")
    value = object.__new__(cls)
    for field, data in fields.items():
        object.__setattr__(value, field, decode(data))
    return value


def _index_from(data: dict[str, Any]) -> pd.Index:
    if "range" in data:
        return pd.RangeIndex(*data["range"], name=decode(data["name"]))
    values = _array_from(data["data"])
    return pd.Index(values, dtype=values.dtype, name=decode(data["name"]), copy=False)


def _series(values: Any, index: pd.Index) -> pd.Series:
    """Returns a series of `values` keeping their dtype (no inference from object values)."""
    return pd.Series(values, index=index, dtype=values.dtype, copy=False)


def _array_from(data: dict[str, Any]) -> Any:
    """Returns the column `_array` wrote, with its dtype."""
    name, values = data["dtype"], data["v"]
    if "mask" in data:
        dtype = pd.api.types.pandas_dtype(name)
        numpy = np.array(values, dtype=dtype.numpy_dtype)
        mask = np.array(data["mask"], dtype=bool)
        if name == "boolean":
            return pd.arrays.BooleanArray(numpy, mask)
        return _MASKED["Float" if name.startswith("Float") else "Int"](numpy, mask)
    if "storage" in data:
        na = np.nan if data["na"] == "nan" else pd.NA
        return pd.array(values, dtype=pd.StringDtype(data["storage"], na_value=na))
    dtype = np.dtype(name)
    if dtype.kind in "mM":
        return np.array(values, dtype="int64").view(dtype)
    if dtype.kind == "O":
        column = np.empty(len(values), dtype=object)
        if set(map(type, values)) <= _PLAIN_SET:  # text, numbers, None: written as they are
            column[:] = values
            return column
        for i, value in enumerate(values):
            column[i] = decode(value)
        return column
    return np.array(values, dtype=dtype)
