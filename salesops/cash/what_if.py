"""What-if: invoice and get paid sooner → cash pulled forward and its working-capital effect.

Array-free arithmetic on a few measured rates, so a slider answers in microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.figures import Figure


@dataclass(frozen=True)
class CashRates:
    """What the what-if starts from: daily order and invoice amounts, days, receivables."""

    ordered_per_day: float
    invoiced_per_day: float
    days_to_invoice: float | None  # measured mean; the most invoicing can be cut by
    days_to_pay: float | None  # measured mean; the most payment can be cut by
    not_invoiced: float
    receivable: float
    dso: float | None


@dataclass(frozen=True)
class CashWhatIf:
    """The what-if's answer: days actually cut, cash collected sooner, and what it is worth."""

    invoice_days_cut: float
    pay_days_cut: float
    cash_pulled_forward: float
    not_invoiced_after: float
    receivable_after: float
    dso_after: Figure
    yearly_saving: float

    def to_json(self) -> dict[str, object]:
        """Returns the what-if as JSON-ready values."""
        return {
            "invoice_days_cut": self.invoice_days_cut,
            "pay_days_cut": self.pay_days_cut,
            "cash_pulled_forward": self.cash_pulled_forward,
            "not_invoiced_after": self.not_invoiced_after,
            "receivable_after": self.receivable_after,
            "dso_after": self.dso_after.value,
            "dso_after_reason": self.dso_after.reason,
            "yearly_saving": self.yearly_saving,
        }


def _cut(asked: float, measured: float | None) -> float:
    """Returns the days a step can really be cut by: at most what it takes today."""
    if asked < 0:
        raise ValueError(f"Days to cut must be zero or more, not {asked:g}.")
    return 0.0 if measured is None else min(float(asked), max(measured, 0.0))


def cash_what_if(
    rates: CashRates, invoice_days: float, pay_days: float, cost_of_capital: float
) -> CashWhatIf:
    """Returns the effect of invoicing `invoice_days` and being paid `pay_days` sooner.

    Invoicing N days sooner turns N days of orders into invoices sooner (ordered per day
    × N, at most what is not yet invoiced); paying M days sooner collects M days of
    invoices sooner (invoiced per day × M, at most the receivables): in steady state what
    is not invoiced and what is receivable stay that much lower. Cuts are capped at
    the measured mean days of each step. The yearly saving is the cash pulled forward at
    `cost_of_capital`.
    """
    invoice_cut = _cut(invoice_days, rates.days_to_invoice)
    pay_cut = _cut(pay_days, rates.days_to_pay)
    billed_sooner = min(rates.ordered_per_day * invoice_cut, max(rates.not_invoiced, 0.0))
    collected_sooner = min(rates.invoiced_per_day * pay_cut, max(rates.receivable, 0.0))
    pulled = billed_sooner + collected_sooner
    if rates.dso is None:
        dso_after = Figure.undefined("DSO is undefined for the period")
    else:
        dso_after = Figure(max(rates.dso - pay_cut, 0.0))
    return CashWhatIf(
        invoice_days_cut=invoice_cut,
        pay_days_cut=pay_cut,
        cash_pulled_forward=pulled,
        not_invoiced_after=rates.not_invoiced - billed_sooner,
        receivable_after=rates.receivable - collected_sooner,
        dso_after=dso_after,
        yearly_saving=pulled * cost_of_capital,
    )
