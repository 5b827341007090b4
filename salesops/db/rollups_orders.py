"""Builders of the order rollups (salesops.db.schema_orders) and the order facts they count.

`rollup_order_days` is the monthly order rollup's GROUP BY (rollups.order_months_select)
with the order date added to the grouping, so a day's rows sum to exactly what the orders
give for that day, and a partial month reads back at the monthly grain with
rollups_daily.edge_select.

`rollup_order_status_months` groups the orders by `status_keys`; the repository reads the
orders of a period's partial edge months with the same expressions, so both give the same
facts. `rollup_order_status_scopes` sums it (`status_scopes_select`) with `status_sums`,
which the repository also uses to sum status rows as of a period's end.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)  # fmt: skip

from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.rollups_cash import order_join, order_rep, paid_valid, whole_days
from salesops.db.rollups_daily import with_day
from salesops.db.sqlfuncs import month_start

# Order fields completeness may require (Settings.order_required_fields names them); the
# status rollup's `missing` holds bit i when field i is not captured.
CAPTURE_FIELDS = (
    "po_number", "billing_address", "shipping_address", "opportunity_id", "gross_margin",
    "approver",
)  # fmt: skip


def missing(name: str) -> ColumnElement[bool]:
    """Returns "the order lacks field `name`": NULL, or blank text."""
    if name not in CAPTURE_FIELDS:
        raise ValueError(
            f"Unknown required order field {name!r}: use one of {', '.join(CAPTURE_FIELDS)}."
        )
    column = s.orders.c[name]
    if isinstance(column.type, String):
        return or_(column.is_(None), func.trim(column) == "")
    return column.is_(None)


def field_bits(fields: tuple[str, ...] | list[str]) -> int:
    """Returns the `missing` bits of `fields` (ValueError for a field not in CAPTURE_FIELDS)."""
    for name in fields:
        missing(name)
    return sum(1 << CAPTURE_FIELDS.index(name) for name in set(fields))


def flag(condition: ColumnElement[bool]) -> ColumnElement:
    """Returns 1 where `condition` holds, else 0."""
    return case((condition, 1), else_=0)


def status_keys() -> list[ColumnElement]:
    """Returns the status rollup's key expressions over `order_join()`, in its column order."""
    od, a = s.orders.c, s.accounts.c
    mask: ColumnElement = literal(0)
    for i, name in enumerate(CAPTURE_FIELDS):
        mask = mask + case((missing(name), 1 << i), else_=0)
    return [
        month_start(od.ordered_at),
        a.territory_id,
        a.segment,
        order_rep(),
        month_start(od.invoiced_at),
        month_start(od.paid_at),
        flag(od.opportunity_id.is_not(None)),
        flag(paid_valid()),
        flag(od.amount <= 0),
        cast(mask, Integer),
    ]


def status_select() -> Select:
    """Returns the status rollup's rows: status_keys, orders, amount, days_to_pay, days_to_cash."""
    od = s.orders.c
    keys = status_keys()
    valid = paid_valid()
    return (
        select(
            *keys,
            func.count(),
            func.sum(od.amount),
            func.coalesce(
                func.sum(case((valid, whole_days(od.invoiced_at, od.paid_at)), else_=0)), 0
            ),
            func.coalesce(
                func.sum(case((valid, whole_days(od.ordered_at, od.paid_at)), else_=0)), 0
            ),
        )  # fmt: skip
        .select_from(order_join())
        .group_by(*keys)
    )


def order_plan(where: ColumnElement[bool] | None = None) -> list[tuple[Table, Select]]:
    """Returns (order rollup table, the select that fills it) for every order rollup.

    `where` (a condition on the order date) limits each select to the orders of some
    months: a partition refresh (salesops.db.rollup_partitions) builds the rows so.
    """
    days, status = s.order_rollups
    months, statuses = rollups.order_months_select(), status_select()
    if where is not None:
        months, statuses = months.where(where), statuses.where(where)
    return [(days, with_day(months, s.orders.c.ordered_at)), (status, statuses)]


def status_sums(
    orders: ColumnElement,
    amount: ColumnElement,
    facts: dict[str, ColumnElement],
    invoiced: ColumnElement[bool],
    paid: ColumnElement[bool],
) -> dict[str, ColumnElement]:
    """Returns schema_orders.STATUS_SUMS of status rows, unlabelled, in that order.

    `orders`, `amount`: the rows' counts and amounts (a sign and the amount for one order).
    `facts`: "booking" and "nonpositive" (1/0), "not_invoiced" (never invoiced), "valid"
    (paid on or after the invoice), "days_to_pay" and "days_to_cash" (of a valid payment).
    `invoiced`, `paid`: done by the as-of date.
    """
    valid = and_(paid, facts["valid"])

    def when(condition: ColumnElement[bool], value: ColumnElement) -> ColumnElement:
        return case((condition, value), else_=0)

    return {
        "orders": orders,
        "first_orders": orders * facts["booking"],
        "ordered_amount": amount,
        "invoiced_orders": when(invoiced, orders),
        "invoiced_amount": when(invoiced, amount),
        "paid_orders": when(paid, orders),
        "paid_amount": when(paid, amount),
        "nonpositive_orders": orders * facts["nonpositive"],
        "paid_before_invoiced": when(and_(paid, ~facts["not_invoiced"], ~facts["valid"]), orders),
        "paid_not_invoiced": when(and_(paid, facts["not_invoiced"]), orders),
        "paid_valid_orders": when(valid, orders),
        "days_to_pay_sum": when(valid, facts["days_to_pay"]),
        "days_to_cash_sum": when(valid, facts["days_to_cash"]),
    }


def rollup_facts(sign: int = 1) -> dict[str, ColumnElement]:
    """Returns `status_sums`' facts of rollup_order_status_months rows (× `sign`)."""
    r = s.order_rollups.status.c
    days = (r.days_to_pay, r.days_to_cash) if sign == 1 else (-r.days_to_pay, -r.days_to_cash)
    return {
        "booking": r.booking, "nonpositive": r.nonpositive,
        "not_invoiced": r.invoiced_month.is_(None), "valid": r.paid_valid == 1,
        "days_to_pay": days[0], "days_to_cash": days[1],
    }  # fmt: skip


def status_scopes_select() -> Select:
    """Returns rollup_order_status_scopes' rows: the status rollup summed as known today."""
    r = s.order_rollups.status.c
    keys = [r.month, r.territory_id, r.segment, r.rep_id, r.missing]
    sums = status_sums(
        r.orders, r.amount, rollup_facts(), r.invoiced_month.is_not(None), r.paid_month.is_not(None)
    )
    return select(*keys, *(func.sum(v) for v in sums.values())).group_by(*keys)


def status_summary_plan() -> list[tuple[Table, Select]]:
    """Returns (rollup_order_status_scopes, its select): it reads the status rollup."""
    return [(s.rollup_order_status_scopes, status_scopes_select())]
