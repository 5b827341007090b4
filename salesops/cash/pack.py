"""The meeting pack's order-to-cash section: one self-contained HTML fragment.

`cash_pack_html(report, settings)` returns an <h2> section (headline sentence, days per
step, receivables by age, the accounts and orders that most delay cash) that a meeting
pack places where it wants; it reads nothing, so the pack decides the period and scope.
"""

from __future__ import annotations

import html

import pandas as pd

from salesops.cash.columns import ACCOUNT_COLUMNS, ORDER_COLUMNS, column_config
from salesops.cash.cycle import LEG_LABELS
from salesops.cash.report import CashReport
from salesops.config import Settings
from salesops.formatting import format_value
from salesops.tables import text_table


def _html_table(frame: pd.DataFrame) -> str:
    """Returns a frame of text cells as an HTML table (every cell escaped)."""
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
    """Returns the order-to-cash section of a meeting pack as HTML (`rows` per list)."""
    currency, columns = settings.currency, column_config(settings)
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
        f"<h2>Order to cash ({report.period.start:%d %b %Y} – {report.period.end:%d %b %Y})</h2>"
        f"<p>{html.escape(cash_summary(report, currency))}</p>{notes}"
        f"<h3>Days from deal to cash</h3>{_html_table(steps)}"
        f"<h3>Receivables by days past due</h3>"
        f"{_html_table(text_table(aging, currency, columns))}"
        f"<h3>Accounts with the most overdue</h3>{_html_table(accounts)}"
        f"<h3>Unpaid orders holding the most cash longest</h3>{_html_table(orders)}"
    )
