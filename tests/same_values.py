"""Deep equality of page results: frames exactly (dtypes too), dataclasses field by field."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

TIMINGS = ("elapsed_seconds",)  # how long a computation took: no figure, differs every run


def assert_same(a: Any, b: Any, where: str = "value", ignore: tuple[str, ...] = TIMINGS) -> None:
    """Fails unless `a` and `b` are the same value of the same type (NaN equals NaN).

    Dataclass fields named in `ignore` are not compared.
    """
    assert type(a) is type(b), f"{where}: {type(a)} vs {type(b)}"
    if isinstance(a, pd.DataFrame | pd.Series | pd.Index):
        _same_pandas(a, b, where, ignore)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        for f in dataclasses.fields(a):
            if f.name not in ignore:
                assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}", ignore)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]", ignore)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]", ignore)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype} vs {b.dtype}"
        np.testing.assert_array_equal(a, b, err_msg=where, strict=True)
    elif isinstance(a, float | np.floating) and math.isnan(a):
        assert math.isnan(b), where
    elif a is pd.NA or a is pd.NaT:
        assert a is b, where
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _same_pandas(a: Any, b: Any, where: str, ignore: tuple[str, ...]) -> None:
    """Frames, series and indexes: equal exactly, dtypes too; object values by type too."""
    if isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True, obj=where)
        return
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, obj=where)
        a, b = a.to_frame(), b.to_frame()
    pd.testing.assert_frame_equal(a, b, check_exact=True, obj=where)
    assert a.attrs == b.attrs, where
    for i in range(a.shape[1]):
        if a.iloc[:, i].dtype == object:
            for j, (x, y) in enumerate(zip(a.iloc[:, i], b.iloc[:, i], strict=True)):
                assert_same(x, y, f"{where}[{i}][{j}]", ignore)
