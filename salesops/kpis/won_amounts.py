"""Whether bookings are defined: how many won deals in a scope carry an amount.

**Bookings are undefined** where the scope has won deals and none of them has an amount (an
import without deal values, such as Olist's closed deals). Deals were won; their value is
unknown. Every money figure made of bookings (bookings to date, bookings by month, the
forecast fitted on them, forecast vs quota, the quarter call) is then "—" with `reason`,
never $0. Where only some won deals lack an amount the figures stand (they count the deals
that have one) and `caption` says how many lack one. Without any won deal, bookings are a
true 0. Counted over the scope's whole history, not a period (an export either carries
amounts or it does not); the quarter call counts what was known at its as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from salesops.repository import EVERYTHING, Repository, Scope

FIX = "import amounts (Amount / close_value) to see bookings, forecasts and the call"
SHORT_REASON = "bookings undefined: won deals have no amount"
# a later section of a page that has already shown `reason` in full (the Overview says it once)
SAID_ABOVE = "Bookings undefined: won deals have no amount (see above)."


@dataclass(frozen=True)
class WonAmounts:
    """How many won deals a scope has, and how many of them carry no amount."""

    won: int
    without_amount: int

    @property
    def with_amount(self) -> int:
        """Returns the won deals that carry an amount."""
        return self.won - self.without_amount

    @property
    def undefined(self) -> bool:
        """Returns True when bookings are undefined: won deals, none with an amount."""
        return self.won > 0 and self.with_amount <= 0

    @property
    def reason(self) -> str | None:
        """Returns the one sentence saying why bookings are undefined, or None when defined."""
        if not self.undefined:
            return None
        which = (
            "the one won deal has no amount"
            if self.won == 1
            else f"none of the {self.won:,} won deals has an amount"
        )
        return f"Bookings undefined: {which} — {FIX}."

    @property
    def short_reason(self) -> str | None:
        """Returns `reason` in a few words (a tile's caption), or None when defined."""
        return SHORT_REASON if self.undefined else None

    @property
    def caption(self) -> str | None:
        """Returns how many won deals lack an amount where only some do, else None."""
        if self.undefined or self.without_amount <= 0:
            return None
        return (
            f"{self.without_amount:,} of {self.won:,} won deals have no amount: bookings "
            f"count only the {self.with_amount:,} that do."
        )

    def to_json(self) -> dict[str, Any]:
        """Returns the counts, whether bookings are defined, and the reason or caption."""
        return {
            "won_deals": self.won,
            "won_deals_without_amount": self.without_amount,
            "defined": not self.undefined,
            "reason": self.reason,
            "caption": self.caption,
        }


ALL_PRICED = WonAmounts(0, 0)  # what callers assume when they were not told


def won_amounts(
    repo: Repository, scope: Scope = EVERYTHING, until: date | None = None
) -> WonAmounts:
    """Returns how many won deals `scope` has and how many of them carry no amount.

    With `until`, only deals closed before it (what was known then: the quarter call).
    """
    counts = repo.won_amount_counts(scope, until)
    return WonAmounts(counts["won"], counts["without_amount"])
