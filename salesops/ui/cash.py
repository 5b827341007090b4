"""Order-to-cash page parts: headline tiles, step days, the what-if panel, table formats."""

from __future__ import annotations

import streamlit as st

from salesops.cash.cycle import LEG_LABELS
from salesops.cash.headline import cash_headline
from salesops.cash.report import CashReport
from salesops.cash.what_if import cash_what_if
from salesops.config import Settings
from salesops.definitions import define
from salesops.formatting import format_value
from salesops.repository import Repository
from salesops.ui.cache import cached_call, prefetch, settings
from salesops.ui.figure_table import Tile, draw_figures, toned
from salesops.ui.filters import Filters
from salesops.ui.nav import page_link


def headline_tiles(report: CashReport, currency: str) -> None:
    """Draws booked, paid, receivable, overdue and DSO as one figure table (issue 21)."""
    f, t = report.funnel, report.totals
    share = f.collected_share
    overdue = None if t["receivable"] <= 0 else f"{t['overdue'] / t['receivable']:.0%}"
    draw_figures(
        [
            Tile("Booked", format_value(f.amount("booked"), "money", currency),
                 help=define("cash_funnel")),
            Tile("Paid of ordered", format_value(f.amount("paid"), "money", currency),
                 note=None if share.value is None else f"{share.value:.0%} of ordered",
                 help=share.reason or define("cash_funnel")),
            Tile("Receivable", format_value(t["receivable"], "money", currency),
                 help=f"Invoiced and unpaid on {report.as_of:%d %b %Y}."),
            Tile("Overdue", format_value(t["overdue"], "money", currency), note=overdue,
                 help=define("overdue_receivable")),
            Tile("DSO", format_value(report.dso.value, "days"),
                 help=report.dso.reason or define("dso")),
        ]
    )  # fmt: skip


def _days(value: float) -> str:
    """Returns whole days in words: "1 day", "32 days"."""
    return "1 day" if round(value) == 1 else f"{value:,.0f} days"


def step_tiles(report: CashReport) -> None:
    """Draws each step's median days, with mean and P90 beside it, as one figure table."""
    tiles = []
    for leg, stats in report.cycle.items():
        median = stats["median"].value
        tiles.append(
            Tile(
                LEG_LABELS[leg],
                "—" if median is None else _days(median),
                note=None if median is None else
                f"mean {stats['mean'].value:,.1f} · P90 {stats['p90'].value:,.0f}",
                help=stats["median"].reason or define("cash_cycle_days"),
            )
        )  # fmt: skip
    draw_figures(tiles)


def what_if_controls(defaults: Settings) -> tuple[int, int]:
    """Draws the two what-if sliders; returns (invoice days cut, payment days cut)."""
    a, b = st.columns(2)
    invoice = a.slider("Invoice sooner by (days)", 0, 30, defaults.cash_what_if_invoice_days,
                       key="cash.invoice_days")  # fmt: skip
    pay = b.slider("Get paid sooner by (days)", 0, 60, defaults.cash_what_if_pay_days,
                   key="cash.pay_days")  # fmt: skip
    return int(invoice), int(pay)


def what_if_result(report: CashReport, defaults: Settings, invoice: int, pay: int) -> None:
    """Draws cash pulled forward, receivables and DSO after, and the yearly saving."""
    result = cash_what_if(report.rates, invoice, pay, defaults.cost_of_capital)
    money = defaults.currency
    tiles = st.columns(4)
    tiles[0].metric("Cash pulled forward", format_value(result.cash_pulled_forward, "money", money),
                    help=define("cash_pulled_forward", defaults), border=True)  # fmt: skip
    tiles[1].metric("Receivable after", format_value(result.receivable_after, "money", money),
                    border=True)  # fmt: skip
    tiles[2].metric("DSO after", format_value(result.dso_after.value, "days"),
                    help=result.dso_after.reason, border=True)  # fmt: skip
    tiles[3].metric(
        "Saving a year",
        format_value(result.yearly_saving, "money", money),
        help=f"Working-capital effect: the cash pulled forward at {defaults.cost_of_capital:.0%} "
        "a year.",
        border=True,
    )
    if result.invoice_days_cut < invoice or result.pay_days_cut < pay:
        st.caption(
            f"Cut to what the steps take today: invoicing {result.invoice_days_cut:,.1f} "
            f"days, payment {result.pay_days_cut:,.1f} days."
        )


def completeness_section(report: CashReport, defaults: Settings) -> None:
    """Draws the share of incomplete orders, what it costs in days, and the reps behind it."""
    c = report.completeness
    tiles = st.columns(3)
    tiles[0].metric("Orders missing a required field", format_value(c.incomplete_share.value,
                    "ratio"), help=c.incomplete_share.reason or define("order_complete", defaults),
                    border=True)  # fmt: skip
    tiles[1].metric("Invoice → paid, complete", format_value(c.days_to_pay_complete.value, "days"),
                    help=c.days_to_pay_complete.reason, border=True)  # fmt: skip
    extra = c.extra_days_to_pay
    tiles[2].metric(
        "Invoice → paid, incomplete",
        format_value(c.days_to_pay_incomplete.value, "days"),
        delta=None if extra.value is None else f"{extra.value:+,.1f} days",
        delta_color="inverse",
        help=c.days_to_pay_incomplete.reason,
        border=True,
    )
    missing = ", ".join(f"{n:,} without {f.replace('_', ' ')}" for f, n in
                        c.missing_by_field.items())  # fmt: skip
    st.caption(f"Of {c.orders:,} orders placed: {missing}.")


def approvals_section(report: CashReport) -> None:
    """Draws approval hours (timestamps) and approval hours logged per order (time logs)."""
    a = report.approvals
    tiles = st.columns(3)
    tiles[0].metric("Approvals", f"{a.orders:,}", border=True,
                    help="Orders approved in the period (approval request and approval "
                    "recorded on the order).")  # fmt: skip
    tiles[1].metric(
        "Hours to approve (median)",
        "—" if a.median_hours.value is None else f"{a.median_hours.value:,.0f} h",
        delta=None if a.mean_hours.value is None
        else f"mean {a.mean_hours.value:,.1f} · P90 {a.p90_hours.value:,.0f}",
        delta_color="off", delta_arrow="off", help=a.median_hours.reason, border=True,
    )  # fmt: skip
    tiles[2].metric(
        "Approval hours logged per order",
        format_value(a.logged_per_order.value, "hours")
        if a.logged_per_order.value is None or a.logged_per_order.value >= 10
        else f"{a.logged_per_order.value:,.2f} h",
        help=a.logged_per_order.reason
        or "Hours of approval activities in the time logs ÷ orders placed.",
        border=True,
    )


def _headline_args(filters: Filters) -> tuple | None:
    """Returns cash_headline's arguments for the Overview's filters (None: no orders yet).

    Counted to the latest day of data, as the Overview's bookings headline: its "Booked"
    is the same figure as "Bookings, <quarter> to date" beside it (the period filter, whose
    end is the last complete month, would cut the quarter short).
    """
    orders_last = cached_call(Repository.order_bounds)["last"]
    if orders_last is None:
        return None
    return cached_call(Repository.data_bounds)["last"] or orders_last, filters.scope, settings()


def prefetch_cash_headline(filters: Filters) -> None:
    """Starts reading the Overview's cash headline (salesops.ui.cache.prefetch)."""
    args = _headline_args(filters)
    if args is not None:
        prefetch(cash_headline, *args)


def cash_overview_headline(filters: Filters) -> None:
    """Draws cash collected vs booked this quarter and overdue receivables, with a link."""
    config = settings()
    args = _headline_args(filters)
    if args is None:
        st.caption("No orders yet: import orders to see cash collected and receivables.")
        return
    headline = cached_call(cash_headline, *args)
    share = headline.overdue_share
    money = config.currency
    label = headline.quarter_label
    tiles = [
        Tile(f"Collected, {label} to date", format_value(headline.collected, "money", money)),
        Tile(f"Booked, {label} to date", format_value(headline.booked, "money", money)),
        Tile(
            "Overdue receivables",
            format_value(headline.overdue, "money", money),
            note=None if share is None else f"{share:.0%} of receivables",
            help=define("overdue_receivable", config),
        ),
    ]
    tone = "bad" if headline.tone == "bad" else "none"  # only bad news is coloured
    draw_figures(tiles, toned(headline.sentence(money), tone))
    page_link("pages/cash.py", "Order to cash: what holds the money up", ":material/payments:")
