"""Whether a bookings history can carry Prophet, or needs a baseline, and why in a sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.forecast.frequency import Frequency, frequency


def longest_zero_run(values: np.ndarray | pd.Series) -> int:
    """Returns the length of the longest run of consecutive zeros."""
    best = run = 0
    for is_zero in np.asarray(values, dtype="float64") == 0:
        run = run + 1 if is_zero else 0
        best = max(best, run)
    return best


@dataclass(frozen=True)
class HistoryCheck:
    """Whether a history can carry Prophet; `method` is what will be used and `reason` why."""

    method: str  # prophet / seasonal_naive / naive / zero / none
    n_points: int
    needed: int
    reason: str | None

    @property
    def prophet_ok(self) -> bool:
        """Returns True when the history is long and regular enough for Prophet."""
        return self.method == "prophet"


def check_history(
    series: pd.DataFrame,
    freq: str | Frequency,
    min_cycles: int = Settings.forecast_min_cycles,
    max_zero_run: int | None = None,
) -> HistoryCheck:
    """Returns which method the history supports, with the reason in one sentence.

    Prophet needs at least `min_cycles` yearly cycles (24 months / 104 weeks by
    default) and no run of zero periods longer than a quarter (a gap that usually
    means missing data, which Prophet would read as a real collapse). Fewer than two
    points never reach Prophet (it raises). Below one cycle the baseline is a plain
    naive forecast (last value), from one cycle on it is seasonal naive.

    Args:
        series: Requires columns ds and y, regular and sorted (see `regular_series`).
        freq: "W" or "M".
        min_cycles: yearly cycles Prophet needs (default: the forecast_min_cycles setting).
        max_zero_run: longest tolerated run of zero periods (default: one quarter).
    """
    spec = frequency(freq)
    y = series["y"].to_numpy(dtype="float64")
    n = len(y)
    needed = min_cycles * spec.season_length
    unit = f"{spec.unit}s"
    if n == 0:
        return HistoryCheck("none", 0, needed, "no bookings history to forecast from")
    if not np.any(y != 0):
        return HistoryCheck(
            "zero", n, needed, f"no won bookings in the {n} {unit} of history: forecast is 0"
        )
    if n < 2:
        return HistoryCheck(
            "naive",
            n,
            needed,
            f"not enough history ({n} point; need ≥ {needed}): repeating the last value",
        )
    if n < spec.season_length:
        return HistoryCheck(
            "naive",
            n,
            needed,
            f"not enough history ({n} {unit}; need ≥ {needed} for Prophet and "
            f"≥ {spec.season_length} for seasonal naive): repeating the last value",
        )
    if n < needed:
        return HistoryCheck(
            "seasonal_naive",
            n,
            needed,
            f"not enough history for Prophet ({n} {unit}; need ≥ {needed}, "
            f"{min_cycles} yearly cycles): showing the seasonal-naive baseline",
        )
    limit = spec.quarter_length if max_zero_run is None else max_zero_run
    gap = longest_zero_run(y)
    if gap > limit:
        return HistoryCheck(
            "seasonal_naive",
            n,
            needed,
            f"history has {gap} {unit} in a row with no bookings (more than {limit}); "
            "that looks like missing data, so showing the seasonal-naive baseline",
        )
    return HistoryCheck("prophet", n, needed, None)
