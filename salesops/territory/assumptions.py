"""TerritorySettings: the assumptions behind the territory figures, built from Settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from salesops.config import Settings


@dataclass(frozen=True)
class TerritorySettings:
    """The assumptions behind the territory figures (their defaults live in Settings).

    `account_hours` are stated yearly hours per account by segment, as (segment, hours) pairs
    (hashable, so the settings can key a cache); a segment left out is measured from time logs
    (see `salesops.capacity.workload`). `over` and `under` are the utilisation band outside
    which a territory or rep is flagged. `peer` says whose median potential per selling hour
    the balance index compares a territory with: "segment" or "team".
    """

    account_hours: tuple[tuple[str, float], ...]
    default_account_hours: float
    over: float
    under: float
    peer: str

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TerritorySettings:
        """Returns the territory assumptions of `settings`, with `overrides` by field name."""
        chosen = cls(
            account_hours=cls.hours(dict(settings.account_hours)),
            default_account_hours=float(settings.default_account_hours),
            over=float(settings.utilisation_over),
            under=float(settings.utilisation_under),
            peer=str(settings.peer_group),
        )
        return replace(chosen, **overrides)

    @staticmethod
    def hours(hours: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
        """Returns a segment -> hours mapping in the form `account_hours` takes."""
        return tuple((str(k), float(v)) for k, v in hours.items())

    def band_text(self) -> str:
        """Returns the flag rule as a sentence, with the band in use."""
        return (
            f"Over-loaded above {self.over:.0%} utilisation, under-loaded below "
            f"{self.under:.0%} (utilisation = workload hours / selling capacity hours)."
        )
