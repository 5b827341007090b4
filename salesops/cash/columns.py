"""How the order-to-cash tables are labelled and formatted (the page and the meeting pack)."""

from __future__ import annotations

from salesops.config import Settings
from salesops.definitions import define
from salesops.tables import Col

BREAKDOWN_COLUMNS = [
    "booked", "ordered", "invoiced", "paid", "paid_share", "days_to_order", "days_to_invoice",
    "days_to_pay", "receivable", "overdue", "overdue_share",
]  # fmt: skip
ACCOUNT_COLUMNS = [
    "account", "territory", "segment", "overdue_amount", "overdue_orders", "most_days_past_due",
    "open_amount", "open_orders",
]  # fmt: skip
ORDER_COLUMNS = [
    "account", "deal", "rep", "external_id", "status", "amount", "ordered_at", "invoiced_at",
    "days_open", "days_past_due",
]  # fmt: skip


def column_config(defaults: Settings) -> dict[str, Col]:
    """Returns labels, kinds and help of the order-to-cash tables."""
    overdue = define("overdue_receivable", defaults)
    return {
        "booked": Col("Booked", "money"), "ordered": Col("Ordered", "money"),
        "invoiced": Col("Invoiced", "money"), "paid": Col("Paid", "money"),
        "paid_share": Col("Paid (% of ordered)", "ratio", decimals=0),
        "days_to_order": Col("Close → order", "days", help="Mean days."),
        "days_to_invoice": Col("Order → invoice", "days", help="Mean days."),
        "days_to_pay": Col("Invoice → paid", "days", help=define("cash_cycle_days")),
        "receivable": Col("Receivable", "money"),
        "overdue": Col("Overdue", "money", help=overdue),
        "overdue_share": Col("Overdue (% of receivable)", "ratio", decimals=0),
        "overdue_amount": Col("Overdue", "money", help=overdue),
        "overdue_orders": Col("Overdue orders", "count"),
        "most_days_past_due": Col("Most days past due", "days"),
        "open_amount": Col("Unpaid", "money"), "open_orders": Col("Unpaid orders", "count"),
        "deal": Col("Deal"), "external_id": Col("Order id"), "status": Col("Status"),
        "ordered_at": Col("Ordered", "date"), "invoiced_at": Col("Invoiced", "date"),
        "days_open": Col("Days since ordered", "days"),
        "days_past_due": Col("Days past due", "days"),
        "bucket": Col("Days past due"), "orders": Col("Orders", "count"),
        "share": Col("Share", "ratio", decimals=0), "overdue_bucket": Col("Overdue", "bool"),
        "label": Col("Stage"), "share_of_ordered": Col("% of ordered", "ratio", decimals=0),
        "step": Col("Step"), "mean": Col("Mean days", "days"),
        "median": Col("Median days", "days"), "p90": Col("P90 days", "days"),
        "incomplete": Col("Incomplete", "count"),
        "incomplete_share": Col("Incomplete (%)", "ratio", decimals=0,
                                help=define("order_complete", defaults)),
        **{f"missing_{f}": Col(f"No {f.replace('_', ' ')}", "count")
           for f in defaults.order_required_fields},
        "approver": Col("Approver"), "approved_orders": Col("Approved orders", "count"),
        "mean_hours": Col("Mean hours", "hours", decimals=1),
        "median_hours": Col("Median hours", "hours", decimals=0),
        "p90_hours": Col("P90 hours", "hours", decimals=0),
        "logged_hours": Col("Approval hours logged", "hours", decimals=0),
        "logged_per_order": Col("Logged hours per order", "hours", decimals=2),
    }  # fmt: skip
