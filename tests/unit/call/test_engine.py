"""The call, its track record and range on inputs built by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Quarter
from salesops.call.engine import (
    CallInputs,
    call_quarter,
    call_range,
    mean_abs_error,
    measure,
    track_record,
)
from salesops.call.model import previous_quarters

TARGET = Quarter(date(2026, 10, 1))
DAY = 45
STAGES = pd.DataFrame({"name": ["Commit"], "probability": [0.8]})


def _snapshot(open_amount: float, won_amount: float, unit: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [unit],
            "stage": ["Commit"],
            "forecast_category": ["commit"],
            "close_bucket": ["quarter_near"],
            "deals": [40],
            "open_amount": [open_amount],
            "won_amount": [won_amount],
            "won_deals": [20],
        }
    )


def _inputs(past: int, first_day: date = date(2020, 1, 1)) -> CallInputs:
    """Each past quarter: 1000 open at day 45, 500 of it won, 100 won before and 50 new."""
    snapshots = {}
    won = []
    for q in previous_quarters(TARGET, past):
        snapshots[(q.label, DAY)] = _snapshot(1000.0, 500.0)
        won += [(q.start, 100.0), (q.start.replace(day=20, month=q.start.month + 1), 550.0)]
    snapshots[(TARGET.label, DAY)] = _snapshot(2000.0, 0.0)
    won.append((date(2026, 10, 5), 300.0))
    won_days = pd.DataFrame(won, columns=["day", "won_amount"])
    won_days["day"] = pd.to_datetime(won_days["day"])
    won_days.insert(0, "unit", "")
    return CallInputs(snapshots, won_days, STAGES, date(2026, 11, 15), first_day)


def test_the_call_is_won_plus_pipeline_at_measured_rates_plus_new_business():
    inputs = _inputs(8)
    measured = measure(TARGET, DAY, inputs)
    assert len(measured.quarters) == 8
    assert measured.new_business == pytest.approx(50.0)  # 550 after the day, 500 from pipeline
    call = call_quarter(TARGET, DAY, inputs, measured)
    assert call.won_to_date == 300.0
    assert call.from_pipeline == pytest.approx(1000.0)  # 2000 x 0.5
    assert call.projection == pytest.approx(300.0 + 1000.0 + 50.0)
    assert call.commit == 2300.0
    assert call.stage_probability == pytest.approx(300.0 + 2000 * 0.8)


def test_fewer_past_quarters_than_needed_gives_no_call_and_says_why():
    inputs = _inputs(8, first_day=date(2025, 10, 1))  # 2025-Q4 was being entered
    call = call_quarter(TARGET, DAY, inputs, measure(TARGET, DAY, inputs))
    assert call.projection is None
    assert "Only 3 past quarter(s)" in (call.reason or "")
    assert call.stage_probability == pytest.approx(1900.0)  # still shown


def test_the_quarter_of_the_first_day_is_not_learnt_from():
    inputs = _inputs(8, first_day=date(2025, 2, 1))  # inside 2025-Q1
    assert measure(TARGET, DAY, inputs).quarters == (
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    )


def test_track_record_and_range():
    inputs = _inputs(12)
    rows = track_record(TARGET, DAY, inputs, count=4)[None]
    assert [r.quarter.label for r in rows] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    # Every past quarter: 100 + 500 + 50 = 650 called, 650 won: no error.
    assert [r.error(r.call.projection) for r in rows] == pytest.approx([0.0] * 4)
    assert mean_abs_error(rows, "call") == pytest.approx(0.0)
    assert mean_abs_error(rows, "won_plus_commit") == pytest.approx(abs(1100 - 650) / 650)
    call = call_quarter(TARGET, DAY, inputs, measure(TARGET, DAY, inputs))
    low, high, reason = call_range(call, rows, (0.1, 0.9))
    assert reason is None and low == pytest.approx(call.projection) == pytest.approx(high)
    low, high, reason = call_range(call, rows[:2], (0.1, 0.9))
    assert low is None and "2 past call(s)" in (reason or "")
