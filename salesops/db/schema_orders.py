"""Order rollups: revenue per day for KPI edges; orders' status per month for order to cash.

A KPI period that is not whole months (15 Jan - 20 Dec) reads its whole months of order
revenue and gross margin from `rollup_order_months` and its edge days from
`rollup_order_days`: an index range over a few thousand pre-grouped rows instead of a
GROUP BY over the orders (seconds at a million deals). The table has the monthly rollup's
columns, in the same order, plus `day` (the order date). Every column but the keys is a
sum, so a day's rows add up to its month's. Rebuilt with the other rollups
(salesops.db.rollups_orders) on every load, import and `db upgrade`.

`rollup_order_status_months` counts the orders placed per month, scope (territory, segment,
the order's rep) and status: the months they were invoiced and paid (so any period end can
tell what was invoiced and paid by then), whether they book a deal, whether payment came
on or after the invoice, whether the amount is zero or negative, and which capture fields
they lack (a bit per field of rollups_orders.CAPTURE_FIELDS). The Order-to-cash funnel and
order completeness read it for whole months (a few tens of thousands of rows a year at a
million deals instead of every order).

`rollup_order_status_scopes` sums it per month, scope and missing fields, with every
status as known today (invoiced, paid, paid on or after the invoice, days to pay): a
third of its rows (migration 0022). A period's whole months read it, then put right
the rows settled (invoiced or paid) after the period's end month, found in the status
rollup through its payment-month and invoice-month indexes: as of the end, less as today.

Defined on the schema's one MetaData by `order_rollup_tables`, which salesops.db.schema
calls with its monthly order rollup (this module imports nothing from it, so there is no
cycle).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Column, Date, Float, Index, Integer, MetaData, String, Table

from salesops.db.schema_daily import daily_table


class OrderRollups(NamedTuple):
    """The order rollup tables."""

    days: Table
    status: Table


def order_rollup_tables(metadata: MetaData, order_months: Table) -> OrderRollups:
    """Returns the order rollup tables, defined on `metadata`.

    The days table copies `order_months`' columns (the monthly order rollup) and adds `day`.
    """
    days = daily_table(metadata, "rollup_order_days", order_months)
    status = Table(
        "rollup_order_status_months",
        metadata,
        Column("month", Date, nullable=False),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("invoiced_month", Date),
        Column("paid_month", Date),
        Column("booking", Integer, nullable=False),  # 1: the order books a deal
        Column("paid_valid", Integer, nullable=False),  # 1: paid on or after its invoice
        Column("nonpositive", Integer, nullable=False),  # 1: amount <= 0
        Column("missing", Integer, nullable=False),  # bit i: CAPTURE_FIELDS[i] not captured
        Column("orders", Integer, nullable=False),
        Column("amount", Float, nullable=False),
        Column("days_to_pay", Integer, nullable=False),  # invoice -> paid, paid_valid orders
        Column("days_to_cash", Integer, nullable=False),  # order -> paid, paid_valid orders
        Index("ix_rollup_order_status_months_month", "month"),
        # the rows settled after a period's end, to put its summary right (migration 0022)
        Index("ix_rollup_order_status_months_paid", "paid_month", "month"),
        Index("ix_rollup_order_status_months_invoiced", "invoiced_month", "month"),
    )
    return OrderRollups(days, status)


# rollup_order_status_scopes' sums after its keys: the status rollup summed as of today.
STATUS_SUMS = {
    "orders": Integer, "first_orders": Integer, "ordered_amount": Float,
    "invoiced_orders": Integer, "invoiced_amount": Float, "paid_orders": Integer,
    "paid_amount": Float, "nonpositive_orders": Integer, "paid_before_invoiced": Integer,
    "paid_not_invoiced": Integer, "paid_valid_orders": Integer, "days_to_pay_sum": Integer,
    "days_to_cash_sum": Integer,
}  # fmt: skip


def status_scopes_table(metadata: MetaData) -> Table:
    """Returns rollup_order_status_scopes, defined on `metadata` (see the module's docstring)."""
    return Table(
        "rollup_order_status_scopes",
        metadata,
        Column("month", Date, nullable=False),
        Column("territory_id", Integer),
        Column("segment", String(40)),
        Column("rep_id", Integer),
        Column("missing", Integer, nullable=False),
        *(Column(name, kind, nullable=False) for name, kind in STATUS_SUMS.items()),
        Index("ix_rollup_order_status_scopes_month", "month"),
    )
