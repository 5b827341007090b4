"""Calendar quarters as the Timestamps forecast frames are keyed by."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.forecast.quarters import quarter_index, quarter_starts, quarters_from


def test_quarters_from_walk_across_the_year_end():
    labels = [q.label for q in quarters_from(date(2026, 11, 28), 3)]
    assert labels == ["2026-Q4", "2027-Q1", "2027-Q2"]
    assert quarters_from("2026-05-15", 1)[0].last_day == date(2026, 6, 30)


def test_quarter_index_is_datetime64_quarter_starts():
    index = quarter_index(pd.Timestamp("2026-05-15"), 2)
    assert list(index.strftime("%Y-%m-%d")) == ["2026-04-01", "2026-07-01"]
    assert str(index.dtype) == "datetime64[ns]"


def test_quarter_starts_map_each_date_and_keep_missing_dates():
    dates = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", None, "2026-12-31"]))
    starts = quarter_starts(dates)
    assert list(starts.dt.strftime("%Y-%m-%d").fillna("-")) == [
        "2026-01-01",
        "2026-04-01",
        "-",
        "2026-10-01",
    ]
    assert str(starts.dtype) == "datetime64[ns]"
    assert quarter_starts(pd.Series([], dtype="datetime64[ns]")).empty
