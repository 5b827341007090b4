"""The meeting pack's order-to-cash section: one self-contained HTML fragment.

`cash_pack_html(report, settings)` returns an <h2> section (headline sentence, days per
step, receivables by age, the accounts and orders that most delay cash) that a meeting
pack places where it wants; it reads nothing. The weekly pack shows the review quarter to
the week's Sunday (`review_cash_period`) for the review's people (`pack_cash_report`).
"""

from __future__ import annotations

import html

import pandas as pd

from salesops.calendar import Period, Week
from salesops.cash.columns import ACCOUNT_COLUMNS, ORDER_COLUMNS, column_config
from salesops.cash.cycle import LEG_LABELS
from salesops.cash.report import NO_ORDERS, CashReport, cash_report
from salesops.config import Settings
from salesops.formatting import format_value
from salesops.pipeline_review.history import review_quarter
from salesops.repository import Repository, Scope
from salesops.tables import text_table

NOTHING_IN_PERIOD = (
    "No order placed, invoiced or paid in this period for this scope, and nothing "
    "receivable on {as_of:%d %b %Y}."
)


def review_cash_period(week: Week) -> Period:
    """Returns the review quarter of `week` from its first day to the week's Sunday."""
    quarter = review_quarter(week)
    return Period(quarter.start, min(week.last_day, quarter.last_day))


def pack_cash_report(
    repo: Repository, week: Week, scope: Scope, settings: Settings | None = None
) -> CashReport:
    """Returns the order-to-cash report the weekly meeting pack shows for `week`."""
    return cash_report(repo, review_cash_period(week), scope, settings)


def _html_table(frame: pd.DataFrame) -> str:
    """Returns a frame of text cells as an HTML table (every cell escaped), or "None."."""
    if frame.empty:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def cash_summary(report: CashReport, currency: str) -> str:
    """Returns the section's headline in plain words."""
    f, t = report.funnel, report.totals
    money = lambda v: format_value(v, "money", currency)  # noqa: E731
    share = f.collected_share.value
    paid = "" if share is None else f" ({share:.0%} of ordered)"
    return (
        f"{money(f.amount('booked'))} booked, {money(f.amount('ordered'))} ordered, "
        f"{money(f.amount('paid'))} paid{paid}. Receivable {money(t['receivable'])} on "
        f"{report.as_of:%d %b %Y}, of which {money(t['overdue'])} overdue; DSO "
        f"{format_value(report.dso.value, 'days')}."
    )


def cash_pack_html(report: CashReport, settings: Settings, rows: int = 10) -> str:
    """Returns the order-to-cash section of a meeting pack as HTML (`rows` per list).

    Without any order in the database the section says what to import; without activity
    in the period and scope it says so in one sentence instead of tables of zeros.
    """
    currency, columns = settings.currency, column_config(settings)
    title = (
        f"<h2>Order to cash ({report.period.start:%d %b %Y} – {report.period.end:%d %b %Y})</h2>"
    )
    if not report.has_orders:
        return f"{title}<p>{html.escape(NO_ORDERS)}</p>"
    if _nothing_to_show(report):
        return f"{title}<p>{html.escape(NOTHING_IN_PERIOD.format(as_of=report.as_of))}</p>"
    steps = pd.DataFrame(
        [
            {"Step": LEG_LABELS[leg], "Median": format_value(stats["median"].value, "days"),
             "Mean": format_value(stats["mean"].value, "days"),
             "P90": format_value(stats["p90"].value, "days")}
            for leg, stats in report.cycle.items()
        ]
    )  # fmt: skip
    aging = report.aging.drop(columns=["overdue"])
    accounts = text_table(report.slow_accounts.head(rows), currency, columns, ACCOUNT_COLUMNS)
    orders = text_table(report.slow_orders.head(rows), currency, columns, ORDER_COLUMNS)
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in report.notes)
    return (
        f"{title}<p>{html.escape(cash_summary(report, currency))}</p>{notes}"
        f"<h3>Days from deal to cash</h3>{_html_table(steps)}"
        f"<h3>Receivables by days past due</h3>"
        f"{_html_table(text_table(aging, currency, columns))}"
        f"<h3>Accounts with the most overdue</h3>{_html_table(accounts)}"
        f"<h3>Unpaid orders holding the most cash longest</h3>{_html_table(orders)}"
    )


def _nothing_to_show(report: CashReport) -> bool:
    """Returns True when the period and scope hold no order, invoice, payment or receivable."""
    f, owed = report.funnel, report.totals["not_invoiced"] + report.totals["receivable"]
    return f.count("ordered") == 0 and f.count("booked") == 0 and report.trend.empty and owed == 0
