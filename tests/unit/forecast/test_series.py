"""Bookings series on a regular grid, one per scope."""

from __future__ import annotations

import pandas as pd

from salesops.forecast.history import longest_zero_run
from salesops.forecast.series import regular_series, series_by_scope, trim_leading_zeros
from tests.unit.forecast.frames import monthly


def test_regular_series_sums_fills_gaps_and_drops_running_period():
    bookings = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-02", "2026-04-10"]),
            "y": [100.0, 50.0, 30.0, 999.0],
        }
    )
    series = regular_series(bookings, "M", as_of="2026-04-15")
    # Jan = 100 + 50; Feb had no won deal -> 0; Mar 30; April is still running -> dropped.
    assert list(series["ds"].dt.strftime("%Y-%m")) == ["2026-01", "2026-02", "2026-03"]
    assert list(series["y"]) == [150.0, 0.0, 30.0]


def test_regular_series_explicit_range_and_empty_input():
    bookings = pd.DataFrame({"ds": pd.to_datetime(["2026-02-11"]), "y": [10.0]})
    series = regular_series(bookings, "W", start="2026-02-02", end="2026-02-23")
    assert list(series["y"]) == [0.0, 10.0, 0.0, 0.0]  # weeks of Feb 2, 9, 16, 23
    empty = regular_series(bookings.iloc[:0], "M")
    assert empty.empty and list(empty.columns) == ["ds", "y"]


def test_series_by_scope_puts_every_scope_on_one_grid_by_hand():
    bookings = pd.DataFrame(
        {
            "ds": pd.to_datetime(
                ["2026-01-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-03-01", None]
            ),
            "territory_id": pd.array([1, 2, 1, None, 2, 1], dtype="Int64"),
            "y": [100.0, 7.0, 50.0, 3.0, 20.0, 999.0],
        }
    )
    by_territory = series_by_scope(
        bookings, "M", "territory", {1: "North", 2: "South"}, as_of="2026-05-02"
    )
    # Jan..Mar, the first to the last booking; the undated row is ignored; no territory kept
    assert list(by_territory) == ["(no territory)", "North", "South"]
    assert list(by_territory["North"]["y"]) == [100.0, 50.0, 0.0]
    assert list(by_territory["South"]["y"]) == [7.0, 0.0, 20.0]
    assert list(by_territory["(no territory)"]["y"]) == [0.0, 0.0, 3.0]
    for series in by_territory.values():
        assert list(series["ds"].dt.strftime("%m")) == ["01", "02", "03"]
    # as_of inside March: March is still running, so every series stops at February
    total = series_by_scope(bookings, "M", None, as_of="2026-03-09", total_label="All")
    pd.testing.assert_frame_equal(total["All"], regular_series(bookings, "M", as_of="2026-03-09"))
    assert list(total["All"]["y"]) == [107.0, 50.0]
    assert list(series_by_scope(bookings.iloc[:0], "W", "segment")["All"].columns) == [
        "ds",
        "y",
    ]


def test_longest_zero_run_and_trim_leading_zeros():
    assert longest_zero_run([0, 1, 0, 0, 0, 2, 0]) == 3
    trimmed = trim_leading_zeros(monthly([0, 0, 5, 0, 7]))
    assert list(trimmed["y"]) == [5.0, 0.0, 7.0]
    assert trimmed["ds"].iloc[0] == pd.Timestamp("2022-03-01")
    assert str(trimmed["ds"].dtype) == "datetime64[ns]" and str(trimmed["y"].dtype) == "float64"
    assert list(trim_leading_zeros(monthly([0, 0, 0]))["y"]) == [0.0, 0.0, 0.0]
