"""KPI facts: the frames one period and scope needs, and the additive totals they sum into.

The repository returns these frames (see repository/kpis.py), already restricted to one
period and scope; every KPI in kpis/metrics.py is a formula over their totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import Period
from salesops.config import Settings


@dataclass(frozen=True)
class KpiFacts:
    """The fact frames one period and scope needs; every KPI is computed from these.

    closed: closed-deal facts; leads: lead facts; new_customers: first-won facts;
    cycle_histogram: won deals by cycle days; spend: acquisition spend rows (already
    allocated to the scope); orders: order months; lifespans: customers by first/last
    order month; period: the period the frames cover; spend_recorded / orders_recorded:
    whether the database has any acquisition spend / any order at all (CAC and LTV then say
    what to import); customer_months: active and churned customers per month (derived from
    lifespans by `with_customer_months`).
    """

    period: Period
    closed: pd.DataFrame
    leads: pd.DataFrame
    new_customers: pd.DataFrame
    cycle_histogram: pd.DataFrame
    spend: pd.DataFrame
    orders: pd.DataFrame
    lifespans: pd.DataFrame
    spend_recorded: bool = True
    customer_months: pd.DataFrame | None = None
    orders_recorded: bool = True

    def recorded(self) -> dict[str, float]:
        """Returns spend_recorded and orders_recorded as 1.0 / 0.0 (columns beside the totals)."""
        return {
            "spend_recorded": 1.0 if self.spend_recorded else 0.0,
            "orders_recorded": 1.0 if self.orders_recorded else 0.0,
        }

    def with_customer_months(self, settings: Settings) -> KpiFacts:
        """Returns these facts with customer_months derived for the period's months."""
        if self.customer_months is not None:
            return self
        derived = customer_months(
            self.lifespans, self.period.months(), settings.churn_inactive_months
        )
        return replace(self, customer_months=derived)

    def for_period(self, period: Period) -> KpiFacts:
        """Returns the facts restricted to the months of `period` (lifespans are kept whole)."""
        lo, hi = pd.Timestamp(period.start.replace(day=1)), pd.Timestamp(period.end)

        def cut(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            if frame is None:
                return None
            if "month" not in frame.columns:  # cannot tell which months it covers
                return frame.iloc[0:0]
            return frame[(frame["month"] >= lo) & (frame["month"] <= hi)]

        return replace(
            self,
            period=period,
            closed=cut(self.closed),
            leads=cut(self.leads),
            new_customers=cut(self.new_customers),
            cycle_histogram=cut(self.cycle_histogram),
            spend=cut(self.spend),
            orders=cut(self.orders),
            customer_months=cut(self.customer_months),
        )


CUSTOMER_MONTHS_COLUMNS = ["month", "territory_id", "segment", "active", "churned"]


def customer_months(lifespans: pd.DataFrame, months: list[date], inactive: int) -> pd.DataFrame:
    """Returns active and churned customers per month, territory and segment.

    Requires columns territory_id, segment, first_month, last_month, customers. A customer is
    active from its first order month until `inactive` months after its last order month, and
    churns in that month. Returns a frame with columns month, territory_id, segment, active,
    churned (one row per group and month in `months`).
    """
    if lifespans.empty or not months:
        return pd.DataFrame(columns=CUSTOMER_MONTHS_COLUMNS)
    ordinals = np.array([pd.Period(m, "M").ordinal for m in months])
    lo, hi = ordinals.min(), ordinals.max()
    first = lifespans["first_month"].dt.to_period("M").astype("int64").to_numpy()
    churn_at = lifespans["last_month"].dt.to_period("M").astype("int64").to_numpy() + inactive
    count = lifespans["customers"].to_numpy(dtype=float)
    groups = lifespans[["territory_id", "segment"]].reset_index(drop=True)
    live = (churn_at > lo) & (first <= hi)
    # Difference array: +customers when they become active, -customers when they churn.
    plus = groups[live].assign(month=np.maximum(first, lo)[live], delta=count[live])
    ends = live & (churn_at <= hi)
    minus = groups[ends].assign(month=churn_at[ends], delta=-count[ends])
    keys = ["territory_id", "segment"]
    deltas = (
        pd.concat([plus, minus])
        .groupby([*keys, "month"], dropna=False)["delta"]
        .sum()
        .unstack("month")
        .reindex(columns=range(lo, hi + 1), fill_value=0.0)
        .fillna(0.0)
    )
    active = deltas.cumsum(axis=1)[list(ordinals)].stack().rename("active")
    # Churn is counted on its own: a customer churning in the first month was never active in it.
    churns = (churn_at >= lo) & (churn_at <= hi)
    churned = (
        groups[churns]
        .assign(month=churn_at[churns], churned=count[churns])
        .groupby([*keys, "month"], dropna=False)["churned"]
        .sum()
    )
    out = active.to_frame().join(churned, how="outer").fillna(0.0).reset_index()
    out["month"] = pd.PeriodIndex.from_ordinals(out["month"].to_numpy(), freq="M").to_timestamp()
    return out[CUSTOMER_MONTHS_COLUMNS]


# Each fact frame's additive columns and the total each one sums into.
ADDITIVE: dict[str, dict[str, str]] = {
    "closed": {
        "won": "won",
        "lost": "lost",
        "won_amount": "won_amount",
        "won_cycle_days": "won_cycle_days",
        "lost_cycle_days": "lost_cycle_days",
        "won_lead_cycle_days": "won_lead_cycle_days",
        "won_with_lead": "won_with_lead",
    },
    "leads": {"leads": "leads", "converted": "converted"},
    "new_customers": {"new_customers": "new_customers"},
    "spend": {"amount": "spend"},
    "orders": {"gross_margin": "gross_margin", "revenue_without_margin": "revenue_without_margin"},
    "customer_months": {"active": "active_customer_months", "churned": "churned_customers"},
}
TOTALS = [total for columns in ADDITIVE.values() for total in columns.values()]

Totals = Mapping[str, float]


def totals(facts: KpiFacts, settings: Settings) -> dict[str, float]:
    """Returns every additive total over the facts (plus `KpiFacts.recorded`)."""
    facts = facts.with_customer_months(settings)
    out = {name: 0.0 for name in TOTALS}
    for attribute, columns in ADDITIVE.items():
        frame = getattr(facts, attribute)
        if frame is not None and len(frame):
            sums = frame[list(columns)].sum()
            for column, total in columns.items():
                out[total] = float(sums[column])
    out.update(facts.recorded())
    return out


def group_totals(facts: KpiFacts, key: str, settings: Settings) -> pd.DataFrame:
    """Returns the additive totals per value of `key` (frames without the key are left out).

    Returns a frame indexed by the key's values with one column per total, 0 where missing.
    """
    facts = facts.with_customer_months(settings)
    parts = []
    for attribute, columns in ADDITIVE.items():
        frame = getattr(facts, attribute)
        if frame is None or key not in frame.columns:
            continue
        parts.append(frame.groupby(key, dropna=True)[list(columns)].sum().rename(columns=columns))
    table = pd.concat(parts, axis=1, sort=True).fillna(0.0) if parts else pd.DataFrame()
    for name in TOTALS:
        if name not in table.columns:
            table[name] = 0.0
    for name, flag in facts.recorded().items():
        table[name] = flag
    return table


def weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """Returns the median of `values` each repeated `counts` times (even total: mean of middles)."""
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(counts[order])
    n = cumulative[-1]
    if n % 2:
        return float(values[np.searchsorted(cumulative, (n + 1) / 2)])
    lower = values[np.searchsorted(cumulative, n / 2)]
    upper = values[np.searchsorted(cumulative, n / 2 + 1)]
    return float((lower + upper) / 2.0)


def allocate_spend(
    spend: pd.DataFrame, scope_leads: pd.DataFrame, all_leads: pd.DataFrame
) -> pd.DataFrame:
    """Returns spend scaled per (month, channel) by the scope's share of that channel's leads.

    Requires columns month, channel, kind, amount (spend) and month, channel, leads (leads).
    Returns a frame with the spend columns. Spend in a channel-month with no leads stays
    unallocated to any scope (share 0).
    """
    if spend.empty:
        return spend
    keys = ["month", "channel"]
    mine = scope_leads.groupby(keys, as_index=False)["leads"].sum()
    everyone = all_leads.groupby(keys, as_index=False)["leads"].sum()
    share = everyone.merge(mine, on=keys, how="left", suffixes=("_all", "_scope")).fillna(0)
    share["share"] = np.where(share["leads_all"] > 0, share["leads_scope"] / share["leads_all"], 0)
    out = spend.merge(share[keys + ["share"]], on=keys, how="left")
    out["amount"] = out["amount"] * out["share"].fillna(0.0)
    return out[spend.columns]
