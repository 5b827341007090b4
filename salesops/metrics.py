"""KPI definitions: each defined once, as a pure function plus a registry entry.

Functions take the fact frames the repository returns (see repository/kpis.py),
already restricted to one period and scope, and return a Figure. An
undefined figure is `value=None` with a `reason`, never 0, inf or NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import Period
from salesops.config import Settings
from salesops.figures import Figure


@dataclass(frozen=True)
class KpiFacts:
    """The fact frames one period and scope needs; every KPI is computed from these.

    closed: closed-deal facts; leads: lead facts; new_customers: first-won facts;
    cycle_histogram: won deals by cycle days; spend: acquisition spend rows (already
    allocated to the scope); orders: order months; lifespans: customers by first/last
    order month; period: the period the frames cover; spend_recorded: whether the
    database has any acquisition spend at all; customer_months: active and churned
    customers per month (derived from lifespans by `with_customer_months`).
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
    """Returns every additive total over the facts (plus spend_recorded as 1.0/0.0)."""
    facts = facts.with_customer_months(settings)
    out = {name: 0.0 for name in TOTALS}
    for attribute, columns in ADDITIVE.items():
        frame = getattr(facts, attribute)
        if frame is not None and len(frame):
            sums = frame[list(columns)].sum()
            for column, total in columns.items():
                out[total] = float(sums[column])
    out["spend_recorded"] = 1.0 if facts.spend_recorded else 0.0
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
    table["spend_recorded"] = 1.0 if facts.spend_recorded else 0.0
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


# -- definitions on totals: the single place each KPI's formula lives ------------------


def win_rate_of(t: Totals, settings: Settings) -> Figure:
    """Returns won / (won + lost); undefined with no closed deals."""
    won, lost = t["won"], t["lost"]
    if won + lost == 0:
        return Figure.undefined("no closed deals in period", won=0, lost=0)
    return Figure(won / (won + lost), None, {"won": int(won), "lost": int(lost)})


def avg_sales_cycle_days_of(t: Totals, settings: Settings) -> Figure:
    """Returns mean created-to-closed days over won deals; undefined with no won deals."""
    won, lost, with_lead = t["won"], t["lost"], t["won_with_lead"]
    if won == 0:
        return Figure.undefined("no won deals in period", won=0)
    inputs: dict[str, float | int | str | None] = {
        "won": int(won),
        "lost_mean_days": t["lost_cycle_days"] / lost if lost else None,
        "lead_to_close_mean_days": t["won_lead_cycle_days"] / with_lead if with_lead else None,
    }
    return Figure(t["won_cycle_days"] / won, None, inputs)


def lead_to_opportunity_ratio_of(t: Totals, settings: Settings) -> Figure:
    """Returns converted / created leads (cohort by created date); undefined with no leads."""
    if t["leads"] == 0:
        return Figure.undefined("no leads created in period", leads=0)
    inputs = {"leads": int(t["leads"]), "converted": int(t["converted"])}
    return Figure(t["converted"] / t["leads"], None, inputs)


def cac_of(t: Totals, settings: Settings) -> Figure:
    """Returns spend / new customers; undefined with no new customers or no spend data."""
    customers, spend = t["new_customers"], t["spend"]
    inputs: dict[str, float | int | str | None] = {"spend": spend, "new_customers": int(customers)}
    if not t["spend_recorded"]:
        return Figure.undefined(
            "no acquisition spend recorded (import spend to compute CAC)", **inputs
        )
    if customers == 0:
        return Figure.undefined("no new customers in period", **inputs)
    if spend == 0:
        return Figure(0.0, "no spend recorded", inputs)
    return Figure(spend / customers, None, inputs)


def ltv_of(t: Totals, settings: Settings) -> Figure:
    """Returns monthly gross margin per active customer x lifetime (1 / churn, capped)."""
    active_months, churned = t["active_customer_months"], t["churned_customers"]
    if active_months == 0:
        return Figure.undefined("no active customers in period")
    margin = t["gross_margin"] + settings.default_gross_margin * t["revenue_without_margin"]
    monthly_margin = margin / active_months
    # Monthly churn = churned in the month / customers at its start (still active + churned).
    churn = churned / (active_months + churned)
    horizon = float(settings.ltv_horizon_months)
    reason = None
    if churn == 0:
        lifetime, reason = horizon, f"no churn observed: lifetime capped at {horizon:.0f} months"
    elif 1.0 / churn > horizon:
        lifetime, reason = horizon, f"lifetime capped at {horizon:.0f} months"
    else:
        lifetime = 1.0 / churn
    inputs: dict[str, float | int | str | None] = {
        "monthly_gross_margin_per_customer": monthly_margin,
        "monthly_churn": churn,
        "lifetime_months": lifetime,
        "active_customer_months": active_months,
        "churned_customers": churned,
    }
    return Figure(monthly_margin * lifetime, reason, inputs)


def ltv_to_cac_of(t: Totals, settings: Settings) -> Figure:
    """Returns LTV / CAC; undefined when either is undefined or CAC is 0."""
    ltv_value, cac_value = ltv_of(t, settings), cac_of(t, settings)
    if ltv_value.value is None:
        return Figure.undefined(f"LTV undefined: {ltv_value.reason}")
    if cac_value.value is None:
        return Figure.undefined(f"CAC undefined: {cac_value.reason}")
    if cac_value.value == 0:
        return Figure.undefined("CAC is 0 (no spend recorded)")
    return Figure(
        ltv_value.value / cac_value.value,
        None,
        {
            "ltv": ltv_value.value,
            "cac": cac_value.value,
            "benchmark": settings.ltv_to_cac_benchmark,
        },
    )


def cac_payback_months_of(t: Totals, settings: Settings) -> Figure:
    """Returns CAC / monthly gross margin per customer: months to earn back acquisition cost."""
    cac_value = cac_of(t, settings)
    if cac_value.value is None:
        return Figure.undefined(f"CAC undefined: {cac_value.reason}")
    monthly = ltv_of(t, settings).inputs.get("monthly_gross_margin_per_customer")
    if not monthly:
        return Figure.undefined("no gross margin from active customers in period")
    return Figure(cac_value.value / float(monthly), None, {"cac": cac_value.value})


# -- the same definitions over fact frames (what pages, CLI and tests call) -----------


def win_rate(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns won / (won + lost) over deals closed in the period; undefined with none closed."""
    return win_rate_of(totals(facts, settings), settings)


def avg_sales_cycle_days(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns the mean days from created to closed over deals won in the period.

    Inputs carry the median (from the cycle histogram), the lost-deal mean and the
    lead-to-close mean beside it.
    """
    result = avg_sales_cycle_days_of(totals(facts, settings), settings)
    hist = facts.cycle_histogram
    if result.value is not None and len(hist) and hist["deals"].sum() > 0:
        median = weighted_median(
            hist["cycle_days"].to_numpy(dtype=float), hist["deals"].to_numpy(dtype=float)
        )
        return replace(result, inputs={**result.inputs, "median_days": median})
    return result


def lead_to_opportunity_ratio(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns converted / created over leads created in the period (cohort by created date)."""
    return lead_to_opportunity_ratio_of(totals(facts, settings), settings)


def cac(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns acquisition spend / new customers in the period; undefined with no new customers."""
    return cac_of(totals(facts, settings), settings)


def ltv(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns monthly gross margin per active customer x expected lifetime in months.

    Lifetime = 1 / monthly churn, capped at settings.ltv_horizon_months (and labelled so when
    no churn is observed). Gross margin comes from orders, else the configured default.
    """
    return ltv_of(totals(facts, settings), settings)


def ltv_to_cac(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns LTV / CAC; undefined when either is undefined or CAC is 0."""
    return ltv_to_cac_of(totals(facts, settings), settings)


def cac_payback_months(facts: KpiFacts, settings: Settings) -> Figure:
    """Returns CAC / monthly gross margin per customer: months to earn back acquisition cost."""
    return cac_payback_months_of(totals(facts, settings), settings)


@dataclass(frozen=True)
class Kpi:
    """A registered KPI: what it is called, what it means, and how it is computed."""

    name: str
    label: str
    definition: str
    unit: str  # "ratio", "days", "money", "months", "x"
    higher_is_better: bool
    fn: Callable[[KpiFacts, Settings], Figure]
    breakdowns: tuple[str, ...]
    of_totals: Callable[[Totals, Settings], Figure]


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in [
        Kpi(
            "win_rate",
            "Win rate",
            "Won ÷ (won + lost) over opportunities closed in the period; open deals excluded.",
            "ratio",
            True,
            win_rate,
            ("rep", "territory", "segment", "channel"),
            win_rate_of,
        ),
        Kpi(
            "avg_sales_cycle_days",
            "Avg sales cycle",
            "Mean days from opportunity created to closed, over deals won in the period "
            "(median and lost-deal cycle beside it).",
            "days",
            False,
            avg_sales_cycle_days,
            ("rep", "territory", "segment", "channel"),
            avg_sales_cycle_days_of,
        ),
        Kpi(
            "lead_to_opportunity_ratio",
            "Lead → opportunity",
            "Leads created in the period that converted to an opportunity ÷ leads created in "
            "the period (cohort by lead created date).",
            "ratio",
            True,
            lead_to_opportunity_ratio,
            ("rep", "territory", "segment", "channel"),
            lead_to_opportunity_ratio_of,
        ),
        Kpi(
            "cac",
            "CAC",
            "Acquisition spend (marketing + sales) ÷ new customers (accounts whose first won "
            "deal closed in the period). Under a territory/segment/rep filter each channel-"
            "month's spend is allocated by that scope's share of the channel's leads.",
            "money",
            False,
            cac,
            ("channel",),
            cac_of,
        ),
        Kpi(
            "ltv",
            "LTV",
            "Monthly gross margin per active customer × expected lifetime in months "
            "(1 ÷ monthly churn, capped at the configured horizon). Monthly churn = customers "
            "churned in the month ÷ customers at its start.",
            "money",
            True,
            ltv,
            ("territory", "segment"),
            ltv_of,
        ),
        Kpi(
            "ltv_to_cac",
            "LTV : CAC",
            "LTV ÷ CAC; 3 : 1 is the common benchmark.",
            "x",
            True,
            ltv_to_cac,
            (),
            ltv_to_cac_of,
        ),
        Kpi(
            "cac_payback_months",
            "CAC payback",
            "Months of a customer's gross margin needed to earn back its CAC.",
            "months",
            False,
            cac_payback_months,
            (),
            cac_payback_months_of,
        ),
    ]
}


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
    table["spend_recorded"] = 1.0 if facts.spend_recorded else 0.0
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
