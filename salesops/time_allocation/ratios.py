"""Ratios that may be undefined, and the reasons they are (a rep or a week with no hours)."""

from __future__ import annotations

import pandas as pd

from salesops.figures import Figure

NO_TIME_REASON = "no time logged in period"
ZERO_HOURS_REASON = "zero hours logged"
NO_SELLING_REASON = "no selling hours logged: revenue per selling hour undefined"


def ratio(numerator: float, denominator: float, reason: str) -> Figure:
    """Returns numerator / denominator, or an undefined Figure with `reason` when it is 0 or NA."""
    if denominator == 0 or pd.isna(denominator):
        return Figure.undefined(reason)
    return Figure(float(numerator) / float(denominator))
