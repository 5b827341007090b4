"""The new-rep ramp curve and the value of a shorter ramp, by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesops.time_allocation.ramp import observed_hires_per_year, ramp_curve, ramp_shortening_value

# Settings' defaults for the curve: drawn to tenure month 24; ramped at 90% of the level.
CURVE = {"max_tenure": 24, "threshold": 0.9}


def _ramp_reps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "hire_date": pd.to_datetime(["2024-01-10", "2023-06-01", "2024-11-20"]),
            "end_date": pd.to_datetime([None, None, None]),
        }
    )


def _ramp_bookings() -> pd.DataFrame:
    rows = [(1, "2024-02-01", 50.0)]  # rep 1: January nothing, February 50
    rows += [(1, f"2024-{m:02d}-01", 100.0) for m in range(3, 13)]  # March..December 100
    rows += [(2, f"2024-{m:02d}-15", 100.0) for m in range(1, 13)]  # rep 2: tenure 8..19
    rows += [(3, "2024-11-01", 20.0), (3, "2024-12-01", 70.0)]  # rep 3: tenure 1, 2
    return pd.DataFrame(rows, columns=["rep_id", "month", "bookings"])


def test_ramp_curve_by_hand():
    ramp = ramp_curve(
        _ramp_bookings(),
        _ramp_reps(),
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        max_tenure=4,
        threshold=0.9,
    )
    c = ramp.curve.set_index("tenure_month")
    # t1: rep 1 January 0 (no row counts as 0) and rep 3 November 20 -> 10
    assert c.loc[1, "reps"] == 2 and c.loc[1, "bookings_per_rep"] == pytest.approx(10.0)
    assert c.loc[2, "bookings_per_rep"] == pytest.approx(60.0)  # (50 + 70) / 2
    assert c.loc[3, "bookings_per_rep"] == pytest.approx(100.0)
    # Ramped level = plateau at tenure 3..4: rep 1 March and April, 100 each -> 100
    # (rep 2, at tenure 8..19, is beyond the curve and another cohort).
    assert ramp.ramped_level.value == pytest.approx(100.0)
    assert c.loc[4, "reps"] == 1
    assert ramp.months_to_ramp.value == 3  # first month >= 90
    json.dumps(ramp.to_json())


def test_ramp_shortening_value_by_hand():
    ramp = ramp_curve(
        _ramp_bookings(),
        _ramp_reps(),
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        max_tenure=4,
        threshold=0.9,
    )
    one = ramp_shortening_value(ramp, 1, hires_per_year=6)
    # window W = 2: (c2 - c1) + (ramped - c2) = (60 - 10) + (100 - 60) = 90 per hire
    assert one.gain_per_hire.value == pytest.approx(90.0)
    assert one.gain_per_year.value == pytest.approx(540.0)
    two = ramp_shortening_value(ramp, 2, hires_per_year=6)
    assert two.gain_per_hire.value == pytest.approx(130.0)  # (100 - 10) + (100 - 60)
    assert ramp_shortening_value(ramp, 0, 6).gain_per_hire.value == 0.0
    json.dumps(two.to_json())


def test_ramp_respects_end_date_and_window():
    reps = pd.concat(
        [
            _ramp_reps(),
            pd.DataFrame(
                {
                    "id": [4],
                    "hire_date": pd.to_datetime(["2024-01-01"]),
                    "end_date": pd.to_datetime(["2024-01-31"]),
                }
            ),
        ],
        ignore_index=True,
    )
    ramp = ramp_curve(
        _ramp_bookings(),
        reps,
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        **CURVE,
    )
    c = ramp.curve.set_index("tenure_month")
    # rep 4 adds one zero month at tenure 1 only: (0 + 20 + 0) / 3
    assert c.loc[1, "reps"] == 3 and c.loc[1, "bookings_per_rep"] == pytest.approx(20 / 3)
    assert c.loc[2, "reps"] == 2


def test_ramp_without_new_hires_is_undefined():
    reps = _ramp_reps().iloc[[1]]  # only rep 2, hired long before the window
    ramp = ramp_curve(
        _ramp_bookings(),
        reps,
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=3,
        **CURVE,
    )
    # rep 2 is seen at tenure 8..19 only: plateau 3..24 is 100, the ramp months 1-2 unseen
    assert ramp.ramped_level.value == pytest.approx(100.0)
    value = ramp_shortening_value(ramp, 1, hires_per_year=10)
    assert value.gain_per_hire.value is None
    assert value.gain_per_hire.reason == "no rep observed at tenure month(s) 1, 2"
    nobody = ramp_curve(
        _ramp_bookings().iloc[0:0],
        reps.iloc[0:0],
        window_start="2024-01-01",
        window_end="2024-12-31",
        ramped_from=13,
        **CURVE,
    )
    assert nobody.ramped_level.value is None
    assert ramp_shortening_value(nobody, 1, 5).gain_per_year.value is None


def test_observed_hires_per_year():
    # _ramp_reps: hires 2023-06-01, 2024-01-10, 2024-11-20 inside 2023-01-01..2024-12-31,
    # a window of 730 days = 730 / 365.25 years -> 3 / 1.9986 = 1.501 hires a year
    hires = observed_hires_per_year(_ramp_reps(), "2023-01-01", "2024-12-31")
    assert hires.value == pytest.approx(3 / (730 / 365.25))
    assert observed_hires_per_year(_ramp_reps(), "2024-01-01", "2023-01-01").value is None
