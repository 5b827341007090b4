"""KPI definitions: each defined once, as a pure function plus a registry entry.

Functions take the fact frames the repository returns (see repository/kpis.py),
already restricted to one period and scope, and return a MetricValue. An
undefined figure is `value=None` with a `reason`, never 0, inf or NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.periods import Period, month_end


@dataclass(frozen=True)
class MetricValue:
    """One KPI figure: the value, or None with the reason it is undefined, plus its inputs."""

    value: float | None
    reason: str | None = None
    inputs: dict[str, float | int | str | None] = field(default_factory=dict)

    @property
    def is_defined(self) -> bool:
        """Returns True when the figure has a value."""
        return self.value is not None


def undefined(reason: str, **inputs: float | int | str | None) -> MetricValue:
    """Returns an undefined MetricValue carrying `reason`."""
    return MetricValue(None, reason, dict(inputs))


@dataclass(frozen=True)
class KpiFacts:
    """The fact frames one period and scope needs; every KPI is computed from these.

    closed: closed-deal facts; leads: lead facts; new_customers: first-won facts;
    cycle_histogram: won deals by cycle days; spend: acquisition spend rows (already
    allocated to the scope); orders: order months; lifespans: customers by first/last
    order month; period: the period the frames cover; spend_recorded: whether the
    database has any acquisition spend at all.
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

    def for_period(self, period: Period) -> KpiFacts:
        """Returns the facts restricted to the months of `period` (lifespans are kept whole)."""
        lo, hi = pd.Timestamp(period.start.replace(day=1)), pd.Timestamp(period.end)

        def cut(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[(frame["month"] >= lo) & (frame["month"] <= hi)]

        return KpiFacts(
            period=period,
            closed=cut(self.closed),
            leads=cut(self.leads),
            new_customers=cut(self.new_customers),
            cycle_histogram=cut(self.cycle_histogram),
            spend=cut(self.spend),
            orders=cut(self.orders),
            lifespans=self.lifespans,
            spend_recorded=self.spend_recorded,
        )


def _total(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum()) if len(frame) else 0.0


def win_rate(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns won / (won + lost) over deals closed in the period; undefined with none closed."""
    won, lost = _total(facts.closed, "won"), _total(facts.closed, "lost")
    if won + lost == 0:
        return undefined("no closed deals in period", won=0, lost=0)
    return MetricValue(won / (won + lost), None, {"won": int(won), "lost": int(lost)})


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


def avg_sales_cycle_days(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns the mean days from created to closed over deals won in the period.

    Inputs carry the median, the lost-deal mean and the lead-to-close mean beside it.
    """
    won = _total(facts.closed, "won")
    lost = _total(facts.closed, "lost")
    if won == 0:
        return undefined("no won deals in period", won=0)
    inputs: dict[str, float | int | str | None] = {"won": int(won)}
    hist = facts.cycle_histogram
    if len(hist) and hist["deals"].sum() > 0:
        inputs["median_days"] = weighted_median(
            hist["cycle_days"].to_numpy(dtype=float), hist["deals"].to_numpy(dtype=float)
        )
    inputs["lost_mean_days"] = _total(facts.closed, "lost_cycle_days") / lost if lost else None
    with_lead = _total(facts.closed, "won_with_lead")
    inputs["lead_to_close_mean_days"] = (
        _total(facts.closed, "won_lead_cycle_days") / with_lead if with_lead else None
    )
    return MetricValue(_total(facts.closed, "won_cycle_days") / won, None, inputs)


def lead_to_opportunity_ratio(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns converted / created over leads created in the period (cohort by created date)."""
    leads = _total(facts.leads, "leads")
    if leads == 0:
        return undefined("no leads created in period", leads=0)
    converted = _total(facts.leads, "converted")
    return MetricValue(converted / leads, None, {"leads": int(leads), "converted": int(converted)})


def cac(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns acquisition spend / new customers in the period; undefined with no new customers."""
    customers = _total(facts.new_customers, "new_customers")
    spend = _total(facts.spend, "amount")
    inputs: dict[str, float | int | str | None] = {
        "spend": spend,
        "new_customers": int(customers),
    }
    if not facts.spend_recorded:
        return undefined("no acquisition spend recorded (import spend to compute CAC)", **inputs)
    if customers == 0:
        return undefined("no new customers in period", **inputs)
    if spend == 0:
        return MetricValue(0.0, "no spend recorded", inputs)
    return MetricValue(spend / customers, None, inputs)


def _customer_months(facts: KpiFacts, settings: Settings) -> tuple[float, float]:
    """Returns (active customer-months, churned customers) over the period's months.

    A customer is active from its first order month until `churn_inactive_months` after its
    last order month; it churns in the month that window closes.
    """
    spans = facts.lifespans
    if spans.empty:
        return 0.0, 0.0
    first = spans["first_month"].dt.to_period("M").astype("int64").to_numpy()
    last = spans["last_month"].dt.to_period("M").astype("int64").to_numpy()
    customers = spans["customers"].to_numpy(dtype=float)
    churn_month = last + settings.churn_inactive_months
    active_months = 0.0
    churned = 0.0
    for month in facts.period.months():
        m = pd.Period(month, "M").ordinal
        active_months += customers[(first <= m) & (m < churn_month)].sum()
        churned += customers[churn_month == m].sum()
    return active_months, churned


def ltv(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns monthly gross margin per active customer x expected lifetime in months.

    Lifetime = 1 / monthly churn, capped at settings.ltv_horizon_months (and labelled so when
    no churn is observed). Gross margin comes from orders, else the configured default.
    """
    active_months, churned = _customer_months(facts, settings)
    if active_months == 0:
        return undefined("no active customers in period")
    margin = _total(facts.orders, "gross_margin") + settings.default_gross_margin * _total(
        facts.orders, "revenue_without_margin"
    )
    monthly_margin = margin / active_months
    churn = churned / active_months
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
    return MetricValue(monthly_margin * lifetime, reason, inputs)


def ltv_to_cac(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns LTV / CAC; undefined when either is undefined or CAC is 0."""
    ltv_value, cac_value = ltv(facts, settings), cac(facts, settings)
    if ltv_value.value is None:
        return undefined(f"LTV undefined: {ltv_value.reason}")
    if cac_value.value is None:
        return undefined(f"CAC undefined: {cac_value.reason}")
    if cac_value.value == 0:
        return undefined("CAC is 0 (no spend recorded)")
    return MetricValue(
        ltv_value.value / cac_value.value,
        None,
        {
            "ltv": ltv_value.value,
            "cac": cac_value.value,
            "benchmark": settings.ltv_to_cac_benchmark,
        },
    )


def cac_payback_months(facts: KpiFacts, settings: Settings) -> MetricValue:
    """Returns CAC / monthly gross margin per customer: months to earn back acquisition cost."""
    ltv_value, cac_value = ltv(facts, settings), cac(facts, settings)
    if cac_value.value is None:
        return undefined(f"CAC undefined: {cac_value.reason}")
    monthly = ltv_value.inputs.get("monthly_gross_margin_per_customer")
    if not monthly:
        return undefined("no gross margin from active customers in period")
    return MetricValue(cac_value.value / float(monthly), None, {"cac": cac_value.value})


@dataclass(frozen=True)
class Kpi:
    """A registered KPI: what it is called, what it means, and how it is computed."""

    name: str
    label: str
    definition: str
    unit: str  # "ratio", "days", "money", "months", "x"
    higher_is_better: bool
    fn: Callable[[KpiFacts, Settings], MetricValue]
    breakdowns: tuple[str, ...]


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
        ),
        Kpi(
            "ltv",
            "LTV",
            "Monthly gross margin per active customer × expected lifetime in months "
            "(1 ÷ monthly churn, capped at the configured horizon).",
            "money",
            True,
            ltv,
            ("territory", "segment"),
        ),
        Kpi(
            "ltv_to_cac",
            "LTV : CAC",
            "LTV ÷ CAC; 3 : 1 is the common benchmark.",
            "x",
            True,
            ltv_to_cac,
            (),
        ),
        Kpi(
            "cac_payback_months",
            "CAC payback",
            "Months of a customer's gross margin needed to earn back its CAC.",
            "months",
            False,
            cac_payback_months,
            (),
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


def monthly_trend(facts: KpiFacts, kpi: Kpi, settings: Settings) -> pd.DataFrame:
    """Returns one row per month of facts.period: month, value (NaN where undefined), reason."""
    rows = []
    for month in facts.period.months():
        span = Period(max(month, facts.period.start), min(month_end(month), facts.period.end))
        result = kpi.fn(facts.for_period(span), settings)
        rows.append({"month": pd.Timestamp(month), "value": result.value, "reason": result.reason})
    frame = pd.DataFrame(rows, columns=["month", "value", "reason"])
    frame["value"] = frame["value"].astype("float64")
    return frame


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
    key = BREAKDOWN_KEYS[by]
    frames = {
        "closed": facts.closed,
        "leads": facts.leads,
        "new_customers": facts.new_customers,
        "orders": facts.orders,
        "cycle_histogram": facts.cycle_histogram,
        "spend": facts.spend,
        "lifespans": facts.lifespans,
    }
    groups = {
        name: dict(tuple(frame.groupby(key, sort=False))) if key in frame.columns else {}
        for name, frame in frames.items()
    }
    keys = set().union(*(g.keys() for g in groups.values()))
    rows = []
    for value in sorted(keys, key=str):

        def pick(name: str, value: object = value) -> pd.DataFrame:
            return groups[name].get(value, frames[name].iloc[0:0])

        part = KpiFacts(
            period=facts.period,
            closed=pick("closed"),
            leads=pick("leads"),
            new_customers=pick("new_customers"),
            cycle_histogram=pick("cycle_histogram"),
            spend=pick("spend"),
            orders=pick("orders"),
            lifespans=pick("lifespans"),
            spend_recorded=facts.spend_recorded,
        )
        row: dict[str, object] = {"key": value}
        for kpi in KPIS.values():
            applies = by in kpi.breakdowns
            row[kpi.name] = kpi.fn(part, settings).value if applies else None
        row["won"] = int(_total(part.closed, "won"))
        row["lost"] = int(_total(part.closed, "lost"))
        row["bookings"] = _total(part.closed, "won_amount")
        row["leads"] = int(_total(part.leads, "leads"))
        row["new_customers"] = int(_total(part.new_customers, "new_customers"))
        rows.append(row)
    columns = ["key", *KPIS, "won", "lost", "bookings", "leads", "new_customers"]
    frame = pd.DataFrame(rows, columns=columns)
    for name in KPIS:
        frame[name] = frame[name].astype("float64")
    return frame
