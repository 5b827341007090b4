"""KPIs evaluated over facts: tiles for a period, monthly trends, bookings and breakdowns."""

from __future__ import annotations

import pandas as pd

from salesops.config import Settings
from salesops.figures import Figure
from salesops.kpis.facts import KpiFacts, group_totals, totals
from salesops.kpis.metrics import KPIS, Kpi, avg_sales_cycle_days


def _apply(kpi: Kpi, table: pd.DataFrame, settings: Settings) -> tuple[list, list]:
    values, reasons = [], []
    for row in table.to_dict("records"):
        result = kpi.of_totals(row, settings)
        values.append(result.value)
        reasons.append(result.reason)
    return values, reasons


def evaluate(facts: KpiFacts, settings: Settings) -> dict[str, Figure]:
    """Returns every registered KPI for the facts, summing the totals once."""
    t = totals(facts, settings)
    results = {name: kpi.of_totals(t, settings) for name, kpi in KPIS.items()}
    results["avg_sales_cycle_days"] = avg_sales_cycle_days(facts, settings)
    return results


def monthly_trends(facts: KpiFacts, settings: Settings) -> dict[str, pd.DataFrame]:
    """Returns, per KPI, one row per month of facts.period: month, value (NaN if undefined), reason.

    Months with no data at all are kept (as undefined), so charts show a gap, not a zero.
    """
    months = [pd.Timestamp(m) for m in facts.period.months()]
    table = group_totals(facts, "month", settings).reindex(months, fill_value=0.0)
    for name, flag in facts.recorded().items():
        table[name] = flag
    trends = {}
    for name, kpi in KPIS.items():
        values, reasons = _apply(kpi, table, settings)
        frame = pd.DataFrame({"month": months, "value": values, "reason": reasons})
        frame["value"] = frame["value"].astype("float64")
        trends[name] = frame
    return trends


def monthly_bookings(facts: KpiFacts, settings: Settings) -> pd.DataFrame:
    """Returns won amount and won/lost counts per month of facts.period.

    Columns: month, bookings, won, lost (zeros for months without closed deals).
    """
    months = [pd.Timestamp(m) for m in facts.period.months()]
    table = group_totals(facts, "month", settings).reindex(months, fill_value=0.0)
    return pd.DataFrame(
        {
            "month": months,
            "bookings": table["won_amount"].to_numpy(),
            "won": table["won"].to_numpy().astype(int),
            "lost": table["lost"].to_numpy().astype(int),
        }
    )


BREAKDOWN_KEYS = {
    "rep": "rep_id",
    "territory": "territory_id",
    "segment": "segment",
    "channel": "channel",
}


def breakdown(facts: KpiFacts, by: str, settings: Settings) -> pd.DataFrame:
    """Returns one row per value of `by` with every KPI that allows that breakdown.

    Columns: key (the id or name grouped on), then one column per KPI (NaN where it does
    not apply or is undefined), plus won, lost, bookings, leads, new_customers counts.
    """
    if by not in BREAKDOWN_KEYS:
        raise ValueError(f"Unknown breakdown {by!r}: use one of {', '.join(BREAKDOWN_KEYS)}.")
    table = group_totals(facts, BREAKDOWN_KEYS[by], settings)
    table = table.sort_index(key=lambda index: index.astype(str))
    frame = pd.DataFrame({"key": table.index.to_list()})
    for name, kpi in KPIS.items():
        values = _apply(kpi, table, settings)[0] if by in kpi.breakdowns else [None] * len(table)
        frame[name] = pd.Series(values, dtype="float64")
    frame["won"] = table["won"].to_numpy().astype(int)
    frame["lost"] = table["lost"].to_numpy().astype(int)
    frame["bookings"] = table["won_amount"].to_numpy()
    frame["leads"] = table["leads"].to_numpy().astype(int)
    frame["new_customers"] = table["new_customers"].to_numpy().astype(int)
    return frame
