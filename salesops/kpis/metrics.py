"""KPI definitions: each defined once, as a formula on totals plus a registry entry.

Functions take the fact frames the repository returns (kpis/facts.py), already restricted
to one period and scope, and return a Figure. An undefined figure is `value=None` with a
`reason`, never 0, inf or NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from salesops.config import Settings
from salesops.figures import Figure
from salesops.kpis.facts import KpiFacts, Totals, totals, weighted_median

# -- definitions on totals: the single place each KPI's formula lives ------------------


def win_rate_of(t: Totals, settings: Settings) -> Figure:
    """Returns won / (won + lost); undefined with no closed deals, a caveat with no lost."""
    won, lost = t["won"], t["lost"]
    if won + lost == 0:
        return Figure.undefined("no closed deals in period", won=0, lost=0)
    # 100% with no loss at all is more often a CRM that records no lost deals than a fact
    caveat = "no lost deals in period: are lost deals recorded?" if lost == 0 else None
    return Figure(won / (won + lost), caveat, {"won": int(won), "lost": int(lost)})


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


# LTV and payback are made of orders (active customers, gross margin): without any, say so
NO_ORDERS = "no orders recorded (import orders to compute LTV)"


def ltv_of(t: Totals, settings: Settings) -> Figure:
    """Returns monthly gross margin per active customer x lifetime (1 / churn, capped)."""
    active_months, churned = t["active_customer_months"], t["churned_customers"]
    if active_months == 0:
        if not t.get("orders_recorded", 1.0):
            return Figure.undefined(NO_ORDERS)
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
        if not t.get("orders_recorded", 1.0):
            return Figure.undefined(NO_ORDERS)
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
