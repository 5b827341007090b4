"""The Overview's order-to-cash headline: cash collected vs booked this quarter, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from salesops.calendar import Period, quarter_of, quarter_words
from salesops.cash.receivables import receivable_totals
from salesops.config import Settings
from salesops.formatting import format_money
from salesops.repository import EVERYTHING, Repository, Scope


@dataclass(frozen=True)
class CashHeadline:
    """Quarter to date: booked (deals won), collected (payments), receivables and overdue."""

    quarter: Period
    quarter_label: str
    booked: float
    collected: float
    receivable: float
    overdue: float
    overdue_alert: float  # Settings.overdue_share_alert

    @property
    def overdue_share(self) -> float | None:
        """Returns overdue ÷ receivable, None when nothing is receivable."""
        return self.overdue / self.receivable if self.receivable > 0 else None

    @property
    def tone(self) -> str:
        """Returns "bad" when the overdue share reaches the alert level, else "neutral"."""
        share = self.overdue_share
        return "bad" if share is not None and share >= self.overdue_alert else "neutral"

    def sentence(self, currency: str) -> str:
        """Returns the headline in one plain sentence."""
        money = lambda v: format_money(v, currency)  # noqa: E731
        share = self.overdue_share
        late = "" if share is None else f" ({share:.0%} of {money(self.receivable)} receivable)"
        return (
            f"{money(self.collected)} collected so far in {self.quarter_label} against "
            f"{money(self.booked)} booked; {money(self.overdue)} of invoices are overdue{late}."
        )


def cash_headline(
    repo: Repository, as_of: date, scope: Scope = EVERYTHING, settings: Settings | None = None
) -> CashHeadline:
    """Returns the headline for the quarter of `as_of`, counted to `as_of`."""
    chosen = settings or Settings()
    quarter = quarter_of(as_of)
    period = Period(quarter.start, as_of)
    receivables = repo.cash_receivables(
        as_of, chosen.payment_terms_days, chosen.aging_buckets, scope
    )
    totals = receivable_totals(receivables)
    return CashHeadline(
        quarter=period,
        quarter_label=quarter_words(quarter),
        booked=float(repo.cash_bookings(period, scope)["amount"].sum()),
        collected=float(repo.cash_collected(period, scope)["amount"].sum()),
        receivable=totals["receivable"],
        overdue=totals["overdue"],
        overdue_alert=chosen.overdue_share_alert,
    )
