"""Stale deals: open deals in their stage longer than deals typically stay there.

The one implementation of the **stale** term (salesops.definitions): each stage's typical
time is the `percentile` (Settings.stale_percentile) of the stays in that stage that ended
in the 12 months before the as-of date; a stage with fewer than `min_stays` such stays
(Settings.stale_min_stays) uses `fallback_days` (Settings.stale_days). A deal is stale once
its days in its current stage exceed its stage's threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class StaleRule:
    """Days after which an open deal in each stage is stale, and where each number came from."""

    fallback_days: int
    thresholds: Mapping[str, int] = field(default_factory=dict)  # measured stages only
    stays: Mapping[str, int] = field(default_factory=dict)  # ended stays seen per stage
    stages: tuple[str, ...] = ()  # the open stages in pipeline order, for describe()

    def __post_init__(self) -> None:
        if self.fallback_days < 1:
            raise ValueError(f"stale_days must be at least 1 (got {self.fallback_days}).")

    def days_for(self, stage: object) -> int:
        """Returns the stale threshold (days in stage) of `stage`."""
        return int(self.thresholds.get(str(stage), self.fallback_days))

    def describe(self, stages: list[str] | None = None) -> str:
        """Returns the thresholds in words: "Prospecting 32 days (3,703 stays), …"."""
        names = stages if stages is not None else list(self.stages or sorted(self.thresholds))
        parts = []
        for stage in names:
            if stage in self.thresholds:
                parts.append(
                    f"{stage} {self.thresholds[stage]} days ({self.stays.get(stage, 0):,} stays)"
                )
            else:
                parts.append(f"{stage} {self.fallback_days} days (too few stays measured)")
        return "; ".join(parts)


def stale_rule(
    stays: pd.DataFrame,
    percentile: float,
    min_stays: int,
    fallback_days: int,
    stages: list[str] | None = None,
) -> StaleRule:
    """Returns each stage's stale threshold from measured stays.

    Requires stays with columns stage, days, stays (how many stays lasted `days`), as
    Repository.stage_stays returns. The threshold is the smallest `days` at or above which
    `percentile` of the stage's stays ended (a weighted percentile), at least 1 day.
    `stages` lists the open stages in pipeline order (how describe() lists them).
    """
    thresholds: dict[str, int] = {}
    counts: dict[str, int] = {}
    for stage, group in stays.groupby("stage", sort=True):
        ordered = group.sort_values("days")
        weights = ordered["stays"].astype("int64")
        total = int(weights.sum())
        counts[str(stage)] = total
        if total < min_stays:
            continue
        reached = weights.cumsum() >= percentile * total
        thresholds[str(stage)] = max(1, int(ordered.loc[reached, "days"].iloc[0]))
    return StaleRule(fallback_days, thresholds, counts, tuple(stages or ()))
