"""Every KPI on small hand-built facts, with the expected value worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.config import Settings
from salesops.kpis.evaluation import breakdown, monthly_trends
from salesops.kpis.facts import KpiFacts, allocate_spend, weighted_median
from salesops.kpis.metrics import KPIS

SETTINGS = Settings()  # default gross margin 0.65, horizon 60 months, churn after 6 idle months
JAN, FEB = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")
JAN_FEB = Period(date(2025, 1, 1), date(2025, 2, 28))


def closed(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "month", "rep_id", "territory_id", "segment", "channel", "won", "lost", "won_amount",
        "won_cycle_days", "lost_cycle_days", "won_lead_cycle_days", "won_with_lead",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def facts(**overrides: object) -> KpiFacts:
    """Two months, two reps in two territories:

    Jan, rep 1, territory 1, SMB, Paid Search: 2 won (25 and 35 days; 30,000), 1 lost (10 days),
        both won deals came from leads created 40 days before close (80 lead-days).
    Feb, rep 2, territory 2, Enterprise, Referral: 1 won (120 days; 100,000), 3 lost (90 days).
    """
    base = KpiFacts(
        period=JAN_FEB,
        closed=closed(
            [
                (JAN, 1, 1, "SMB", "Paid Search", 2, 1, 30_000.0, 60.0, 10.0, 80.0, 2),
                (FEB, 2, 2, "Enterprise", "Referral", 1, 3, 100_000.0, 120.0, 90.0, 0.0, 0),
            ]
        ),
        leads=pd.DataFrame(
            {
                "month": [JAN, FEB],
                "rep_id": [1, 2],
                "territory_id": [1, 2],
                "segment": ["SMB", "Enterprise"],
                "channel": ["Paid Search", "Referral"],
                "leads": [10, 5],
                "converted": [3, 2],
            }
        ),
        new_customers=pd.DataFrame(
            {
                "month": [JAN, FEB],
                "territory_id": [1, 2],
                "segment": ["SMB", "Enterprise"],
                "channel": ["Paid Search", "Referral"],
                "rep_id": [1, 2],
                "new_customers": [1, 1],
            }
        ),
        cycle_histogram=pd.DataFrame({"cycle_days": [25, 35, 120], "deals": [1, 1, 1]}),
        spend=pd.DataFrame(
            {
                "month": [JAN, FEB],
                "channel": ["Paid Search", "Referral"],
                "kind": ["marketing", "sales"],
                "amount": [3_000.0, 1_000.0],
            }
        ),
        orders=pd.DataFrame(
            {
                "month": [JAN, FEB],
                "territory_id": [1, 2],
                "segment": ["SMB", "Enterprise"],
                "revenue": [1_000.0, 2_000.0],
                "gross_margin": [600.0, 600.0],
                "revenue_without_margin": [0.0, 1_000.0],
            }
        ),
        # Territory 1: 2 customers, orders Jan-Dec 2024 -> churn in Jun 2025.
        # Territory 2: 1 customer, orders Jun 2024 - Feb 2025 -> churn in Aug 2025.
        lifespans=pd.DataFrame(
            {
                "territory_id": [1, 2],
                "segment": ["SMB", "Enterprise"],
                "first_month": pd.to_datetime(["2024-01-01", "2024-06-01"]),
                "last_month": pd.to_datetime(["2024-12-01", "2025-02-01"]),
                "customers": [2, 1],
            }
        ),
    )
    return replace(base, **overrides)


def value(name: str, f: KpiFacts | None = None) -> float | None:
    return KPIS[name].fn(f or facts(), SETTINGS).value


def test_win_rate_is_won_over_closed():
    assert value("win_rate") == pytest.approx(3 / 7)  # won 2 + 1, lost 1 + 3


def test_win_rate_undefined_without_closed_deals_and_zero_when_all_lost():
    none_closed = facts(closed=closed([]))
    result = KPIS["win_rate"].fn(none_closed, SETTINGS)
    assert result.value is None and result.reason == "no closed deals in period"
    all_lost = facts(
        closed=closed([(JAN, 1, 1, "SMB", "Paid Search", 0, 4, 0.0, 0.0, 40.0, 0.0, 0)])
    )
    assert value("win_rate", all_lost) == 0.0


def test_a_win_rate_without_any_loss_carries_a_caveat():
    all_won = facts(
        closed=closed([(JAN, 1, 1, "SMB", "Paid Search", 5, 0, 0.0, 0.0, 40.0, 0.0, 0)])
    )
    result = KPIS["win_rate"].fn(all_won, SETTINGS)
    assert result.value == 1.0
    assert result.reason == "no lost deals in period: are lost deals recorded?"
    assert KPIS["win_rate"].fn(facts(), SETTINGS).reason is None  # some lost: no caveat


def test_sales_cycle_mean_median_lost_and_lead_to_close():
    result = KPIS["avg_sales_cycle_days"].fn(facts(), SETTINGS)
    assert result.value == pytest.approx((60 + 120) / 3)  # 60 days
    assert result.inputs["median_days"] == 35  # 25, 35, 120
    assert result.inputs["lost_mean_days"] == pytest.approx((10 + 90) / 4)  # 25
    assert result.inputs["lead_to_close_mean_days"] == pytest.approx(80 / 2)  # 40


def test_sales_cycle_undefined_without_won_deals():
    lost_only = facts(
        closed=closed([(JAN, 1, 1, "SMB", "Paid Search", 0, 2, 0.0, 0.0, 9.0, 0.0, 0)])
    )
    result = KPIS["avg_sales_cycle_days"].fn(lost_only, SETTINGS)
    assert result.value is None and result.reason == "no won deals in period"


@pytest.mark.parametrize(
    ("values", "counts", "median"),
    [
        ([10, 20, 30], [1, 1, 1], 20),  # odd: the middle one
        ([10, 20], [1, 1], 15),  # even: mean of the two middles
        ([30, 10, 20], [1, 2, 1], 15),  # 10, 10, 20, 30 -> (10 + 20) / 2
        ([5], [4], 5),
    ],
)
def test_weighted_median(values, counts, median):
    assert weighted_median(np.array(values, float), np.array(counts, float)) == median


def test_lead_to_opportunity_ratio_is_a_cohort_share():
    assert value("lead_to_opportunity_ratio") == pytest.approx(5 / 15)  # converted 3 + 2 of 15
    no_leads = facts(leads=facts().leads.iloc[0:0])
    result = KPIS["lead_to_opportunity_ratio"].fn(no_leads, SETTINGS)
    assert result.value is None and result.reason == "no leads created in period"


def test_cac_is_spend_over_new_customers():
    assert value("cac") == pytest.approx(4_000 / 2)


def test_cac_edge_cases():
    no_customers = facts(new_customers=facts().new_customers.iloc[0:0])
    result = KPIS["cac"].fn(no_customers, SETTINGS)
    assert result.value is None and result.reason == "no new customers in period"

    zero_spend = facts(spend=facts().spend.assign(amount=0.0))
    result = KPIS["cac"].fn(zero_spend, SETTINGS)
    assert result.value == 0.0 and result.reason == "no spend recorded"

    never_recorded = facts(spend=facts().spend.iloc[0:0], spend_recorded=False)
    result = KPIS["cac"].fn(never_recorded, SETTINGS)
    assert result.value is None and "no acquisition spend recorded" in result.reason


def test_ltv_with_no_churn_is_capped_and_labelled():
    # Jan and Feb: 3 customers active each month -> 6 customer-months, nobody churns.
    # Gross margin 600 + 600 + 0.65 x 1,000 (an order without margin) = 1,850.
    # 1,850 / 6 = 308.33 a customer-month, x 60 months (the cap) = 18,500.
    result = KPIS["ltv"].fn(facts(), SETTINGS)
    assert result.value == pytest.approx(18_500)
    assert result.reason == "no churn observed: lifetime capped at 60 months"
    assert result.inputs["monthly_gross_margin_per_customer"] == pytest.approx(1_850 / 6)


def test_ltv_with_churn():
    # June 2025: territory 1's 2 customers churn (last order Dec 2024 + 6 months);
    # territory 2's customer is active. Customers at the start of June: 1 + 2 = 3, churned 2,
    # so churn = 2/3 and lifetime = 1.5 months. Margin 300 over 1 active customer-month.
    june = Period(date(2025, 6, 1), date(2025, 6, 30))
    orders = pd.DataFrame(
        {
            "month": [pd.Timestamp("2025-06-01")],
            "territory_id": [2],
            "segment": ["Enterprise"],
            "revenue": [500.0],
            "gross_margin": [300.0],
            "revenue_without_margin": [0.0],
        }
    )
    result = KPIS["ltv"].fn(facts(period=june, orders=orders), SETTINGS)
    assert result.inputs["monthly_churn"] == pytest.approx(2 / 3)
    assert result.value == pytest.approx(300 * 1.5)
    assert result.reason is None


def test_ltv_undefined_without_active_customers():
    result = KPIS["ltv"].fn(facts(lifespans=facts().lifespans.iloc[0:0]), SETTINGS)
    assert result.value is None and result.reason == "no active customers in period"


def test_ltv_to_cac_and_payback():
    assert value("ltv_to_cac") == pytest.approx(18_500 / 2_000)
    assert value("cac_payback_months") == pytest.approx(2_000 / (1_850 / 6))


def test_ratios_undefined_when_an_input_is():
    no_customers = facts(new_customers=facts().new_customers.iloc[0:0])
    for name in ("ltv_to_cac", "cac_payback_months"):
        result = KPIS[name].fn(no_customers, SETTINGS)
        assert result.value is None and "CAC undefined" in result.reason
    zero_spend = facts(spend=facts().spend.assign(amount=0.0))
    result = KPIS["ltv_to_cac"].fn(zero_spend, SETTINGS)
    assert result.value is None and result.reason == "CAC is 0 (no spend recorded)"


def test_allocate_spend_by_lead_share():
    spend = pd.DataFrame(
        {"month": [JAN], "channel": ["Paid Search"], "kind": ["marketing"], "amount": [1_000.0]}
    )
    everyone = pd.DataFrame({"month": [JAN], "channel": ["Paid Search"], "leads": [10]})
    mine = everyone.assign(leads=4)
    allocated = allocate_spend(spend, mine, everyone)
    assert allocated["amount"].tolist() == [400.0]  # 4 of 10 leads


def test_monthly_trends_leave_gaps_for_undefined_months():
    quarter = Period(date(2025, 1, 1), date(2025, 3, 31))  # March has no data at all
    trends = monthly_trends(facts(period=quarter), SETTINGS)
    win = trends["win_rate"].set_index("month")["value"]
    assert win[JAN] == pytest.approx(2 / 3)
    assert win[FEB] == pytest.approx(1 / 4)
    assert np.isnan(win[pd.Timestamp("2025-03-01")])
    reasons = trends["win_rate"].set_index("month")["reason"]
    assert reasons[pd.Timestamp("2025-03-01")] == "no closed deals in period"


def test_breakdown_by_territory_and_channel():
    by_territory = breakdown(facts(), "territory", SETTINGS).set_index("key")
    assert by_territory.loc[1, "win_rate"] == pytest.approx(2 / 3)
    assert by_territory.loc[2, "win_rate"] == pytest.approx(1 / 4)
    assert by_territory.loc[1, "bookings"] == 30_000
    assert np.isnan(by_territory.loc[1, "cac"])  # spend is not attributed to territories
    by_channel = breakdown(facts(), "channel", SETTINGS).set_index("key")
    assert by_channel.loc["Paid Search", "cac"] == pytest.approx(3_000)  # 3,000 / 1 customer
    assert by_channel.loc["Referral", "lead_to_opportunity_ratio"] == pytest.approx(2 / 5)
    with pytest.raises(ValueError, match="Unknown breakdown"):
        breakdown(facts(), "planet", SETTINGS)


def test_every_kpi_is_registered_with_a_definition_and_tested_here():
    with open(__file__, encoding="utf-8") as handle:
        source = handle.read()
    for name, kpi in KPIS.items():
        assert kpi.label and kpi.unit and len(kpi.definition) > 20, name
        assert f'"{name}"' in source.split("def test_every_kpi")[0], f"{name} has no test"


def test_ltv_and_payback_without_any_order_say_what_to_import():
    # a CRM export alone (Maven): won deals, spend imported, but no order at all
    never = facts(lifespans=facts().lifespans.iloc[0:0], orders_recorded=False)
    for name in ("ltv", "cac_payback_months"):
        result = KPIS[name].fn(never, SETTINGS)
        assert result.value is None
        assert result.reason == "no orders recorded (import orders to compute LTV)", name
    assert KPIS["ltv_to_cac"].fn(never, SETTINGS).reason == (
        "LTV undefined: no orders recorded (import orders to compute LTV)"
    )
