"""What every demo generator shares: the random streams and the span of days they fill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesops.demo.scales import Scale


@dataclass(frozen=True)
class DemoPattern:
    """How deals slip and demand moves through the year (the default is the demo company's).

    Another pattern gives a company whose pipeline behaves differently, to test that a
    method measured on history (the quarter call) does not depend on one shape of data.
    """

    push_share: float = 0.25  # a push moves the expected close by this share of the cycle
    season_peak_day: int = 75  # day of the year demand peaks
    season_amplitude: float = 0.18  # demand's yearly swing around its trend
    quarter_end_pull: float = 0.45  # share of early-quarter wins pulled into the quarter before


DEFAULT_PATTERN = DemoPattern()
# Slips twice as far, demand peaks in autumn with a wider swing, little quarter-end pull.
SLIPPY_AUTUMN = DemoPattern(
    push_share=0.5, season_peak_day=280, season_amplitude=0.35, quarter_end_pull=0.1
)


class DemoState:
    """The seeded random streams and the date span of one demo company.

    Generators draw from `rng` in a fixed order (see `salesops.demo.load`): the same seed
    and scale give the same rows only while that order holds.
    """

    def __init__(
        self, scale: Scale, seed: int, end: date, pattern: DemoPattern = DEFAULT_PATTERN
    ) -> None:
        self.scale = scale
        self.pattern = pattern
        self.rng = np.random.default_rng(seed)
        # The history's detours (regressions, pull-ins, reopenings) draw from their own
        # stream, so adding them left every other table of a seed exactly as it was.
        self.detour_rng = np.random.default_rng([seed, 1])
        # Order capture, approvals and chronic late payers (order to cash) likewise.
        self.cash_rng = np.random.default_rng([seed, 18])
        # The lead sources of deals no marketing lead opened (salesops.demo.sources) likewise.
        self.source_rng = np.random.default_rng([seed, 16])
        self.end = np.datetime64(end, "D")
        self.start = np.datetime64(date(end.year - scale.years, 1, 1), "D")
        self.n_days = int((self.end - self.start).astype(int)) + 1

    def to_date(self, days: np.ndarray | pd.Series) -> np.ndarray:
        """Returns the calendar dates `days` after the start (datetime64[D])."""
        return self.start + np.asarray(days).astype("timedelta64[D]")


def positions_in_groups(counts: np.ndarray) -> np.ndarray:
    """For counts [2, 3] returns [1, 2, 1, 2, 3]: the 1-based position within each group."""
    counts = np.asarray(counts, dtype=int)
    total = counts.sum()
    if total == 0:
        return np.zeros(0, dtype=int)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts + 1
