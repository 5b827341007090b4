"""Receivables in aging buckets on an as-of date, read from rollup_receivable_days.

An order is owed on `as_of` when placed by then and not paid by then; its bucket comes from
its invoice day (see `aging_case`). The rollup holds order and payment months, so a
month's last day reads it exactly; a date inside a month reads it as of that month's last
day, then takes off the orders placed after `as_of` inside the month (still unpaid at its
end) and adds back those paid after `as_of` inside the month (placed by `as_of`): two
index ranges of the orders, empty when `as_of` is the data's last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, literal, or_, select, union_all
from sqlalchemy.sql.selectable import CompoundSelect

from salesops.calendar import month_end
from salesops.db import schema as s
from salesops.db.rollups_cash import order_rep, whole_days
from salesops.repository.base import Scope
from salesops.repository.cash_periods import order_source

NOT_INVOICED = "not invoiced"


def aging_labels(edges: Sequence[int]) -> list[str]:
    """Returns the aging buckets in order: "current", "1-30", "31-60", "61-90", "90+"."""
    labels, low = ["current"], 1
    for edge in edges:
        labels.append(f"{low}-{edge}")
        low = edge + 1
    return [*labels, f"{edges[-1]}+" if edges else "1+"]


def aging_bucket(days_past_due: ColumnElement, edges: Sequence[int]) -> ColumnElement:
    """Returns the aging bucket label of `days_past_due` (see `aging_labels`)."""
    labels = aging_labels(edges)
    whens: list[tuple[ColumnElement[bool], str]] = [(days_past_due <= 0, labels[0])]
    for edge, label in zip(edges, labels[1:-1], strict=True):
        whens.append((days_past_due <= edge, label))
    return case(*whens, else_=literal(labels[-1]))


def aging_case(
    invoiced_at: ColumnElement, as_of: date, terms_days: int, edges: Sequence[int]
) -> ColumnElement:
    """Returns the bucket of an unpaid order invoiced on `invoiced_at`, on `as_of`."""
    past_due = whole_days(invoiced_at, literal(as_of, s.orders.c.ordered_at.type))
    return case(
        (invoiced_at <= as_of, aging_bucket(past_due - terms_days, edges)), else_=NOT_INVOICED
    )


def aging_rows(as_of: date, terms_days: int, edges: Sequence[int], scope: Scope) -> CompoundSelect:
    """Returns signed rows of what is owed on `as_of`, to be summed per bucket and scope.

    Columns: territory_id, segment, rep_id, bucket, orders (+1 or -1 per order), amount.
    """
    r, od, a = s.rollup_receivable_days.c, s.orders.c, s.accounts.c
    month, end = as_of.replace(day=1), month_end(as_of)
    parts: list[Select] = [
        select(
            r.territory_id, r.segment, r.rep_id,
            aging_case(r.invoiced_at, as_of, terms_days, edges).label("bucket"),
            r.orders, r.amount,
        ).where(r.ordered_month <= month, unpaid, scope.clause(r.territory_id, r.segment, r.rep_id))
        for unpaid in (r.paid_month.is_(None), r.paid_month > month)
    ]  # fmt: skip
    if as_of != end:
        joined, where = order_source(scope)
        after = od.paid_at.between(as_of + timedelta(days=1), end)
        for sign, condition in (
            (-1, and_(od.ordered_at.between(as_of + timedelta(days=1), end),
                      or_(od.paid_at.is_(None), od.paid_at > end))),
            (1, and_(after, od.ordered_at <= as_of)),
        ):  # fmt: skip
            parts.append(
                select(
                    a.territory_id, a.segment, order_rep().label("rep_id"),
                    aging_case(od.invoiced_at, as_of, terms_days, edges).label("bucket"),
                    literal(sign).label("orders"), (od.amount * sign).label("amount"),
                ).select_from(joined).where(condition, where)
            )  # fmt: skip
    return union_all(*parts)
