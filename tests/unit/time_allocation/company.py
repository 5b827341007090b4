"""The fixture company every time-allocation unit test works by hand, and its assumptions."""

from __future__ import annotations

import pandas as pd

from salesops.time_allocation.what_if import WhatIfScenario

# The assumptions the hand-worked numbers use (Settings' defaults, written out here).
BENCHMARK = 1 / 3
WORKING_WEEKS = 46.0
LITERATURE = {"revenue_lift": (0.10, 0.20), "sga_reduction": (0.20, 0.30)}

# The fixture company -------------------------------------------------------------------------
# Loaded hourly cost = annual_cost / (capacity x 46 weeks):
#   Ann 92000 / (40 x 46 = 1840) = 50;  Bob 73600 / 1840 = 40;  Cy 41400 / (30 x 46 = 1380) = 30
#   Dee 92000 / 1840 = 50 (Dee logged no time at all).
REPS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "name": ["Ann", "Bob", "Cy", "Dee"],
        "territory_id": [10, 10, 20, 20],
        "hire_date": pd.to_datetime(["2020-01-01"] * 4),
        "end_date": pd.to_datetime([None] * 4),
        "annual_cost": [92000.0, 73600.0, 41400.0, 92000.0],
        "weekly_capacity_hours": [40.0, 40.0, 30.0, 40.0],
    }
)

TYPES = pd.DataFrame(
    {
        "activity": ["call", "meeting", "quote", "proposal", "order_processing", "admin", "travel"],
        "category": ["selling"] * 2 + ["non_selling"] * 5,
        "is_back_office": [False, False, True, True, True, True, False],
    }
)

# Rep x activity hours over the period.
#   Ann: selling 10+5 = 15 of 40 -> 0.375; back office 6+8+4 = 18; non-selling 25
#   Bob: selling 6 of 40 -> 0.15; back office 9+12+3+10 = 34
#   Cy:  selling 8+2 = 10 of 20 -> 0.5; back office 4+6 = 10
ACTIVITY = pd.DataFrame(
    [
        (1, "call", 10.0, 20),
        (1, "meeting", 5.0, 4),
        (1, "quote", 6.0, 3),
        (1, "proposal", 8.0, 2),
        (1, "order_processing", 4.0, 8),
        (1, "travel", 7.0, None),
        (2, "call", 6.0, 15),
        (2, "quote", 9.0, 3),
        (2, "proposal", 12.0, 3),
        (2, "order_processing", 3.0, 0),
        (2, "admin", 10.0, None),
        (3, "call", 8.0, 16),
        (3, "meeting", 2.0, 1),
        (3, "quote", 4.0, 2),
        (3, "order_processing", 6.0, 4),
    ],
    columns=["rep_id", "activity", "hours", "count"],
).astype({"count": "Int64"})

# Bookings: revenue per selling hour Ann 30000/15 = 2000, Bob 6000/6 = 1000, Cy 10000/10 = 1000.
# Team: 62000 / 31 selling hours = 2000.
BOOKINGS = pd.DataFrame({"rep_id": [1, 2, 3, 4], "bookings": [30000.0, 6000.0, 10000.0, 16000.0]})


# Trend rows: one week per period, week_start Mondays.

TREND_ROWS = pd.DataFrame(
    [
        ("2025-01-06", "call", 6.0),
        ("2025-01-06", "quote", 4.0),  # week 1: 6 / 10 = 0.6
        ("2025-01-13", "call", 0.0),
        ("2025-01-13", "quote", 0.0),  # week 2: zero hours -> no share
        # week 3 (2025-01-20): no rows at all -> no share
        ("2025-01-27", "call", 3.0),
        ("2025-01-27", "admin", 9.0),  # week 4: 3 / 12 = 0.25
        ("2025-02-03", "meeting", 5.0),
        ("2025-02-03", "proposal", 5.0),  # week 5 (February): 5 / 10 = 0.5
    ],
    columns=["period", "activity", "hours"],
).assign(period=lambda d: pd.to_datetime(d["period"]))


def scenario(**changes: object) -> WhatIfScenario:
    """Returns the what-if scenario the hand-worked tests start from, with `changes` applied.

    Move half the back-office hours at 40 an hour, as fast as a rep; half of the freed
    hours become selling; linear returns; no released rep cost.
    """
    values: dict = {
        "shift_share": 0.5,
        "activities": None,
        "sales_ops_hourly_cost": 40.0,
        "sales_ops_time_factor": 1.0,
        "selling_conversion": 0.5,
        "elasticity": 1.0,
        "release_unconverted": False,
    }
    values.update(changes)
    return WhatIfScenario(**values)
