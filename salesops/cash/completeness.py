"""Order completeness: were the required fields captured up front, and what does missing cost?"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.cash.breakdown import NO_DEAL
from salesops.figures import Figure


@dataclass(frozen=True)
class Completeness:
    """Share of orders missing required fields, and how much longer they take to be paid."""

    fields: tuple[str, ...]
    orders: int
    incomplete: int
    missing_by_field: dict[str, int]
    days_to_pay_complete: Figure
    days_to_pay_incomplete: Figure
    by_rep: pd.DataFrame  # rep, orders, incomplete, incomplete_share, missing_<field>...

    @property
    def incomplete_share(self) -> Figure:
        """Returns incomplete ÷ all orders placed in the period, or why it is undefined."""
        if not self.orders:
            return Figure.undefined("no orders placed in the period")
        return Figure(self.incomplete / self.orders)

    @property
    def extra_days_to_pay(self) -> Figure:
        """Returns how many more days incomplete orders take from invoice to payment."""
        slow, fast = self.days_to_pay_incomplete, self.days_to_pay_complete
        if slow.value is None or fast.value is None:
            return Figure.undefined(slow.reason or fast.reason or "")
        return Figure(slow.value - fast.value)

    def to_json(self) -> dict[str, object]:
        """Returns the figures as JSON-ready values (the by-rep table is added by the report)."""
        return {
            "fields": list(self.fields),
            "orders": self.orders,
            "incomplete": self.incomplete,
            "incomplete_share": self.incomplete_share.value,
            "missing_by_field": self.missing_by_field,
            "days_to_pay_complete": self.days_to_pay_complete.value,
            "days_to_pay_incomplete": self.days_to_pay_incomplete.value,
            "extra_days_to_pay": self.extra_days_to_pay.value,
            "extra_days_to_pay_reason": self.extra_days_to_pay.reason,
        }


def _mean_days(rows: pd.DataFrame, which: str) -> Figure:
    paid = float(rows["paid_orders"].sum())
    if paid <= 0:
        return Figure.undefined(f"no {which} order placed in the period was paid by its end")
    return Figure(float(rows["days_to_pay_sum"].sum()) / paid, inputs={"paid_orders": paid})


def _rep_names(frame: pd.DataFrame, names: dict[int, str]) -> pd.Series:
    return frame["rep_id"].map(lambda k: NO_DEAL if pd.isna(k) else names.get(int(k), f"#{k}"))


def completeness(
    totals: pd.DataFrame,
    fields: tuple[str, ...],
    rep_names: dict[int, str],
) -> Completeness:
    """Returns the completeness of a period's orders.

    Requires the repository frame `cash_completeness` (complete, orders, paid_orders,
    days_to_pay_sum and missing_<field> per field, by territory, segment, rep). by_rep is
    sorted by incomplete share, worst first.
    """
    complete = totals[totals["complete"] == 1]
    incomplete = totals[totals["complete"] == 0]
    by_rep = (
        totals.assign(rep=_rep_names(totals, rep_names),
                      incomplete=totals["orders"].where(totals["complete"] == 0, 0))
        .groupby("rep")[["orders", "incomplete", *(f"missing_{f}" for f in fields)]].sum()
    )  # fmt: skip
    by_rep["incomplete_share"] = by_rep["incomplete"] / by_rep["orders"].where(by_rep["orders"] > 0)
    by_rep = by_rep.reset_index().sort_values(
        ["incomplete_share", "orders"], ascending=False, kind="stable"
    )
    return Completeness(
        fields=fields,
        orders=int(totals["orders"].sum()),
        incomplete=int(incomplete["orders"].sum()),
        missing_by_field={f: int(totals[f"missing_{f}"].sum()) for f in fields},
        days_to_pay_complete=_mean_days(complete, "complete"),
        days_to_pay_incomplete=_mean_days(incomplete, "incomplete"),
        by_rep=by_rep.reset_index(drop=True),
    )
