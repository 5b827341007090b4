"""typed_json: page results written as JSON and read back the same, types and dtypes included."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from salesops import typed_json
from salesops.calendar import Period
from salesops.config import Settings
from salesops.figures import Figure
from salesops.repository import Scope
from tests.same_values import assert_same


def _round_trip(value, url: str = ""):
    text = typed_json.dumps(value)
    ok, back = typed_json.loads(text, url)
    assert ok
    return back, text


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "int": np.array([1, -2, 3], dtype="int64"),
            "float": [0.1, float("nan"), 1e300],
            "flag": [True, False, True],
            "when": pd.to_datetime(["2026-01-01 00:00:00", None, "2026-03-04 05:06:07"]),
            "day": np.array(["2026-01-01", "NaT", "2026-12-31"], dtype="datetime64[s]"),
            "Int": pd.array([1, None, 3], dtype="Int64"),
            "Float": pd.arrays.FloatingArray(
                np.array([0.5, np.nan, 2.0]), np.array([False, False, True])
            ),  # a NaN beside an NA
            "boolean": pd.array([True, None, False], dtype="boolean"),
            "text": pd.array(["a", None, "ü"], dtype="str"),
            "mixed": pd.Series([date(2026, 1, 2), Decimal("1.10"), ("a", 1)], dtype=object),
            "plain": pd.Series(["a", None, 2], dtype=object),  # read back without decoding
        }
    )
    frame.index = pd.Index([10, 20, 30], name="id")
    return frame


def test_frames_keep_every_dtype_value_and_missing_marker():
    frame = _frame()
    back, _ = _round_trip(frame)
    assert_same(back, frame)
    assert back["Float"].isna().tolist() == [False, False, True]  # NaN stayed NaN, NA NA
    assert np.isnan(back["Float"].array._data[1])
    assert [type(v) for v in back["plain"]] == [str, type(None), int]
    assert [type(v) for v in back["mixed"]] == [date, Decimal, tuple]


def test_values_dataclasses_and_containers_round_trip():
    value = {
        "period": Period(date(2026, 1, 1), date(2026, 3, 31)),
        "scope": Scope((1, 2), ("SMB",), ()),
        "figure": Figure(0.25, None, {"won": 3}),
        (1, "key"): [np.float64(0.1), np.int32(7), pd.Timestamp("2026-05-01 10:00")],
        "times": (datetime(2026, 1, 1, 12), timedelta(days=1, seconds=3), pd.NaT, pd.NA),
        "series": pd.Series([1.5, 2.5], index=pd.RangeIndex(2), name="amount"),
        "empty": pd.DataFrame(),
    }
    back, _ = _round_trip(value)
    assert_same(back, value)


def test_numeric_arrays_keep_dtype_shape_and_every_value():
    arrays = [np.array([[0.1, np.nan], [np.inf, -2.5]]), np.arange(6, dtype=np.int32).reshape(3, 2),
              np.array([True, False]), np.array([], dtype=np.float64)]  # fmt: skip
    back, _ = _round_trip(arrays)
    for got, want in zip(back, arrays, strict=True):
        assert type(got) is np.ndarray and got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_a_settings_url_is_never_written_and_the_readers_is_put_back():
    settings = Settings(database_url="postgresql://ann:secret@db/sales")
    back, text = _round_trip({"settings": settings}, "sqlite:///here.db")
    assert "secret" not in text and "postgresql" not in text
    assert back["settings"] == Settings(database_url="sqlite:///here.db")


@pytest.mark.parametrize(
    "value",
    [
        Fraction(1, 3),
        pd.Timestamp("2026-01-01", tz="Europe/Paris"),
        {1, 2},
        pd.Categorical(["a"]),
        np.array(["a"], dtype=object),
    ],  # fmt: skip
)
def test_what_cannot_be_kept_exactly_is_refused(value):
    with pytest.raises(typed_json.NotStorable):
        typed_json.dumps(value)


def test_reading_builds_only_salesops_dataclasses_and_skips_other_formats():
    foreign = {"format": typed_json.FORMAT,
               "value": {"$": "dc", "type": "subprocess:Popen", "v": {}}}  # fmt: skip
    with pytest.raises(ValueError, match="not a salesops class"):
        typed_json.loads(json.dumps(foreign))
    assert typed_json.loads(json.dumps({"format": 0, "value": 1})) == (False, None)
