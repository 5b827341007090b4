"""The funnel, days and receivables by rep, territory or segment, side by side."""

from __future__ import annotations

import pandas as pd

from salesops.cash.receivables import CURRENT, NOT_INVOICED

BY = ("rep", "territory", "segment")
NO_DEAL = "(orders without a rep)"
KEYS = {"rep": "rep_id", "territory": "territory_id", "segment": "segment"}
LEG_COLUMNS = {
    "close_to_order": "days_to_order",
    "order_to_invoice": "days_to_invoice",
    "invoice_to_paid": "days_to_pay",
}


def _named(frame: pd.DataFrame, by: str, names: dict) -> pd.Series:
    """Returns the display name of each row's `by` key (rep or territory name, segment)."""
    key = frame[KEYS[by]]
    if by == "segment":
        return key.fillna("(no segment)").astype(str)
    empty = NO_DEAL if by == "rep" else "(no territory)"
    return key.map(lambda k: empty if pd.isna(k) else names.get(int(k), f"#{int(k)}"))


def _sum_by(frame: pd.DataFrame, by: str, names: dict, columns: dict[str, str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=list(columns.values()), index=pd.Index([], name=by))
    keyed = frame.assign(**{by: _named(frame, by, names)})
    return keyed.groupby(by)[list(columns)].sum().rename(columns=columns)


def breakdown(
    by: str,
    order_totals: pd.DataFrame,
    bookings: pd.DataFrame,
    cycle_by_dimension: pd.DataFrame,
    receivables: pd.DataFrame,
    names: dict[int, str],
) -> pd.DataFrame:
    """Returns one row per rep, territory or segment (`by`), slowest to pay first.

    Requires the repository frames `cash_order_totals`, `cash_bookings`,
    `cash_cycle_days(by="dimension")` and `cash_receivables`; `names` maps rep or territory
    ids to names. Returns columns <by>, booked, ordered, invoiced, paid, paid_share,
    days_to_order, days_to_invoice, days_to_pay (means), receivable, overdue, overdue_share.
    """
    parts = [
        _sum_by(bookings, by, names, {"amount": "booked"}),
        _sum_by(order_totals, by, names, {"ordered_amount": "ordered",
                                          "invoiced_amount": "invoiced", "paid_amount": "paid"}),
    ]  # fmt: skip
    for leg, column in LEG_COLUMNS.items():
        rows = cycle_by_dimension[cycle_by_dimension["leg"] == leg]
        sums = _sum_by(rows, by, names, {"days_sum": "days", "orders": "n"})
        parts.append((sums["days"] / sums["n"].where(sums["n"] > 0)).rename(column).to_frame())
    invoiced = receivables[receivables["bucket"] != NOT_INVOICED]
    late = invoiced[invoiced["bucket"] != CURRENT]
    parts.append(_sum_by(invoiced, by, names, {"amount": "receivable"}))
    parts.append(_sum_by(late, by, names, {"amount": "overdue"}))
    table = pd.concat(parts, axis=1).rename_axis(by).reset_index()
    money = ["booked", "ordered", "invoiced", "paid", "receivable", "overdue"]
    table[money] = table[money].astype("float64").fillna(0.0)
    table["paid_share"] = table["paid"] / table["ordered"].where(table["ordered"] > 0)
    table["overdue_share"] = table["overdue"] / table["receivable"].where(table["receivable"] > 0)
    order = ["days_to_pay", "overdue"]
    table = table.sort_values(order, ascending=False, na_position="last", kind="stable")
    columns = [by, "booked", "ordered", "invoiced", "paid", "paid_share", *LEG_COLUMNS.values(),
               "receivable", "overdue", "overdue_share"]  # fmt: skip
    result = table[columns].reset_index(drop=True)
    for column in LEG_COLUMNS.values():
        result[column] = result[column].astype("float64")
    return result
