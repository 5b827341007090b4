"""How big a demo company is: the named scales and any number of opportunities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The last day of demo data: fixed, so the same seed gives the same company on any day.
DEMO_END = date(2026, 11, 20)


@dataclass(frozen=True)
class Scale:
    """Sizes of one demo company."""

    territories: int
    reps: int
    accounts: int
    opportunities: int
    leads: int
    years: int


SCALES: dict[str, Scale] = {
    "tiny": Scale(territories=4, reps=10, accounts=400, opportunities=2_500, leads=8_000, years=3),
    "small": Scale(
        territories=6, reps=24, accounts=2_000, opportunities=12_000, leads=40_000, years=3
    ),
    "medium": Scale(
        territories=12, reps=80, accounts=20_000, opportunities=150_000, leads=450_000, years=4
    ),
    "large": Scale(
        territories=20,
        reps=200,
        accounts=100_000,
        opportunities=1_000_000,
        leads=3_000_000,
        years=5,
    ),
}


def resolve_scale(scale: str | int) -> Scale:
    """Returns the Scale for a name (tiny/small/medium/large) or a number of opportunities."""
    if isinstance(scale, str) and scale in SCALES:
        return SCALES[scale]
    try:
        n = int(scale)
    except (TypeError, ValueError):
        raise ValueError(
            f"Unknown scale {scale!r}: use small, medium, large or a number of opportunities."
        ) from None
    if n < 100:
        raise ValueError(f"Scale {n} is too small: use at least 100 opportunities.")
    base = SCALES["small"]
    factor = n / base.opportunities
    return Scale(
        territories=max(3, min(20, round(base.territories * factor**0.3))),
        reps=max(6, min(400, round(base.reps * factor**0.5))),
        accounts=max(100, round(base.accounts * factor**0.8)),
        opportunities=n,
        leads=round(n * 3.3),
        years=3,
    )
