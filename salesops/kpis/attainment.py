"""Bookings to date against quota: quarter to date and year to date, with the pace.

**Attainment** = won amount closed from the start of the quarter (or year) to the as-of
date / the quota of the whole quarter (or year). **Pace** = the share of the quarter (or
year) elapsed by the as-of date; attainment ahead of the pace is on track. Where won deals
carry no amount (salesops.kpis.won_amounts), bookings and attainment are undefined.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from salesops.calendar import Period, quarter_of, quarter_words
from salesops.figures import Figure
from salesops.formatting import format_money
from salesops.kpis.won_amounts import ALL_PRICED, WonAmounts, won_amounts
from salesops.repository import EVERYTHING, Repository, Scope


@dataclass(frozen=True)
class Attainment:
    """Bookings from a period's start to the as-of date against the whole period's quota."""

    label: str  # "Q4 2026 to date"
    to_date: Period  # period start .. as-of date
    whole: Period  # the whole quarter or year
    bookings: float
    quota: float | None
    amounts: WonAmounts = ALL_PRICED  # won deals with and without an amount

    @property
    def undefined(self) -> str | None:
        """Returns why bookings are undefined (won deals without amounts), else None."""
        return self.amounts.reason

    @property
    def booked(self) -> Figure:
        """Returns the bookings to date, or why they are undefined."""
        if self.undefined is not None:
            return Figure.undefined(self.undefined)
        return Figure(self.bookings)

    @property
    def attainment(self) -> Figure:
        """Returns bookings / quota of the whole period, or why it is undefined."""
        if self.undefined is not None:
            return Figure.undefined(self.undefined)
        if self.quota is None or self.quota <= 0:
            return Figure.undefined(f"no quota for {self.label.removesuffix(' to date')}")
        return Figure(self.bookings / self.quota)

    @property
    def elapsed(self) -> float:
        """Returns the share of the whole period's days that have passed by the as-of date."""
        days = (self.whole.end - self.whole.start).days + 1
        return ((self.to_date.end - self.whole.start).days + 1) / days

    @property
    def pace_gap(self) -> float | None:
        """Returns attainment minus the elapsed share (positive = ahead of pace), or None."""
        value = self.attainment.value
        return None if value is None else value - self.elapsed

    def to_dict(self) -> dict[str, object]:
        """Returns the JSON-ready figures."""
        return {
            "label": self.label,
            "from": self.to_date.start.isoformat(),
            "to": self.to_date.end.isoformat(),
            "bookings": None if self.undefined else round(self.bookings, 2),
            "quota": None if self.quota is None else round(self.quota, 2),
            "attainment": self.attainment.value,
            "reason": self.attainment.reason,
            "elapsed": self.elapsed,
        }


def attainment_from(
    bookings: pd.DataFrame, quotas: pd.DataFrame, label: str, to_date: Period, whole: Period
) -> Attainment:
    """Returns the Attainment of monthly bookings and quotas.

    Requires bookings with columns ds (month start), y (won amount) and quotas with
    columns period_start, amount. Months starting after the as-of date are ignored for
    bookings; quotas count for the whole period.
    """
    months = pd.to_datetime(bookings["ds"])
    chosen = (months >= pd.Timestamp(to_date.start)) & (months <= pd.Timestamp(to_date.end))
    quota_months = pd.to_datetime(quotas["period_start"])
    in_whole = (quota_months >= pd.Timestamp(whole.start)) & (
        quota_months <= pd.Timestamp(whole.end)
    )
    quota = float(quotas.loc[in_whole, "amount"].sum()) if in_whole.any() else None
    return Attainment(label, to_date, whole, float(bookings.loc[chosen, "y"].sum()), quota)


def bookings_vs_quota(
    repo: Repository, as_of: date, scope: Scope = EVERYTHING
) -> tuple[Attainment, Attainment]:
    """Returns (quarter to date, year to date) bookings against quota for `scope`.

    Bookings come from the monthly closed-deals rollup; the as-of date is the data's latest
    day, so the current month holds only deals closed by then. Both are undefined, with the
    reason, where the scope's won deals carry no amount.
    """
    quarter = quarter_of(as_of)
    year = Period(date(as_of.year, 1, 1), date(as_of.year, 12, 31))
    bookings = repo.bookings_by_period("M", scope)
    quotas = repo.quotas_by_month(year.start, year.end, scope)
    qtd = attainment_from(
        bookings,
        quotas,
        f"{quarter_words(quarter)} to date",
        Period(quarter.start, as_of),
        Period(quarter.start, quarter.last_day),
    )
    ytd = attainment_from(
        bookings, quotas, f"{as_of.year} to date", Period(year.start, as_of), year
    )
    amounts = won_amounts(repo, scope)
    return replace(qtd, amounts=amounts), replace(ytd, amounts=amounts)


def pace_words(figures: Attainment, currency: str, noise_pp: float) -> tuple[str, str]:
    """Returns (a plain sentence, tone) for bookings to date against quota and the pace.

    Tone is "good" (ahead of pace by at least `noise_pp` percentage points), "bad" (behind
    by as much), "neutral" (on pace) or "none" (no quota, or bookings undefined: then the
    sentence is the reason).
    """
    if figures.undefined is not None:
        return figures.undefined, "none"
    booked = format_money(figures.bookings, currency)
    value = figures.attainment.value
    if value is None or figures.quota is None:
        return f"{booked} booked; {figures.attainment.reason}.", "none"
    gap = value - figures.elapsed
    whole = figures.label.removesuffix(" to date")
    sentence = (
        f"{booked} booked: {value:.0%} of the {format_money(figures.quota, currency)} "
        f"{whole} quota, with {figures.elapsed:.0%} of the time gone"
    )
    if abs(gap) * 100 < noise_pp:
        return f"{sentence}: on pace.", "neutral"
    side = "ahead of" if gap > 0 else "behind"
    return f"{sentence}: {abs(gap) * 100:.0f} pp {side} pace.", "good" if gap > 0 else "bad"
