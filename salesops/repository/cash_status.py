"""Order-to-cash status rows: the orders placed in a period, their statuses as of its end.

`status_rows` reads them from rollup_order_status_scopes (statuses as known today) for the
months calendar.month_reads gives it, put right from rollup_order_status_months for the
rows settled after the end's month and from the orders inside it, and from the orders
for the rest; `CashQueries.cash_order_totals`, `cash_completeness` and `cash_order_status`
sum them, and `order_status_parts` sums the last into the first two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, literal, or_, select, union_all
from sqlalchemy.sql.selectable import CompoundSelect

from salesops.calendar import MonthReads, Period, month_end
from salesops.db import schema as s
from salesops.db.rollups_cash import paid_valid, whole_days
from salesops.db.rollups_orders import field_bits, flag, rollup_facts, status_keys, status_sums
from salesops.db.schema_orders import STATUS_SUMS
from salesops.db.sqlfuncs import unindexed
from salesops.repository.base import Scope
from salesops.repository.cash_periods import order_source
from salesops.repository.frames import DATE, FLOAT, INT, STR

ORDER_TOTALS = {
    "month": DATE, "territory_id": INT, "segment": STR, "rep_id": INT, "orders": INT,
    "first_orders": INT, "ordered_amount": FLOAT, "invoiced_orders": INT,
    "invoiced_amount": FLOAT, "paid_orders": INT, "paid_amount": FLOAT,
    "nonpositive_orders": INT, "paid_before_invoiced": INT, "paid_not_invoiced": INT,
}  # fmt: skip
COMPLETENESS = {
    "territory_id": INT, "segment": STR, "rep_id": INT, "complete": INT, "orders": INT,
    "amount": FLOAT, "paid_orders": INT, "days_to_pay_sum": FLOAT, "days_to_cash_sum": FLOAT,
}  # fmt: skip
ORDER_STATUS = {
    **dict(list(ORDER_TOTALS.items())[:4]), "complete": INT, **dict(list(ORDER_TOTALS.items())[4:]),
    "paid_valid_orders": INT, "days_to_pay_sum": FLOAT, "days_to_cash_sum": FLOAT,
}  # fmt: skip
SUMS = tuple(STATUS_SUMS)  # the status rows' sums (ORDER_STATUS's, after its keys)


def _keys(mask: ColumnElement, orders: ColumnElement, fields: Sequence[str]) -> list[ColumnElement]:
    """Returns "complete" (no field of `fields` missing in `mask`) and missing_<field> sums."""
    return [
        flag(mask.op("&")(field_bits(tuple(fields))) == 0).label("complete"),
        *(
            case((mask.op("&")(field_bits((f,))) != 0, orders), else_=0).label(f"missing_{f}")
            for f in fields
        ),
    ]


def _labelled(sums: dict[str, ColumnElement]) -> list[ColumnElement]:
    return [value.label(name) for name, value in sums.items()]


def _status_from_orders(
    end: date, scope: Scope, fields: Sequence[str], exact: bool, sign: int,
    *where: ColumnElement[bool],
) -> Select:  # fmt: skip
    """Returns the orders meeting `where` as status rows (see `status_rows`), `sign` each.

    Statuses as of `end`: exact (by the dates) or month-level (by the invoice and payment
    months, as the rollup tells them for a period ending on a month's last day).
    """
    od = s.orders.c
    month, territory, segment, rep, inv_month, paid_month, booking, _, nonpos, mask = status_keys()
    end_month = end.replace(day=1)
    invoiced, paid = (
        (od.invoiced_at <= end, od.paid_at <= end)
        if exact
        else (inv_month <= end_month, paid_month <= end_month)
    )
    facts = {
        "booking": booking, "nonpositive": nonpos, "not_invoiced": od.invoiced_at.is_(None),
        "valid": paid_valid(), "days_to_pay": whole_days(od.invoiced_at, od.paid_at) * sign,
        "days_to_cash": whole_days(od.ordered_at, od.paid_at) * sign,
    }  # fmt: skip
    orders = literal(sign)
    joined, scoped = order_source(scope)
    return (
        select(
            month.label("month"),
            territory.label("territory_id"),
            segment.label("segment"),
            rep.label("rep_id"),
            *_keys(mask, orders, fields),
            *_labelled(status_sums(orders, od.amount * sign, facts, invoiced, paid)),
        )  # fmt: skip
        .select_from(joined)
        .where(scoped, *where)
    )


def _settled_after(months: Period, end_month: date, scope: Scope, fields: Sequence[str]) -> Select:
    """Returns what the status rollup's rows of `months` settled after `end_month` change.

    Those invoiced or paid after it: their sums as of `end_month` less their sums as known
    today (rollup_order_status_scopes' statuses), read through the payment-month and
    invoice-month indexes, the month written so that no index on it is taken instead.
    """
    r = s.order_rollups.status.c
    then = status_sums(r.orders, r.amount, rollup_facts(), r.invoiced_month <= end_month,
                       r.paid_month <= end_month)  # fmt: skip
    today = status_sums(r.orders, r.amount, rollup_facts(), r.invoiced_month.is_not(None),
                        r.paid_month.is_not(None))  # fmt: skip
    return select(
        r.month, r.territory_id, r.segment, r.rep_id, *_keys(r.missing, literal(0), fields),
        *((then[name] - today[name]).label(name) for name in SUMS),
    ).where(
        or_(r.paid_month > end_month, r.invoiced_month > end_month),
        unindexed(r.month).between(months.start, months.end),
        scope.clause(r.territory_id, r.segment, r.rep_id),
    )  # fmt: skip


def _status_from_summary(months: Period, end: date, scope: Scope, fields: Sequence[str]) -> list:
    """Returns the status rows of `months`, as of the month of `end`, from the rollups.

    rollup_order_status_scopes, with every status as known today, put right for the rows
    settled after the end's month (`_settled_after`).
    """
    c = s.rollup_order_status_scopes.c
    summary = select(
        c.month, c.territory_id, c.segment, c.rep_id, *_keys(c.missing, c.orders, fields),
        *(c[name] for name in SUMS),
    ).where(c.month.between(months.start, months.end),
            scope.clause(c.territory_id, c.segment, c.rep_id))  # fmt: skip
    return [summary, _settled_after(months, end.replace(day=1), scope, fields)]


def status_rows(
    period: Period, scope: Scope, fields: Sequence[str] = (), reads: MonthReads | None = None
) -> CompoundSelect | Select:
    """Returns the orders placed in `period` as status rows, their statuses as of its end.

    Columns: month, territory_id, segment, rep_id, complete (1: every field of `fields`
    captured), missing_<field> (orders lacking it) for each of `fields`, then the sums of
    rollups_orders.status_sums (orders, first_orders, ordered_amount, invoiced_orders, ...,
    days_to_pay_sum, days_to_cash_sum): to be summed per the keys wanted.

    `reads` (calendar.month_reads; None: every order of the period from the orders) tells
    which months come from the rollups (`_status_from_summary`), which tell what was done by
    a period ending on a month's last day: days of those months outside the period
    (`reads.take`) are taken off with the same month-level rows, read from the orders. A
    period ending mid-month has that month as a partial edge; the rollup-read orders
    invoiced or paid after its end but inside that month are put right from the orders
    (their month-level rows taken off, their exact rows added: nothing when the end is the
    data's last day). Days in `reads.add` are read from the orders exactly.
    """
    end, od = period.end, s.orders.c
    reads = reads or MonthReads(None, [period], [])
    parts: list[Select] = []
    if reads.months is not None:
        months = reads.months
        parts.extend(_status_from_summary(months, end, scope, fields))
        for outside in reads.take:  # the rollup's rows of days outside the period
            ordered = od.ordered_at.between(outside.start, outside.end)
            parts.append(_status_from_orders(end, scope, fields, False, -1, ordered))
        if end != month_end(end):  # done after the end, inside its month: month-level wrong
            after = or_(
                od.invoiced_at.between(end + timedelta(days=1), month_end(end)),
                od.paid_at.between(end + timedelta(days=1), month_end(end)),
            )
            ordered = od.ordered_at.between(max(months.start, period.start),
                                            min(months.end, end))  # fmt: skip
            parts.append(_status_from_orders(end, scope, fields, False, -1, ordered, after))
            parts.append(_status_from_orders(end, scope, fields, True, 1, ordered, after))
    for edge in reads.add:
        ordered = od.ordered_at.between(edge.start, edge.end)
        parts.append(_status_from_orders(end, scope, fields, True, 1, ordered))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def order_status_parts(
    status: pd.DataFrame, fields: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (`cash_order_totals`, `cash_completeness`) summed from `cash_order_status`."""
    parts = []
    for keys, columns, renamed in (
        (["month", "territory_id", "segment", "rep_id"], ORDER_TOTALS, {}),
        (["territory_id", "segment", "rep_id", "complete"], COMPLETENESS,
         {"ordered_amount": "amount", "paid_valid_orders": "paid_orders"}),
    ):  # fmt: skip
        frame = status.drop(columns="paid_orders") if renamed else status
        frame = frame.rename(columns=renamed)
        wanted = list(columns) + ([f"missing_{f}" for f in fields] if renamed else [])
        sums = [c for c in wanted if c not in keys]
        summed = frame.groupby(keys, dropna=False, as_index=False, sort=False)[sums].sum()
        segment = summed["segment"].astype(object)  # grouping made it pandas' str dtype
        summed["segment"] = segment.where(segment.notna(), None)
        parts.append(summed[wanted].reset_index(drop=True))
    return parts[0], parts[1]
