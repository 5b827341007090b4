"""The quarter bars run in time order: Q4 2026 before Q1 2027 (not sorted as text)."""

from __future__ import annotations

import pandas as pd

from salesops.charts.forecast import quarter_bars


def test_quarters_are_in_time_order_across_a_year_end():
    quarters = pd.DataFrame(
        {
            "period": pd.to_datetime(["2027-01-01", "2026-10-01"]),
            "pipeline_forecast": [1.0, 2.0],
            "forecast": [1.5, 2.5],
            "quota": [3.0, 3.0],
        }
    )
    spec = quarter_bars(quarters, "USD").to_dict()
    assert spec["encoding"]["x"]["sort"] == ["Q4 2026", "Q1 2027"]
