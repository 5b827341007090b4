"""Order-to-cash status rows: the orders placed in a period, their flags as of its end.

`status_rows` reads them from rollup_order_status_months for the months
calendar.month_reads gives it, put right from the orders, and from the orders for the
rest; `CashQueries.cash_order_totals`, `cash_completeness` and `cash_order_status` sum
them, and `order_status_parts` sums the last into the first two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, literal, or_, select, union_all
from sqlalchemy.sql.selectable import CompoundSelect

from salesops.calendar import MonthReads, Period, month_end
from salesops.db import schema as s
from salesops.db.rollups_cash import paid_valid, whole_days
from salesops.db.rollups_orders import field_bits, flag, status_keys
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


def _status_flags(
    invoiced: ColumnElement[bool],
    paid: ColumnElement[bool],
    not_invoiced: ColumnElement[bool],
    on_or_after_invoice: ColumnElement[bool],
) -> list[ColumnElement]:
    """Returns the as-of flags of status rows (1/0).

    From "invoiced by then", "paid by then", "never invoiced", "paid on or after the invoice".
    """
    return [
        flag(invoiced).label("invoiced"),
        flag(paid).label("paid"),
        flag(and_(paid, ~not_invoiced, ~on_or_after_invoice)).label("paid_before_invoiced"),
        flag(and_(paid, not_invoiced)).label("paid_not_invoiced"),
        flag(and_(paid, on_or_after_invoice)).label("paid_valid"),
    ]


def _completeness_flags(mask: ColumnElement, fields: Sequence[str]) -> list[ColumnElement]:
    """Returns "complete" (no field of `fields` missing) and missing_<field> flags of `mask`."""
    return [
        flag(mask.op("&")(field_bits(tuple(fields))) == 0).label("complete"),
        *(flag(mask.op("&")(field_bits((f,))) != 0).label(f"missing_{f}") for f in fields),
    ]


def _status_from_orders(
    end: date, scope: Scope, fields: Sequence[str], exact: bool, sign: int,
    *where: ColumnElement[bool],
) -> Select:  # fmt: skip
    """Returns the orders meeting `where` as status rows (see `status_rows`), `sign` each.

    Flags as of `end`: exact (by the dates) or month-level (by the invoice and payment
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
    valid_paid = and_(paid, paid_valid())
    joined, scoped = order_source(scope)
    return (
        select(
            month.label("month"),
            territory.label("territory_id"),
            segment.label("segment"),
            rep.label("rep_id"),
            booking.label("booking"),
            nonpos.label("nonpositive"),
            *_completeness_flags(mask, fields),
            *_status_flags(invoiced, paid, od.invoiced_at.is_(None), paid_valid()),
            literal(sign).label("orders"),
            (od.amount * sign).label("amount"),
            (case((valid_paid, whole_days(od.invoiced_at, od.paid_at)), else_=0) * sign).label(
                "days_to_pay"
            ),
            (case((valid_paid, whole_days(od.ordered_at, od.paid_at)), else_=0) * sign).label(
                "days_to_cash"
            ),
        )  # fmt: skip
        .select_from(joined)
        .where(scoped, *where)
    )


def _status_from_rollup(whole: Period, end: date, scope: Scope, fields: Sequence[str]) -> Select:
    """Returns the status rows of `whole` months from the rollup, flags by month as of `end`."""
    r, end_month = s.order_rollups.status.c, end.replace(day=1)
    paid = r.paid_month <= end_month
    valid_paid = and_(paid, r.paid_valid == 1)
    return select(
        r.month, r.territory_id, r.segment, r.rep_id, r.booking, r.nonpositive,
        *_completeness_flags(r.missing, fields),
        *_status_flags(r.invoiced_month <= end_month, paid, r.invoiced_month.is_(None),
                       r.paid_valid == 1),
        r.orders, r.amount,
        case((valid_paid, r.days_to_pay), else_=0).label("days_to_pay"),
        case((valid_paid, r.days_to_cash), else_=0).label("days_to_cash"),
    ).where(
        r.month.between(whole.start, whole.end), scope.clause(r.territory_id, r.segment, r.rep_id)
    )  # fmt: skip


def status_rows(
    period: Period, scope: Scope, fields: Sequence[str] = (), reads: MonthReads | None = None
) -> CompoundSelect | Select:
    """Returns the orders placed in `period` as status rows, their flags as of its end.

    Columns: month, territory_id, segment, rep_id, booking, nonpositive, complete (every
    field of `fields` captured), missing_<field> for each of `fields`, the flags of
    `_status_flags`, orders, amount, days_to_pay and days_to_cash (over orders paid on or
    after their invoice by the period's end; 0 otherwise). Sum orders × a flag to count.

    `reads` (calendar.month_reads; None: every order of the period from the orders) tells
    which months come from rollup_order_status_months, whose invoice and payment months
    tell what was done by a period ending on a month's last day: days of those months
    outside the period (`reads.take`) are taken off with the same month-level rows, read
    from the orders. A period ending mid-month has that month as a partial edge; the
    rollup-read orders invoiced or paid after its end but inside that month are put right
    from the orders (their month-level rows taken off, their exact rows added: nothing when
    the end is the data's last day). Days in `reads.add` are read from the orders exactly.
    """
    end, od = period.end, s.orders.c
    reads = reads or MonthReads(None, [period], [])
    parts: list[Select] = []
    if reads.months is not None:
        months = reads.months
        parts.append(_status_from_rollup(months, end, scope, fields))
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
