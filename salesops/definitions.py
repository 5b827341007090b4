"""The shared vocabulary: coverage, overdue, stale, capacity and utilisation, each defined once.

`TERMS` holds each word's label and the sentence every page, the CLI and the meeting pack
show beside it (like the KPI registry `salesops.kpis.metrics.KPIS`); the functions below are
the one implementation each page calls, so a word means the same on every page:

- **Pipeline coverage**: open pipeline expected to close in a period / the quota still to win
  in it (quota - won so far). The Pipeline review takes the review quarter, Territory the
  quota year.
- **Overdue**: an open deal whose expected close date is before the as-of date.
- **Stale**: an open deal in its stage longer than deals typically stay there (see
  `salesops.pipeline_review.deal_lists`).
- **Capacity** and **utilisation**: see `salesops.capacity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.figures import Figure


@dataclass(frozen=True)
class Term:
    """A word the app uses with one meaning: its label and the definition shown beside it."""

    name: str
    label: str
    definition: str
    settings: tuple[str, ...] = ()

    def text(self, settings: Settings | None = None) -> str:
        """Returns the definition with the Settings values it names filled in."""
        chosen = settings or Settings()
        values = {name: getattr(chosen, name) for name in self.settings}
        return self.definition.format(**values)


TERMS: dict[str, Term] = {
    t.name: t
    for t in [
        Term(
            "pipeline_coverage",
            "Pipeline coverage",
            "Open pipeline expected to close in the period ÷ quota still to win in it (quota "
            "for the period − won so far); undefined without a quota or once it is met.",
        ),
        Term(
            "overdue",
            "Overdue",
            "An open deal whose expected close date is before the as-of date.",
        ),
        Term(
            "stale",
            "Stale",
            "An open deal in its current stage for longer than {stale_percentile:.0%} of the "
            "stays in that stage that ended in the last 12 months lasted (measured per stage); "
            "{stale_days} days where a stage has fewer than {stale_min_stays} such stays.",
            ("stale_percentile", "stale_days", "stale_min_stays"),
        ),
        Term(
            "capacity",
            "Capacity (selling hours)",
            "Selling hours a rep has per year: weekly hours × {working_weeks_per_year:g} "
            "working weeks × selling share (measured from time logs) × the new-rep ramp "
            "(measured from bookings by tenure month).",
            ("working_weeks_per_year",),
        ),
        Term(
            "utilisation",
            "Utilisation",
            "Workload hours (each account's yearly hours, by segment) ÷ selling capacity "
            "hours; over-loaded above {utilisation_over:.0%}, under-loaded below "
            "{utilisation_under:.0%}.",
            ("utilisation_over", "utilisation_under"),
        ),
        Term(
            "cash_funnel",
            "Order to cash",
            "Booked: deals won in the period. Ordered: orders placed in the period (first "
            "orders book a deal, repeat orders follow). Invoiced and paid: those orders with "
            "an invoice or payment dated by the period's end.",
        ),
        Term(
            "cash_cycle_days",
            "Days to cash",
            "Whole days of each step, counted in the month it ended: deal closed → ordered, "
            "ordered → invoiced, invoiced → paid. Median and P90: the day by which half and "
            "90% of orders had finished the step.",
        ),
        Term(
            "dso",
            "DSO",
            "Days sales outstanding: invoiced, unpaid receivables at the period's end ÷ "
            "amount invoiced in the period × days in the period.",
        ),
        Term(
            "overdue_receivable",
            "Overdue receivable",
            "An invoice unpaid more than {payment_terms_days} days after its date; aged by "
            "days past due (current = not yet due).",
            ("payment_terms_days",),
        ),
        Term(
            "order_complete",
            "Complete order",
            "An order with every required field captured ({order_required_fields}); "
            "incomplete orders are compared on days from invoice to payment.",
            ("order_required_fields",),
        ),
        Term(
            "cash_pulled_forward",
            "Cash pulled forward",
            "What-if: invoicing N days sooner collects N days of orders sooner (amount "
            "ordered per day × N), paying M days sooner collects M days of invoices sooner "
            "(amount invoiced per day × M): cash collected once, sooner, and receivables "
            "that stay lower; the working-capital effect is that cash at "
            "{cost_of_capital:.0%} a year.",
            ("cost_of_capital",),
        ),
    ]
}


def define(name: str, settings: Settings | None = None) -> str:
    """Returns the definition of the term `name` (a TERMS key) with its settings filled in."""
    return TERMS[name].text(settings)


def pipeline_coverage(
    pipeline: float, quota: float | None, won_to_date: float, period: str = "period"
) -> Figure:
    """Returns pipeline coverage: pipeline / (quota - won to date), or why it is undefined.

    `period` names the period in the reason ("no quota for the quarter").
    """
    if quota is None or pd.isna(quota) or quota <= 0:
        return Figure.undefined(
            f"no quota for the {period}",
            pipeline=pipeline,
            quota=None,
            won_to_date=won_to_date,
            remaining_quota=None,
        )
    remaining = round(quota - won_to_date, 2)
    inputs = {
        "pipeline": pipeline,
        "quota": quota,
        "won_to_date": won_to_date,
        "remaining_quota": remaining,
    }
    if remaining <= 0:
        return Figure(None, "quota already met", inputs)
    return Figure(pipeline / remaining, None, inputs)


def pipeline_coverage_column(
    pipeline: pd.Series, quota: pd.Series, won_to_date: pd.Series, period: str = "quota year"
) -> tuple[pd.Series, pd.Series]:
    """Returns (coverage as Float64, reason) per row: `pipeline_coverage` on columns."""
    figures = [
        pipeline_coverage(float(p), float(q), float(w), period)
        for p, q, w in zip(pipeline, quota, won_to_date, strict=True)
    ]
    value = pd.array([f.value for f in figures], dtype="Float64")
    reason = pd.Series([f.reason for f in figures], index=pipeline.index, dtype="object")
    return pd.Series(value, index=pipeline.index), reason


def is_overdue(outcome: pd.Series, expected_close: pd.Series, as_of: date) -> np.ndarray:
    """Returns True for open deals whose expected close date is before `as_of`."""
    close = pd.to_datetime(expected_close)
    return ((outcome == "open") & close.notna() & (close < pd.Timestamp(as_of))).to_numpy(bool)
