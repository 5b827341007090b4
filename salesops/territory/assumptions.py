"""TerritorySettings: the assumptions behind the territory figures, built from Settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from salesops.config import Settings


@dataclass(frozen=True)
class TerritorySettings:
    """The assumptions behind the territory figures (their defaults live in Settings).

    `coverage_hours` are the yearly coverage hours per account by segment, as (segment, hours)
    pairs (hashable, so the settings can key a cache); `coverage_for` looks them up. `peer`
    says whose median PPH a territory is compared with: "segment" (Enterprise hours carry more
    potential than SMB hours by design, so only like is compared with like; territories
    without a segment form one group) or "team" (one median for everybody).
    """

    coverage_hours: tuple[tuple[str, float], ...]
    default_coverage_hours: float
    working_weeks_per_year: float
    ramp_days: int
    threshold: float
    peer: str

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TerritorySettings:
        """Returns the territory assumptions of `settings`, with `overrides` by field name."""
        chosen = cls(
            coverage_hours=cls.coverage(dict(settings.coverage_hours)),
            default_coverage_hours=float(settings.default_coverage_hours),
            working_weeks_per_year=float(settings.working_weeks_per_year),
            ramp_days=int(settings.ramp_days),
            threshold=float(settings.flag_threshold),
            peer=str(settings.peer_group),
        )
        return replace(chosen, **overrides)

    def coverage_for(self, segment: object) -> float:
        """Returns the yearly coverage hours an account of `segment` needs."""
        hours = dict(self.coverage_hours)
        if isinstance(segment, str) and segment in hours:
            return float(hours[segment])
        return float(self.default_coverage_hours)

    @staticmethod
    def coverage(hours: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
        """Returns a segment -> hours mapping in the form `coverage_hours` takes."""
        return tuple((str(k), float(v)) for k, v in hours.items())
