"""The week's pipeline waterfall: opening, signed movements, closing, and the headline.

Totals are sums of deal_movements (see movements.py for how each deal is attributed), in
integer cents, so opening + new + increased + decreased + slipped + pulled_in + won + lost
== closing to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from salesops.calendar import Quarter, Week, quarter_words
from salesops.formatting import format_money
from salesops.pipeline_review.history import review_quarter, to_cents
from salesops.pipeline_review.movements import MOVEMENTS, deal_movements

DEFINITIONS = """
* **Week**: ISO week, Monday to Sunday, UTC dates. **Opening** = state at Monday 00:00,
  **closing** = state at the next Monday 00:00, both rebuilt from opportunity history.
* **Pipeline**: open deals whose expected close is in the review quarter (the quarter
  holding the week's Thursday).
* A deal in the pipeline at both instants counts only its net amount change
  (**increased** / **decreased**), even if it left and came back during the week.
* A deal that enters counts at the amount of the row that brought it in: **new** if created
  this week or reopened, otherwise **pulled in** (expected close moved into the quarter).
* A deal that leaves counts at the amount of the row that took it out: **won**, **lost**, or
  **slipped** (expected close moved out of the quarter). Amount changes on that row count
  first, so a deal increased and slipped shows both.
* opening + new + increased + decreased + slipped + pulled in + won + lost = closing, to the cent.
"""

WATERFALL_STEPS = ("opening", *MOVEMENTS, "closing")
STEP_LABELS = {
    "opening": "Opening pipeline",
    "new": "New",
    "increased": "Increased",
    "decreased": "Decreased",
    "slipped": "Slipped",
    "pulled_in": "Pulled in",
    "won": "Won",
    "lost": "Lost",
    "closing": "Closing pipeline",
}


def from_cents(cents: int | np.integer) -> Decimal:
    """Returns integer cents as an exact Decimal amount in currency."""
    return Decimal(int(cents)).scaleb(-2)


@dataclass(frozen=True)
class Waterfall:
    """Opening pipeline, signed movements and closing pipeline for one week, in currency.

    Values are Decimals summed from integer cents, so the identity
    opening + sum(movements) == closing holds exactly. `deals` counts the deals behind
    each bar.
    """

    week: Week
    quarter: Quarter
    opening: Decimal
    new: Decimal
    increased: Decimal
    decreased: Decimal
    slipped: Decimal
    pulled_in: Decimal
    won: Decimal
    lost: Decimal
    closing: Decimal
    deals: Mapping[str, int] = field(default_factory=dict)

    @property
    def net_change(self) -> Decimal:
        """Returns closing minus opening pipeline."""
        return self.closing - self.opening

    @property
    def is_empty(self) -> bool:
        """Returns True when no deal was in the quarter's pipeline or moved through it."""
        return not (self.opening or self.closing or any(getattr(self, m) for m in MOVEMENTS))

    @property
    def reconciles(self) -> bool:
        """Returns True when opening plus every movement equals closing, to the cent."""
        return self.opening + sum(getattr(self, m) for m in MOVEMENTS) == self.closing

    def as_dict(self) -> dict[str, float]:
        """Returns {step: amount} for the nine steps as floats (JSON-ready)."""
        return {step: float(getattr(self, step)) for step in WATERFALL_STEPS}

    def to_frame(self) -> pd.DataFrame:
        """Returns one row per bar, ready for a waterfall chart.

        Returns a frame with columns step, label, amount (float, signed), kind ("total",
        "increase", "decrease"), bar_start, bar_end (float running totals), deals (int).
        """
        rows = []
        running = Decimal(0)
        for step in WATERFALL_STEPS:
            amount = getattr(self, step)
            if step in ("opening", "closing"):
                start, end, kind = Decimal(0), amount, "total"
                running = amount
            else:
                start, end = running, running + amount
                running = end
                kind = "increase" if amount >= 0 else "decrease"
            rows.append(
                {
                    "step": step,
                    "label": STEP_LABELS[step],
                    "amount": float(amount),
                    "kind": kind,
                    "bar_start": float(start),
                    "bar_end": float(end),
                    "deals": int(self.deals.get(step, 0)),
                }
            )
        return pd.DataFrame(rows)


def waterfall_from_movements(movements: pd.DataFrame, week: Week, quarter: Quarter) -> Waterfall:
    """Returns the Waterfall summed from deal_movements() rows (all deals or one scope's).

    Requires the `<step>_cents` columns deal_movements returns.
    """
    totals = {step: from_cents(movements[f"{step}_cents"].sum()) for step in WATERFALL_STEPS}
    entry, exit_ = movements["entry"], movements["exit"]
    flags = {
        "opening": movements["in_opening"],
        "new": entry.isin(["created", "reopened"]),
        "increased": movements["increased_cents"] > 0,
        "decreased": movements["decreased_cents"] < 0,
        "slipped": exit_ == "slipped",
        "pulled_in": entry == "pulled_in",
        "won": exit_ == "won",
        "lost": exit_ == "lost",
        "closing": movements["in_closing"],
    }
    counts = {step: int(flag.astype(bool).sum()) for step, flag in flags.items()}
    return Waterfall(week=week, quarter=quarter, deals=counts, **totals)


def waterfall(history: pd.DataFrame, week: Week, quarter: Quarter | None = None) -> Waterfall:
    """Returns the week's pipeline waterfall (opening, signed movements, closing).

    Requires columns as normalise_history. The quarter defaults to review_quarter(week).
    """
    quarter = quarter or review_quarter(week)
    return waterfall_from_movements(deal_movements(history, week, quarter), week, quarter)


def with_steady_pipeline(totals: Waterfall, amounts: pd.Series) -> Waterfall:
    """Returns the waterfall plus deals that sat in the pipeline all week without a change.

    Such a deal (no row in the week, open with an expected close in the quarter) is in the
    opening and the closing pipeline at its one amount and in no movement, so `waterfall` of
    the other deals' rows plus these amounts equals `waterfall` of all the rows. Amounts
    count in cents like everywhere else (missing = 0).
    """
    money = from_cents(to_cents(amounts).sum())
    deals = dict(totals.deals)
    for step in ("opening", "closing"):
        deals[step] = deals.get(step, 0) + len(amounts)
    return replace(
        totals, opening=totals.opening + money, closing=totals.closing + money, deals=deals
    )


@dataclass(frozen=True)
class Headline:
    """The week's headline for the Overview page."""

    week: Week
    quarter: Quarter
    opening: float
    closing: float
    net_change: float
    slipped: float
    slipped_deals: int


def headline(review_waterfall: Waterfall) -> Headline:
    """Returns the headline figures (net pipeline change, slipped value) of a Waterfall."""
    w = review_waterfall
    return Headline(
        week=w.week,
        quarter=w.quarter,
        opening=float(w.opening),
        closing=float(w.closing),
        net_change=float(w.net_change),
        slipped=float(w.slipped),
        slipped_deals=int(w.deals.get("slipped", 0)),
    )


def new_deals_note(new_deals: pd.DataFrame, movements: pd.DataFrame, quarter: Quarter) -> str:
    """Returns the sentence reconciling the New deals list with the waterfall's New bar.

    The list holds every deal created in the week; the bar counts deals that entered the
    quarter's pipeline as created (expected to close in the quarter) or reopened.
    Requires the week's new-deals list (opportunity_id) and deal_movements (entry).
    """
    created = len(new_deals)
    entered = int((movements["entry"] == "created").sum())
    reopened = int((movements["entry"] == "reopened").sum())
    elsewhere = created - entered
    parts = [
        f"The New bar counts {entered + reopened:,} deal(s): {entered:,} of the {created:,} "
        f"created this week entered the {quarter_words(quarter)} pipeline"
    ]
    if reopened:
        parts.append(f", plus {reopened:,} reopened")
    parts.append(".")
    if elsewhere:
        parts.append(
            f" The other {elsewhere:,} created this week are expected to close after "
            f"{quarter_words(quarter)} (or have no close date), so they are listed but not in "
            "the bar."
        )
    return "".join(parts)


def week_words(w: Waterfall, last: date, currency: str, noise_share: float) -> tuple[str, str]:
    """Returns (a plain sentence about the week's pipeline, tone) for the Overview.

    `last` is the last day counted (the week's Sunday, or the latest day of data). Tone is
    "good" when the pipeline grew, "bad" when it shrank, "neutral" when the change is below
    `noise_share` of the opening pipeline.
    """
    quarter = quarter_words(w.quarter)
    span = f"{w.week.start.day} {w.week.start:%b}" + (
        f" – {last.day} {last:%b}" if last != w.week.start else ""
    )
    net, opening = float(w.net_change), float(w.opening)
    so_far = " so far" if last < w.week.last_day else ""
    closing = format_money(float(w.closing), currency)
    if w.is_empty:  # not "held steady at $0": there was no pipeline to hold
        return (
            f"This week{so_far} ({span}) no open deal was expected to close in {quarter}, "
            "and none moved in or out of it.",
            "neutral",
        )
    head = f"This week{so_far} ({span}) the {quarter} pipeline"
    slipped = float(w.slipped)
    tail = (
        f"; {format_money(-slipped, currency)} slipped out of the quarter "
        f"({w.deals.get('slipped', 0)} deals)."
        if slipped < 0
        else "."
    )
    if abs(net) < noise_share * abs(opening) or net == 0:
        return f"{head} held steady at {closing}{tail}", "neutral"
    verb = "grew" if net > 0 else "shrank"
    return (
        f"{head} {verb} by {format_money(abs(net), currency)} to {closing}{tail}",
        "good" if net > 0 else "bad",
    )


def empty_waterfall_sentence(
    w: Waterfall, undated_deals: int, undated_amount: float, currency: str
) -> str:
    """Returns why the week's waterfall is empty (see Waterfall.is_empty).

    `undated_deals` / `undated_amount` are the scope's open deals without an expected close
    date today: the review places a deal in a quarter by that date, so they never appear.
    """
    quarter = quarter_words(w.quarter)
    sentence = (
        f"No open deal was expected to close in {quarter} during this week, and none moved "
        "in or out of it: the waterfall is empty."
    )
    if undated_deals:
        worth = f" ({format_money(undated_amount, currency)})" if undated_amount > 0 else ""
        sentence += (
            f" {undated_deals:,} open deal(s){worth} have no expected close date, and the "
            "review places a deal in a quarter by that date: import close dates (Salesforce "
            "CloseDate, HubSpot closedate) to see them here."
        )
    return sentence
