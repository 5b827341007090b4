"""Days each step of order to cash takes: mean, median and P90 from whole-day histograms.

Percentiles are read off the histogram as the smallest day count by which the share of
orders is reached (numpy's "inverted_cdf"), so SQL counts orders per day and no order
row leaves the database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.figures import Figure
from salesops.repository.cash import LEGS

LEG_LABELS = {
    "close_to_order": "Deal closed → ordered",
    "order_to_invoice": "Ordered → invoiced",
    "invoice_to_paid": "Invoiced → paid",
}
STATS = ("mean", "median", "p90")


def histogram_quantile(days: np.ndarray, counts: np.ndarray, share: float) -> float:
    """Returns the smallest `days` value whose cumulative count reaches `share` of the total.

    Requires `days` sorted ascending and `counts` > 0 summing to more than zero.
    """
    cumulative = np.cumsum(counts)
    return float(days[np.searchsorted(cumulative, share * cumulative[-1])])


def _stats(group: pd.DataFrame) -> dict[str, float]:
    ordered = group.sort_values("days")
    days = ordered["days"].to_numpy(dtype=float)
    counts = ordered["orders"].to_numpy(dtype=float)
    return {
        "orders": float(counts.sum()),
        "mean": float((days * counts).sum() / counts.sum()),
        "median": histogram_quantile(days, counts, 0.5),
        "p90": histogram_quantile(days, counts, 0.9),
    }


def cycle_summary(histogram: pd.DataFrame) -> dict[str, dict[str, Figure]]:
    """Returns {leg: {"mean"|"median"|"p90": Figure}} over the whole period.

    Requires columns leg, days, orders (repository `cash_cycle_days(by="month")`). A leg no
    order finished in the period is undefined, with the reason.
    """
    result: dict[str, dict[str, Figure]] = {}
    for leg in LEGS:
        rows = histogram[(histogram["leg"] == leg) & (histogram["orders"] > 0)]
        if rows.empty:
            reason = f"no order finished {LEG_LABELS[leg].lower()} in the period"
            result[leg] = {stat: Figure.undefined(reason) for stat in STATS}
            continue
        by_day = rows.groupby("days", as_index=False)["orders"].sum()
        stats = _stats(by_day)
        result[leg] = {
            stat: Figure(stats[stat], inputs={"orders": stats["orders"]}) for stat in STATS
        }
    return result


def cycle_trend(histogram: pd.DataFrame) -> pd.DataFrame:
    """Returns each leg's monthly mean, median and P90 days.

    Requires columns leg, month, days, orders. Returns columns leg, step (label), month,
    orders, mean, median, p90; one row per leg and month with orders.
    """
    columns = ["leg", "step", "month", "orders", *STATS]
    rows = histogram[histogram["orders"] > 0]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    records = [
        {"leg": leg, "step": LEG_LABELS[leg], "month": month, **_stats(group)}
        for (leg, month), group in rows.groupby(["leg", "month"], sort=True)
    ]
    trend = pd.DataFrame.from_records(records, columns=columns)
    trend["orders"] = trend["orders"].astype("int64")
    return trend
