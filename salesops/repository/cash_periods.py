"""Order-to-cash reads split at whole months: bookings and approvals.

Whole months of a period come from their rollups (salesops.db.schema_bookings,
schema_approvals), partial edge months from the base tables with the same expressions;
salesops.repository.cash sums the parts. `Source` "raw" reads the whole period from the
base tables (what the rollups must equal).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CompoundSelect

from salesops.calendar import MonthReads, Period, month_end
from salesops.db import schema as s
from salesops.db.rollups_approvals import approval_counts, approval_hours, approval_minutes
from salesops.db.rollups_bookings import is_won, won_deals
from salesops.db.rollups_cash import order_join, order_rep
from salesops.db.rollups_orders import flag
from salesops.repository.base import Scope

Source = Literal["auto", "raw"]


def order_source(scope: Scope, from_orders: bool = False):
    """Returns orders ⋈ accounts ⟕ opportunities and the scope's WHERE clause.

    from_orders=True writes the territory as `territory_id + 0`, which no index serves: for
    a range of the orders that should drive the join (SQLite, without statistics, would
    otherwise read every order of the territory's accounts through ix_orders_account_id).

    A scope limited to reps also gets the clause's orders-only part (the order's own rep is
    one of them, or it has none): implied by the clause, it is checked before the joins, so
    only a rep's orders are looked up in the accounts and deals, not every order read. It
    is written as a coalesce, which no index serves: an OR of the two would have SQLite
    read every order of the reps through ix_orders_rep_id instead of the range it was
    given.
    """
    a, od = s.accounts.c, s.orders.c
    territory = a.territory_id + 0 if from_orders else a.territory_id
    where = scope.clause(territory, a.segment, order_rep())
    if scope.rep_ids:
        own = func.coalesce(od.rep_id, scope.rep_ids[0]).in_(scope.rep_ids)
        where = and_(own, where)
    return order_join(), where


def _bookings_from_deals(
    closed: Period, end: date, scope: Scope, *where: ColumnElement[bool]
) -> Select:
    """Returns the deals won in `closed` (and meeting `where`) as bookings rows, one each.

    ordered_deals / ordered_amount count the deals with an order placed by `end`.
    """
    o, a, od = s.opportunities.c, s.accounts.c, s.orders.c
    ordered = exists(select(od.id).where(od.opportunity_id == o.id, od.ordered_at <= end))
    return (
        select(
            a.territory_id,
            a.segment,
            o.rep_id,
            literal(1).label("deals"),
            o.amount.label("amount"),
            flag(ordered).label("ordered_deals"),
            case((ordered, o.amount), else_=0.0).label("ordered_amount"),
        )  # fmt: skip
        .select_from(won_deals())
        .where(
            is_won(),
            o.closed_at.between(closed.start, closed.end),
            scope.clause(a.territory_id, a.segment, o.rep_id),
            *where,
        )
    )


def bookings_rows(period: Period, scope: Scope, reads: MonthReads) -> CompoundSelect | Select:
    """Returns the deals won in `period` as bookings rows (to be summed per scope).

    Columns: territory_id, segment, rep_id, deals, amount, ordered_deals, ordered_amount.
    The months of `reads` (calendar.month_reads) come from rollup_won_first_orders,
    "ordered by the end" from the first order's month; their deals won on days outside
    the period (`reads.take`) are taken off with the same month-level rows, read from the
    deals. A period ending mid-month has that month as a partial edge: the rollup-read
    deals first ordered after the end, inside its month, are taken off the ordered counts
    (read from the orders placed then: none when the end is the data's last day). Days in
    `reads.add` are read from the deals.
    """
    end = period.end
    parts: list[Select] = []
    if reads.months is not None:
        months = reads.months
        r = s.rollup_won_first_orders.c
        ordered = r.first_order_month <= end.replace(day=1)
        parts.append(
            select(
                r.territory_id, r.segment, r.rep_id, r.deals, r.amount,
                case((ordered, r.deals), else_=0).label("ordered_deals"),
                case((ordered, r.amount), else_=0.0).label("ordered_amount"),
            ).where(
                r.month.between(months.start, months.end),
                scope.clause(r.territory_id, r.segment, r.rep_id),
            )
        )  # fmt: skip
        for outside in reads.take:  # as the rollup counts them: ordered by the end's month
            taken = _bookings_from_deals(outside, month_end(end), scope).subquery()
            c = taken.c
            parts.append(_bookings(c, -c.deals, -c.amount, -c.ordered_deals, -c.ordered_amount))
        if end != month_end(end):  # first ordered after the end, inside its month
            o, od = s.opportunities.c, s.orders.c
            later = select(od.opportunity_id).where(
                od.ordered_at.between(end + timedelta(days=1), month_end(end))
            )
            before = exists(select(od.id).where(od.opportunity_id == o.id, od.ordered_at <= end))
            won = Period(max(months.start, period.start), min(months.end, end))
            late = _bookings_from_deals(won, end, scope, o.id.in_(later), ~before).subquery()
            c = late.c
            parts.append(_bookings(c, literal(0), literal(0.0), literal(-1), -c.amount))
    parts.extend(_bookings_from_deals(edge, end, scope) for edge in reads.add)
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _bookings(
    c,
    deals: ColumnElement,
    amount: ColumnElement,
    ordered: ColumnElement,
    ordered_amount: ColumnElement,
) -> Select:
    """Returns bookings rows of columns `c` (a subquery's) with the given counts and sums."""
    return select(
        c.territory_id, c.segment, c.rep_id, deals.label("deals"), amount.label("amount"),
        ordered.label("ordered_deals"), ordered_amount.label("ordered_amount"),
    )  # fmt: skip


def approvals_from_orders(period: Period, scope: Scope, by: str) -> Select:
    """Returns the orders approved in `period` grouped as `cash_approvals(by=by)` rows."""
    od, a = s.orders.c, s.accounts.c
    joined, where = order_source(scope)
    # Timestamps compare with the period's dates: up to the end day's last instant.
    end = period.end + timedelta(days=1)
    valid = and_(od.approved_at >= period.start, od.approved_at < end, approval_counts())
    keys: list[ColumnElement]
    if by == "minutes":
        keys = [od.approver.label("approver"), approval_minutes().label("minutes")]
        totals: list[ColumnElement] = [func.count().label("orders")]
    else:
        keys = [a.territory_id, a.segment, order_rep().label("rep_id")]
        totals = [func.count().label("orders"), func.sum(approval_hours()).label("hours_sum")]
    return select(*keys, *totals).select_from(joined).where(valid, where).group_by(*keys)


def approvals_from_rollup(months: Period, scope: Scope, by: str) -> Select:
    """Returns the approvals of the whole months of `months` from the approval rollups."""
    reps, minutes, histogram = s.approval_rollups
    if by == "minutes" and scope.is_everything:
        h = histogram.c
        keys: list[ColumnElement] = [h.approver, h.minutes]
        totals = [func.sum(h.orders).label("orders")]
        return (
            select(*keys, *totals).where(h.month.between(months.start, months.end)).group_by(*keys)
        )
    r = minutes.c if by == "minutes" else reps.c
    if by == "minutes":
        keys, totals = [r.approver, r.minutes], [func.sum(r.orders).label("orders")]
    else:
        keys = [r.territory_id, r.segment, r.rep_id]
        totals = [func.sum(r.orders).label("orders"), func.sum(r.hours).label("hours_sum")]
    return (
        select(*keys, *totals)
        .where(
            r.month.between(months.start, months.end),
            scope.clause(r.territory_id, r.segment, r.rep_id),
        )
        .group_by(*keys)
    )
