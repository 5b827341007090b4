"""Receivables on a date: what is owed, how late, and DSO."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from salesops.figures import Figure
from salesops.repository.cash import aging_labels

NOT_INVOICED = "not invoiced"
CURRENT = "current"


def aging(receivables: pd.DataFrame, edges: Sequence[int]) -> pd.DataFrame:
    """Returns invoiced, unpaid receivables by aging bucket, every bucket listed.

    Requires columns bucket, orders, amount (repository `cash_receivables`). Returns
    columns bucket, orders, amount, share (of invoiced unpaid amount), overdue (bool).
    """
    labels = aging_labels(edges)
    invoiced = receivables[receivables["bucket"] != NOT_INVOICED]
    table = (
        invoiced.groupby("bucket")[["orders", "amount"]]
        .sum()
        .reindex(labels, fill_value=0)
        .rename_axis("bucket")
        .reset_index()
    )
    table["orders"] = table["orders"].astype("int64")
    total = float(table["amount"].sum())
    table["share"] = table["amount"] / total if total > 0 else None
    table["overdue"] = table["bucket"] != CURRENT
    return table


def receivable_totals(receivables: pd.DataFrame) -> dict[str, float]:
    """Returns {"not_invoiced", "receivable", "overdue"} amounts (unpaid, on the as-of date).

    Requires columns bucket, amount.
    """
    amount = receivables.groupby("bucket")["amount"].sum()
    not_invoiced = float(amount.get(NOT_INVOICED, 0.0))
    invoiced = float(amount.sum()) - not_invoiced
    return {
        "not_invoiced": not_invoiced,
        "receivable": invoiced,
        "overdue": invoiced - float(amount.get(CURRENT, 0.0)),
    }


def dso(receivable: float, invoiced_in_period: float, days: int) -> Figure:
    """Returns days sales outstanding = receivable ÷ invoiced in the period × days.

    Undefined when nothing was invoiced in the period.
    """
    inputs = {"receivable": receivable, "invoiced": invoiced_in_period, "days": days}
    if invoiced_in_period <= 0:
        return Figure.undefined("nothing invoiced in the period", **inputs)
    return Figure(receivable / invoiced_in_period * days, inputs=inputs)
