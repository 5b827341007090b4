"""The order-to-cash funnel: booked → ordered → invoiced → paid, as amounts and counts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.figures import Figure

STAGES = ("booked", "ordered", "invoiced", "paid")
STAGE_LABELS = {
    "booked": "Booked (deals won)",
    "ordered": "Ordered",
    "invoiced": "Invoiced",
    "paid": "Paid",
}


@dataclass(frozen=True)
class Funnel:
    """Each stage's count and amount, and what stands between the stages.

    `booked_not_ordered` counts deals won in the period with no order by its end; the
    `*_orders` counts flag orders a person should look at (paid before invoiced, paid with
    no invoice date, zero or negative amounts).
    """

    stages: pd.DataFrame  # stage, label, count, amount, share_of_ordered
    booked_not_ordered: int
    booked_not_ordered_amount: float
    first_orders: int
    repeat_orders: int
    nonpositive_orders: int
    paid_before_invoiced: int
    paid_not_invoiced: int

    @property
    def collected_share(self) -> Figure:
        """Returns paid ÷ ordered amount, or why it is undefined."""
        ordered = self.amount("ordered")
        if ordered <= 0:
            return Figure.undefined("no orders placed in the period")
        return Figure(self.amount("paid") / ordered)

    def amount(self, stage: str) -> float:
        """Returns the amount of `stage` (one of STAGES)."""
        return float(self.stages.loc[self.stages["stage"] == stage, "amount"].iloc[0])

    def count(self, stage: str) -> int:
        """Returns the count of `stage` (one of STAGES)."""
        return int(self.stages.loc[self.stages["stage"] == stage, "count"].iloc[0])

    def warnings(self) -> list[str]:
        """Returns one sentence per kind of order that needs a look (nothing is dropped)."""
        found = []
        if self.paid_before_invoiced:
            found.append(
                f"{self.paid_before_invoiced:,} orders are paid before their invoice date: "
                "counted as paid, left out of days from invoice to payment."
            )
        if self.paid_not_invoiced:
            found.append(
                f"{self.paid_not_invoiced:,} orders are paid but have no invoice date: "
                "counted as paid, not as invoiced."
            )
        if self.nonpositive_orders:
            found.append(
                f"{self.nonpositive_orders:,} orders have a zero or negative amount (credits "
                "or returns): they are counted, and they lower the amounts."
            )
        return found


def cash_funnel(order_totals: pd.DataFrame, bookings: pd.DataFrame) -> Funnel:
    """Returns the funnel of a period.

    Requires order_totals with columns orders, first_orders, ordered_amount,
    invoiced_orders, invoiced_amount, paid_orders, paid_amount, nonpositive_orders,
    paid_before_invoiced, paid_not_invoiced (repository `cash_order_totals`), and bookings
    with deals, amount, ordered_deals, ordered_amount (`cash_bookings`).
    """
    t, b = order_totals, bookings
    counts = [
        int(b["deals"].sum()), int(t["orders"].sum()),
        int(t["invoiced_orders"].sum()), int(t["paid_orders"].sum()),
    ]  # fmt: skip
    amounts = [
        float(b["amount"].sum()), float(t["ordered_amount"].sum()),
        float(t["invoiced_amount"].sum()), float(t["paid_amount"].sum()),
    ]  # fmt: skip
    stages = pd.DataFrame(
        {
            "stage": list(STAGES),
            "label": [STAGE_LABELS[s] for s in STAGES],
            "count": counts,
            "amount": amounts,
        }
    )
    ordered = amounts[1]
    shares = [a / ordered if ordered > 0 else None for a in amounts[1:]]
    stages["share_of_ordered"] = [None, *shares]
    first = int(t["first_orders"].sum())
    return Funnel(
        stages=stages,
        booked_not_ordered=int(b["deals"].sum() - b["ordered_deals"].sum()),
        booked_not_ordered_amount=float(b["amount"].sum() - b["ordered_amount"].sum()),
        first_orders=first,
        repeat_orders=counts[1] - first,
        nonpositive_orders=int(t["nonpositive_orders"].sum()),
        paid_before_invoiced=int(t["paid_before_invoiced"].sum()),
        paid_not_invoiced=int(t["paid_not_invoiced"].sum()),
    )
