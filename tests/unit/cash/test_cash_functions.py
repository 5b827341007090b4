"""Order-to-cash pure functions, each worked out by hand on a few rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.cash.breakdown import NO_DEAL, breakdown
from salesops.cash.cycle import cycle_summary, cycle_trend, histogram_quantile
from salesops.cash.funnel import cash_funnel
from salesops.cash.receivables import aging, dso, receivable_totals
from salesops.cash.what_if import CashRates, cash_what_if
from salesops.repository.cash import aging_labels


def test_histogram_quantiles_match_numpy_inverted_cdf():
    days = np.array([0, 2, 3, 10])
    counts = np.array([1, 4, 2, 3])
    raw = np.repeat(days, counts)
    for share in (0.1, 0.5, 0.9, 1.0):
        expected = np.percentile(raw, share * 100, method="inverted_cdf")
        assert histogram_quantile(days, counts, share) == expected


def test_cycle_summary_by_hand_and_a_leg_with_no_orders_is_undefined():
    histogram = pd.DataFrame(
        {
            "leg": ["invoice_to_paid"] * 3 + ["order_to_invoice"],
            "month": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01", "2026-01-01"]),
            "days": [30, 40, 90, 1],
            "orders": [2, 1, 1, 4],
            "amount": [1.0, 1.0, 1.0, 1.0],
        }
    )
    summary = cycle_summary(histogram)
    paid = summary["invoice_to_paid"]
    assert paid["mean"].value == pytest.approx((60 + 40 + 90) / 4)
    assert paid["median"].value == 30 and paid["p90"].value == 90
    assert summary["order_to_invoice"]["median"].value == 1
    assert summary["close_to_order"]["mean"].value is None
    assert "no order finished" in summary["close_to_order"]["mean"].reason
    trend = cycle_trend(histogram)
    feb = trend[(trend["leg"] == "invoice_to_paid") & (trend["month"] == "2026-02-01")]
    assert feb["mean"].item() == 90 and feb["orders"].item() == 1


def _totals(**overrides) -> pd.DataFrame:
    row = {
        "month": pd.Timestamp("2026-01-01"), "territory_id": 1, "segment": "SMB", "rep_id": 7,
        "orders": 10, "first_orders": 4, "ordered_amount": 1000.0, "invoiced_orders": 8,
        "invoiced_amount": 800.0, "paid_orders": 5, "paid_amount": 500.0,
        "nonpositive_orders": 0, "paid_before_invoiced": 0, "paid_not_invoiced": 0,
    }  # fmt: skip
    row.update(overrides)
    return pd.DataFrame([row])


BOOKINGS = pd.DataFrame(
    {"territory_id": [1], "segment": ["SMB"], "rep_id": [7], "deals": [5], "amount": [900.0],
     "ordered_deals": [4], "ordered_amount": [700.0]}
)  # fmt: skip


def test_funnel_counts_amounts_and_sentences_for_odd_orders():
    funnel = cash_funnel(_totals(), BOOKINGS)
    assert [funnel.count(s) for s in ("booked", "ordered", "invoiced", "paid")] == [5, 10, 8, 5]
    assert funnel.amount("paid") == 500.0 and funnel.collected_share.value == 0.5
    assert funnel.booked_not_ordered == 1 and funnel.booked_not_ordered_amount == 200.0
    assert funnel.repeat_orders == 6 and funnel.warnings() == []
    odd = cash_funnel(
        _totals(nonpositive_orders=2, paid_before_invoiced=1, paid_not_invoiced=3), BOOKINGS
    )
    text = " ".join(odd.warnings())
    assert "1 orders are paid before their invoice date" in text
    assert "3 orders are paid but have no invoice date" in text
    assert "2 orders have a zero or negative amount" in text
    empty = cash_funnel(_totals().iloc[0:0], BOOKINGS.iloc[0:0])
    assert empty.collected_share.reason == "no orders placed in the period"


RECEIVABLES = pd.DataFrame(
    {"territory_id": [1, 1, 1, 2], "segment": ["SMB"] * 4, "rep_id": [7, 7, None, 8],
     "bucket": ["not invoiced", "current", "31-60", "90+"], "orders": [1, 2, 1, 1],
     "amount": [50.0, 200.0, 100.0, 300.0]}
)  # fmt: skip


def test_aging_lists_every_bucket_and_totals_split_unbilled_current_overdue():
    assert aging_labels((30, 60, 90)) == ["current", "1-30", "31-60", "61-90", "90+"]
    table = aging(RECEIVABLES, (30, 60, 90)).set_index("bucket")
    assert table["amount"].tolist() == [200.0, 0.0, 100.0, 0.0, 300.0]
    assert table.loc["90+", "share"] == pytest.approx(0.5)
    assert not table.loc["current", "overdue"] and table.loc["1-30", "overdue"]
    totals = receivable_totals(RECEIVABLES)
    assert totals == {"not_invoiced": 50.0, "receivable": 600.0, "overdue": 400.0}


def test_dso_by_hand_and_undefined_without_invoices():
    assert dso(600.0, 1800.0, 90).value == pytest.approx(30.0)
    assert dso(600.0, 0.0, 90).reason == "nothing invoiced in the period"


def test_breakdown_by_rep_names_reps_and_keeps_orders_without_a_deal():
    cycle = pd.DataFrame(
        {"leg": ["invoice_to_paid", "invoice_to_paid"], "territory_id": [1, 1],
         "segment": ["SMB", "SMB"], "rep_id": [7, None], "orders": [2, 1],
         "days_sum": [70.0, 50.0], "amount": [1.0, 1.0]}
    )  # fmt: skip
    totals = pd.concat([_totals(), _totals(rep_id=None, ordered_amount=0.0, paid_amount=0.0)])
    table = breakdown("rep", totals, BOOKINGS, cycle, RECEIVABLES, {7: "Ana", 8: "Bo"})
    rows = table.set_index("rep")
    assert rows.loc["Ana", "days_to_pay"] == 35.0
    assert rows.loc[NO_DEAL, "days_to_pay"] == 50.0 and rows.loc[NO_DEAL, "overdue"] == 100.0
    assert rows.loc["Ana", "paid_share"] == 0.5 and rows.loc["Ana", "booked"] == 900.0
    assert rows.loc["Bo", "overdue_share"] == 1.0
    assert table["rep"].tolist()[0] == NO_DEAL  # slowest to pay first


RATES = CashRates(
    ordered_per_day=100.0, invoiced_per_day=90.0, days_to_invoice=2.0, days_to_pay=40.0,
    not_invoiced=500.0, receivable=4000.0, dso=44.0,
)  # fmt: skip


def test_what_if_by_hand_with_cuts_capped_at_the_measured_days():
    result = cash_what_if(RATES, 5, 10, 0.08)
    assert result.invoice_days_cut == 2.0  # invoicing takes 2 days today
    assert result.cash_pulled_forward == pytest.approx(100 * 2 + 90 * 10)
    assert result.receivable_after == pytest.approx(3100.0)
    assert result.not_invoiced_after == pytest.approx(300.0)
    assert result.dso_after.value == 34.0
    assert result.yearly_saving == pytest.approx(1100 * 0.08)
    nothing = cash_what_if(RATES, 0, 0, 0.08)
    assert nothing.cash_pulled_forward == 0.0 and nothing.dso_after.value == 44.0
    with pytest.raises(ValueError, match="Days to cut must be zero or more"):
        cash_what_if(RATES, -1, 0, 0.08)


def test_completeness_by_hand():
    totals = pd.DataFrame(
        {"territory_id": [1, 1, 1], "segment": ["SMB"] * 3, "rep_id": [7, 7, None],
         "complete": [1, 0, 0], "orders": [8, 2, 4], "amount": [1.0] * 3,
         "paid_orders": [4, 2, 0], "days_to_pay_sum": [120.0, 100.0, 0.0],
         "days_to_cash_sum": [0.0] * 3, "missing_po_number": [0, 2, 3],
         "missing_billing_address": [0, 0, 1]}
    )  # fmt: skip
    from salesops.cash.completeness import completeness

    c = completeness(totals, ("po_number", "billing_address"), {7: "Ana"})
    assert (c.orders, c.incomplete) == (14, 6) and c.incomplete_share.value == 6 / 14
    assert c.missing_by_field == {"po_number": 5, "billing_address": 1}
    assert c.days_to_pay_complete.value == 30.0 and c.days_to_pay_incomplete.value == 50.0
    assert c.extra_days_to_pay.value == 20.0
    rows = c.by_rep.set_index("rep")
    assert rows.loc[NO_DEAL, "incomplete_share"] == 1.0 and rows.loc["Ana", "incomplete"] == 2
    assert rows.loc[NO_DEAL, "missing_billing_address"] == 1
    none_paid = completeness(totals.assign(paid_orders=0), ("po_number",), {})
    assert none_paid.extra_days_to_pay.value is None
    assert "no incomplete order placed in the period was paid" in none_paid.extra_days_to_pay.reason


def test_approvals_by_hand_and_nothing_recorded():
    from salesops.cash.approvals import approvals

    minutes = pd.DataFrame(
        {"approver": ["A", "A", "B"], "minutes": [60, 120, 600], "orders": [2, 1, 1]}
    )
    by_rep = pd.DataFrame(
        {"territory_id": [1], "segment": ["SMB"], "rep_id": [7], "orders": [4], "hours_sum": [14.0]}
    )
    logged = pd.DataFrame({"rep_id": [7], "hours": [6.0]})
    placed = pd.DataFrame({"rep_id": [7, None], "orders": [3, 9]})
    a = approvals(minutes, by_rep, logged, placed, {7: "Ana"})
    assert a.orders == 4 and a.mean_hours.value == pytest.approx((2 + 2 + 10) / 4)
    assert a.median_hours.value == 1.0 and a.p90_hours.value == 10.0
    assert a.by_approver["approver"].tolist() == ["B", "A"]
    assert a.logged_per_order.value == pytest.approx(6 / 12)
    ana = a.by_rep.set_index("rep").loc["Ana"]
    assert ana["mean_hours"] == 3.5 and ana["logged_per_order"] == 2.0
    empty = approvals(minutes.iloc[0:0], by_rep.iloc[0:0], logged.iloc[0:0], placed, {})
    assert empty.median_hours.reason == "no order approvals recorded in the period"
    assert empty.logged_per_order.reason == "no approval hours logged"


def test_meeting_pack_table_escapes_every_cell():
    from salesops.cash.pack import _html_table

    table = _html_table(pd.DataFrame({"Account": ["<script>x</script>"], "Overdue": ["$1"]}))
    assert "<script>" not in table and "&lt;script&gt;" in table and "<th>Overdue</th>" in table
