"""Queries behind the Order-to-cash page: orders, invoices and payments, aggregated in SQL.

An order belongs to the territory and segment of its account and to its rep (`rep_id`: a
repeat order's is the rep of the deal behind it), else the rep of the deal it books
(`opportunity_id`); an order with neither has no rep, so a scope limited to reps leaves it
out. Statuses are read as of a date (`as_of`, usually the
period's end): an order is invoiced when `invoiced_at <= as_of` and paid when
`paid_at <= as_of`, so a past period shows what was known then.

Each leg of the cycle is counted when it ends: close→order in the order's month,
order→invoice in the invoice's month, invoice→paid in the payment's month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import Subquery

from salesops.calendar import MonthReads, Period, month_reads
from salesops.db import schema as s
from salesops.db.rollups_cash import LEGS as LEGS  # the legs, defined once with the rollup
from salesops.db.rollups_cash import cycle_legs, order_join, order_rep, whole_days
from salesops.db.rollups_orders import CAPTURE_FIELDS as CAPTURE_FIELDS  # defined once there
from salesops.db.rollups_orders import flag
from salesops.db.sqlfuncs import month_start
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.cash_aging import aging_case, aging_rows
from salesops.repository.cash_aging import aging_labels as aging_labels  # defined once there
from salesops.repository.cash_periods import (
    Source,
    approvals_from_orders,
    approvals_from_rollup,
    bookings_rows,
    order_source,
)
from salesops.repository.cash_status import (
    COMPLETENESS,
    ORDER_STATUS,
    ORDER_TOTALS,
    status_rows,
)
from salesops.repository.cash_status import order_status_parts as order_status_parts
from salesops.repository.frames import DATE, FLOAT, INT, STR, coerce

CycleBy = Literal["month", "dimension"]

BOOKINGS = {
    "territory_id": INT, "segment": STR, "rep_id": INT, "deals": INT, "amount": FLOAT,
    "ordered_deals": INT, "ordered_amount": FLOAT,
}  # fmt: skip
CYCLE_BY_MONTH = {"leg": STR, "month": DATE, "days": INT, "orders": INT, "amount": FLOAT}
CYCLE_BY_DIMENSION = {
    "leg": STR, "territory_id": INT, "segment": STR, "rep_id": INT, "orders": INT,
    "days_sum": FLOAT, "amount": FLOAT,
}  # fmt: skip
RECEIVABLES = {
    "territory_id": INT, "segment": STR, "rep_id": INT, "bucket": STR, "orders": INT,
    "amount": FLOAT,
}  # fmt: skip
SLOW_ACCOUNTS = {
    "account_id": INT, "account": STR, "territory_id": INT, "segment": STR, "open_orders": INT,
    "open_amount": FLOAT, "overdue_orders": INT, "overdue_amount": FLOAT,
    "most_days_past_due": INT,
}  # fmt: skip
APPROVAL_MINUTES = {"approver": STR, "minutes": INT, "orders": INT}
APPROVAL_REPS = {
    "territory_id": INT, "segment": STR, "rep_id": INT, "orders": INT, "hours_sum": FLOAT,
}  # fmt: skip
SLOW_ORDERS = {
    "order_id": INT, "external_id": STR, "account_id": INT, "account": STR,
    "opportunity_id": INT, "deal": STR, "rep_id": INT, "rep": STR, "ordered_at": DATE,
    "invoiced_at": DATE, "amount": FLOAT, "days_open": INT,
}  # fmt: skip


def _cycle_from_rollup(months: Period, scope: Scope, by: CycleBy) -> Select:
    """Returns `cash_cycle_days` of the whole months of `months`, read from the rollups.

    The whole company's histogram comes from rollup_order_cycle_histogram, a scope's from
    rollup_order_cycle_days; by="dimension" from rollup_order_cycle_scopes.
    """
    histogram, scopes = s.cycle_summaries
    if by == "month":
        r = (histogram if scope.is_everything else s.rollup_order_cycle_days).c
        keys: list[ColumnElement] = [r.leg, r.month, r.days]
        totals = [func.sum(r.orders), func.sum(r.amount)]
    else:
        r = scopes.c
        keys = [r.leg, r.territory_id, r.segment, r.rep_id]
        totals = [func.sum(r.orders), func.sum(r.days_sum), func.sum(r.amount)]
    where: list[ColumnElement[bool]] = [r.month.between(months.start, months.end)]
    if not (by == "month" and scope.is_everything):
        where.append(scope.clause(r.territory_id, r.segment, r.rep_id))
    return select(*keys, *totals).where(*where).group_by(*keys)


def _unpaid(
    as_of: date,
    scope: Scope,
    columns: Sequence[ColumnElement],
    source: Source,
    joined=None,
    never_paid: ColumnElement[bool] | None = None,
) -> Subquery:
    """Returns `columns` of the orders placed by `as_of` and not paid by then (in `scope`).

    Read as two ranges: never paid (ix_orders_never_paid, which holds every column read,
    limited further by `never_paid`, a condition on the index's columns), and paid after
    `as_of` (ix_orders_paid_at, driving the join); disjoint, so UNION ALL adds them up. An
    OR of the two makes PostgreSQL and SQLite scan every order. source="raw" writes the OR
    (and ignores `never_paid`, which must only narrow what the caller keeps anyway), to
    compare. `joined` defaults to `order_join()`.
    """
    od = s.orders.c
    base = order_join() if joined is None else joined
    placed = od.ordered_at <= as_of
    if source == "raw":
        _, where = order_source(scope)
        stmt = (
            select(*columns)
            .select_from(base)
            .where(placed, or_(od.paid_at.is_(None), od.paid_at > as_of), where)
        )
        return stmt.subquery("unpaid")
    first = [od.paid_at.is_(None)] + ([] if never_paid is None else [never_paid])
    parts = [
        select(*columns).select_from(base).where(placed, *first, order_source(scope)[1]),
        select(*columns)
        .select_from(base)
        .where(placed, od.paid_at > as_of, order_source(scope, from_orders=True)[1]),
    ]
    return union_all(*parts).subquery("unpaid")


def _ranking_join(scope: Scope) -> FromClause:
    """Returns what unpaid orders are ranked from: only the tables `scope` reads.

    The orders alone for the whole company; with their accounts for a territory or segment
    (SQLite does not drop an unread outer join, so order_join would look up every order's
    deal too); order_join when the scope names reps (an order's rep may be its deal's).
    """
    if scope.is_everything:
        return s.orders
    if not scope.rep_ids:
        return s.orders.join(s.accounts, s.accounts.c.id == s.orders.c.account_id)
    return order_join()


def _slow_accounts(rows, limit: int) -> Select:
    """Returns the `cash_slow_accounts` select over unpaid orders' rows.

    `rows`: account_id, amount, overdue (1/0), past_due. The `limit` accounts with the most
    overdue, worst first, named.
    """
    a = s.accounts.c
    overdue_amount = func.sum(rows.amount * rows.overdue)
    top = (
        select(
            rows.account_id,
            func.count().label("open_orders"),
            func.sum(rows.amount).label("open_amount"),
            func.sum(rows.overdue).label("overdue_orders"),
            overdue_amount.label("overdue_amount"),
            func.max(rows.past_due).label("most_days_past_due"),
        )  # fmt: skip
        .group_by(rows.account_id)
        .having(overdue_amount > 0)
        .order_by(overdue_amount.desc(), rows.account_id)
        .limit(limit)
        .subquery("top")
    )
    return (
        select(
            top.c.account_id,
            a.name,
            a.territory_id,
            a.segment,
            top.c.open_orders,
            top.c.open_amount,
            top.c.overdue_orders,
            top.c.overdue_amount,
            top.c.most_days_past_due,
        )  # fmt: skip
        .select_from(top.join(s.accounts, a.id == top.c.account_id))
        .order_by(top.c.overdue_amount.desc(), top.c.account_id)
    )


class CashQueries(RepositoryBase):
    """Named queries for the Order-to-cash page and `salesops cash`."""

    def order_bounds(self) -> dict[str, date | None]:
        """Returns the first order date and the last order, invoice or payment date.

        {"first": date|None, "last": date|None}; both None when there are no orders.
        """
        od = s.orders.c
        frame = self._frame(
            select(
                func.min(od.ordered_at),
                select(func.max(od.ordered_at)).scalar_subquery(),
                select(func.max(od.invoiced_at)).scalar_subquery(),
                select(func.max(od.paid_at)).scalar_subquery(),
            ),
            {"first": DATE, "ordered": DATE, "invoiced": DATE, "paid": DATE},
        )
        row = frame.iloc[0]
        last = row[["ordered", "invoiced", "paid"]].dropna()
        return {
            "first": None if pd.isna(row["first"]) else row["first"].date(),
            "last": None if last.empty else max(last).date(),
        }

    def _month_reads(self, period: Period, source: Source) -> MonthReads:
        """Returns how to read `period` (calendar.month_reads; "raw": the base tables only)."""
        if source == "raw":
            return MonthReads(None, [period], [])
        if period.is_whole_months:
            return MonthReads(period, [], [])
        return month_reads(period, self.order_bounds()["last"])

    def cash_order_totals(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns orders placed in `period` and how many were invoiced and paid by its end.

        Columns: month (of ordered_at), territory_id, segment, rep_id (None for an order
        without a linked deal), orders, first_orders (those booking a deal), ordered_amount,
        invoiced_orders, invoiced_amount, paid_orders, paid_amount, nonpositive_orders
        (amount <= 0), paid_before_invoiced, paid_not_invoiced (paid, no invoice date).
        Months come from the status rollups (see `status_rows` and calendar.month_reads;
        source="raw" reads the orders only).
        """
        rows = status_rows(period, scope, (), self._month_reads(period, source)).subquery("status")
        c = rows.c
        keys = [c.month, c.territory_id, c.segment, c.rep_id]
        sums = [func.sum(c[name]) for name in list(ORDER_TOTALS)[4:]]
        stmt = select(*keys, *sums).group_by(*keys).having(func.sum(c.orders) != 0)
        return self._frame(stmt, ORDER_TOTALS)

    def cash_bookings(
        self, period: Period, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns deals won in `period` and how many had an order by its end.

        Columns: territory_id, segment, rep_id, deals, amount, ordered_deals, ordered_amount.
        Months come from rollup_won_first_orders (see cash_periods.bookings_rows and
        calendar.month_reads; source="raw" reads the deals only).
        """
        rows = bookings_rows(period, scope, self._month_reads(period, source)).subquery("bookings")
        c = rows.c
        keys = [c.territory_id, c.segment, c.rep_id]
        stmt = select(
            *keys, func.sum(c.deals), func.sum(c.amount), func.sum(c.ordered_deals),
            func.sum(c.ordered_amount),
        ).group_by(*keys).having(func.sum(c.deals) != 0)  # fmt: skip
        return self._frame(stmt, BOOKINGS)

    def cash_cycle_days(
        self, period: Period, scope: Scope = EVERYTHING, by: CycleBy = "month"
    ) -> pd.DataFrame:
        """Returns the days each leg of order to cash took, for legs ending in `period`.

        Legs: close_to_order (deal closed → ordered, in the order's month), order_to_invoice
        (in the invoice's month), invoice_to_paid (in the payment's month); a payment dated
        before its invoice is left out of invoice_to_paid (the totals count it).
        by="month" columns: leg, month, days (whole days), orders, amount.
        by="dimension" columns: leg, territory_id, segment, rep_id, orders, days_sum, amount.
        Months are read from rollup_order_cycle_days (less the legs ending on their days
        outside the period, read from the orders), other partial months from the orders
        (calendar.month_reads).
        """
        columns = CYCLE_BY_MONTH if by == "month" else CYCLE_BY_DIMENSION
        reads = self._month_reads(period, "auto")
        frames = [self._cycle_from_orders(edge, scope, by) for edge in reads.add]
        if reads.months is not None:
            frames.append(self._frame(_cycle_from_rollup(reads.months, scope, by), columns))
        sums = ["orders", "amount"] + (["days_sum"] if by == "dimension" else [])
        for outside in reads.take:  # legs ending on the rollup's days outside the period
            taken = self._cycle_from_orders(outside, scope, by)
            frames.append(taken.assign(**{c: -taken[c] for c in sums}))
        if len(frames) == 1:
            return frames[0]
        both = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
        if by == "month" and not reads.take:  # the parts are different months: nothing to add
            return both
        keys = ["leg", "month", "days"] if by == "month" else ["leg", "territory_id", "segment",
                                                               "rep_id"]  # fmt: skip
        summed = both.groupby(keys, dropna=False, as_index=False, sort=False).sum()
        summed = summed[summed["orders"] != 0]
        return coerce(list(summed[list(columns)].itertuples(index=False, name=None)), columns)

    def _cycle_from_orders(self, period: Period, scope: Scope, by: CycleBy) -> pd.DataFrame:
        """Returns `cash_cycle_days` for `period` read from the orders themselves.

        The whole company's days by month need no account: the orders alone are read (with
        the deal, for its close date, on close_to_order only).
        """
        od, a, o = s.orders.c, s.accounts.c, s.opportunities.c
        joined, where = order_source(scope)
        selects: list[Select] = []
        for name, first, second, valid in cycle_legs():
            source = joined
            if by == "month" and scope.is_everything:
                source = (
                    s.orders.outerjoin(s.opportunities, o.id == od.opportunity_id)
                    if name == "close_to_order"
                    else s.orders
                )
            days = whole_days(first, second)
            keys: list[ColumnElement]
            if by == "month":
                keys = [month_start(second), days]
                totals = [func.count(), func.sum(od.amount)]
            else:
                keys = [a.territory_id, a.segment, order_rep()]
                totals = [func.count(), func.sum(days), func.sum(od.amount)]
            selects.append(
                select(literal(name).label("leg"), *keys, *totals)
                .select_from(source)
                .where(second.between(period.start, period.end), valid, where)
                .group_by(*keys)
            )
        columns = CYCLE_BY_MONTH if by == "month" else CYCLE_BY_DIMENSION
        return self._frame(union_all(*selects), columns)

    def cash_receivables(
        self,
        as_of: date,
        terms_days: int,
        edges: Sequence[int],
        scope: Scope = EVERYTHING,
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns what is ordered but not yet paid on `as_of`, by aging bucket.

        Buckets: "not invoiced" (ordered, no invoice by as_of), "current" (invoiced, not
        yet `terms_days` old), then days past due "1-<edges[0]>", ..., "<last+1>+".
        Columns: territory_id, segment, rep_id, bucket, orders, amount. Read from
        rollup_receivable_days (see cash_aging.aging_rows); source="raw" reads the orders
        with one OR.
        """
        if source == "raw":
            od, a = s.orders.c, s.accounts.c
            bucket = aging_case(od.invoiced_at, as_of, terms_days, edges)
            columns = [a.territory_id, a.segment, order_rep().label("rep_id"),
                       bucket.label("bucket"), literal(1).label("orders"), od.amount]  # fmt: skip
            rows = _unpaid(as_of, scope, columns, source)
        else:
            rows = aging_rows(as_of, terms_days, edges, scope).subquery("aging")
        # Grouped outside: PostgreSQL does not match a GROUP BY expression holding bound
        # parameters to the same expression in the SELECT list.
        keys = [rows.c.territory_id, rows.c.segment, rows.c.rep_id, rows.c.bucket]
        orders = func.sum(rows.c.orders)
        stmt = select(*keys, orders, func.sum(rows.c.amount)).group_by(*keys).having(orders != 0)
        return self._frame(stmt, RECEIVABLES)

    def cash_slow_accounts(
        self,
        as_of: date,
        terms_days: int,
        limit: int,
        scope: Scope = EVERYTHING,
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns the accounts with the most overdue receivables on `as_of`, worst first.

        Columns: account_id, account, territory_id, segment, open_orders, open_amount (ordered,
        unpaid), overdue_orders, overdue_amount (invoiced more than terms_days ago, unpaid),
        most_days_past_due. Unpaid orders are read as in `cash_receivables`.
        """
        od = s.orders.c
        past_due = whole_days(od.invoiced_at, literal(as_of, od.ordered_at.type)) - terms_days
        overdue = and_(od.invoiced_at <= as_of, past_due > 0)
        columns = [
            od.account_id, od.amount, flag(overdue).label("overdue"),
            case((overdue, past_due), else_=0).label("past_due"),
        ]  # fmt: skip
        if source == "raw":
            return self._frame(_slow_accounts(_unpaid(as_of, scope, columns, source).c, limit),
                               SLOW_ACCOUNTS)  # fmt: skip
        # Ranked from the overdue orders alone (invoiced before as_of - terms: for the never
        # paid, a range of the covering ix_orders_never_paid; the whole company's from the
        # orders alone), then the top accounts' unpaid orders read through their account.
        joined = _ranking_join(scope)
        due = od.invoiced_at < as_of - timedelta(days=terms_days)
        flagged = _unpaid(
            as_of,
            scope,
            [od.account_id, od.amount, flag(overdue).label("overdue")],
            source,
            joined,
            due,
        ).c
        late = select(flagged.account_id, flagged.amount).where(flagged.overdue == 1).subquery().c
        total = func.sum(late.amount)
        top = (
            select(late.account_id)
            .group_by(late.account_id)
            .having(total > 0)
            .order_by(total.desc(), late.account_id)
            .limit(limit)
            .subquery("top")
        )
        base, where = order_source(scope)
        unpaid = or_(od.paid_at.is_(None), od.paid_at > as_of)  # within an account: two ranges
        rows = (
            select(*columns)
            .select_from(base.join(top, top.c.account_id == od.account_id))
            .where(od.ordered_at <= as_of, unpaid, where)
            .subquery("unpaid")
        )
        return self._frame(_slow_accounts(rows.c, limit), SLOW_ACCOUNTS)

    def cash_slow_orders(
        self, as_of: date, limit: int, scope: Scope = EVERYTHING, source: Source = "auto"
    ) -> pd.DataFrame:
        """Returns the unpaid orders holding the most cash for longest on `as_of`, with deals.

        Ranked by amount × days since ordered. Columns: order_id, external_id, account_id,
        account, opportunity_id, deal, rep_id, rep, ordered_at, invoiced_at (None when not
        yet invoiced by as_of), amount, days_open (since ordered). Unpaid orders are read
        as in `cash_receivables`.
        """
        od, a, o, r = s.orders.c, s.accounts.c, s.opportunities.c, s.reps.c
        days_open = whole_days(od.ordered_at, literal(as_of, od.ordered_at.type))
        # Ranked first (from the orders alone for the whole company), then joined.
        joined = _ranking_join(scope) if source == "auto" else None
        rows = _unpaid(as_of, scope, [od.id, (od.amount * days_open).label("held")], source,
                       joined).c  # fmt: skip
        top = select(rows.id, rows.held).order_by(rows.held.desc(), rows.id).limit(limit)
        ranked = top.subquery("top")
        invoiced_at = case((od.invoiced_at <= as_of, od.invoiced_at), else_=None)
        stmt = (
            select(
                od.id,
                od.external_id,
                a.id,
                a.name,
                o.id,
                o.name,
                order_rep(),
                r.name,
                od.ordered_at,
                invoiced_at,
                od.amount,
                days_open,
            )  # fmt: skip
            .select_from(
                ranked.join(s.orders, od.id == ranked.c.id)
                .join(s.accounts, a.id == od.account_id)
                .outerjoin(s.opportunities, o.id == od.opportunity_id)
                .outerjoin(s.reps, r.id == order_rep())
            )
            .order_by(ranked.c.held.desc(), ranked.c.id)
        )
        return self._frame(stmt, SLOW_ORDERS)

    def cash_completeness(
        self,
        period: Period,
        fields: Sequence[str],
        scope: Scope = EVERYTHING,
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns orders placed in `period`, complete (every field in `fields`) or not.

        Columns: territory_id, segment, rep_id, complete (1/0), orders, amount, paid_orders
        (paid by the period's end, not before the invoice), days_to_pay_sum (invoice →
        paid over those), days_to_cash_sum (order → paid over those), then missing_<field>
        (orders lacking it) for each of `fields`. Months come from the status rollups (see
        `status_rows` and calendar.month_reads; source="raw" reads the orders only).
        """
        reads = self._month_reads(period, source)
        c = status_rows(period, scope, fields, reads).subquery("status").c
        keys = [c.territory_id, c.segment, c.rep_id, c.complete]
        sums = ["orders", "ordered_amount", "paid_valid_orders", "days_to_pay_sum",
                "days_to_cash_sum", *(f"missing_{f}" for f in fields)]  # fmt: skip
        stmt = select(*keys, *(func.sum(c[name]) for name in sums))
        stmt = stmt.group_by(*keys).having(func.sum(c.orders) != 0)
        return self._frame(stmt, {**COMPLETENESS, **{f"missing_{f}": INT for f in fields}})

    def cash_order_status(
        self,
        period: Period,
        fields: Sequence[str],
        scope: Scope = EVERYTHING,
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns `cash_order_totals` and `cash_completeness` in one read of the status rows.

        Columns: month, territory_id, segment, rep_id, complete, the sums of both (the
        completeness's paid_orders as paid_valid_orders), one row per their keys together;
        `order_status_parts` sums it into each frame, to the same rows as theirs.
        """
        rows = status_rows(period, scope, fields, self._month_reads(period, source))
        c = rows.subquery("status").c
        keys = [c.month, c.territory_id, c.segment, c.rep_id, c.complete]
        sums = [*list(ORDER_STATUS)[5:], *(f"missing_{f}" for f in fields)]
        stmt = select(*keys, *(func.sum(c[name]) for name in sums))
        stmt = stmt.group_by(*keys).having(func.sum(c.orders) != 0)
        return self._frame(stmt, {**ORDER_STATUS, **{f"missing_{f}": INT for f in fields}})

    def cash_approvals(
        self,
        period: Period,
        scope: Scope = EVERYTHING,
        by: Literal["minutes", "rep"] = "minutes",
        source: Source = "auto",
    ) -> pd.DataFrame:
        """Returns orders approved in `period` (approved_at) and the hours approval took.

        Hours run from approval_requested_at to approved_at; orders without both are left
        out. by="minutes" columns: approver, minutes (whole minutes; timestamps are kept to
        the minute), orders. by="rep" columns: territory_id, segment, rep_id, orders,
        hours_sum. The months of calendar.month_reads come from the approval rollups (the
        histogram without the scope for the whole company), less the approvals on their
        days outside the period; other partial months, and every month with source="raw",
        from the orders.
        """
        reads = self._month_reads(period, source)
        parts = [approvals_from_orders(edge, scope, by) for edge in reads.add]
        if reads.months is not None:
            parts.append(approvals_from_rollup(reads.months, scope, by))
        for outside in reads.take:  # the rollup's approvals on days outside the period
            taken = approvals_from_orders(outside, scope, by).subquery()
            sums = ["orders"] + ([] if by == "minutes" else ["hours_sum"])
            parts.append(select(*((-c).label(c.name) if c.name in sums else c for c in taken.c)))
        rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("approvals")
        c = rows.c
        keys = [c.approver, c.minutes] if by == "minutes" else [c.territory_id, c.segment,
                                                                c.rep_id]  # fmt: skip
        orders = func.sum(c.orders)
        totals = [orders] + ([] if by == "minutes" else [func.sum(c.hours_sum)])
        columns = APPROVAL_MINUTES if by == "minutes" else APPROVAL_REPS
        stmt = select(*keys, *totals).group_by(*keys).having(orders != 0)
        return self._frame(stmt, columns)

    def cash_collected(self, period: Period, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns what was paid in `period` (by payment date, whenever ordered).

        Columns: orders, amount (one row; zeros when nothing was paid).
        """
        od = s.orders.c
        joined, where = order_source(scope)
        # Every order has its account (a NOT NULL foreign key) and at most one deal, so for
        # the whole company the joins change no count or sum; SQLite paid two lookups per
        # order paid in the period for them (~130k a quarter at a million deals: 1.2 -> 0.4 s).
        source: FromClause = s.orders if scope.is_everything else joined
        stmt = (
            select(func.count(), func.coalesce(func.sum(od.amount), 0.0))
            .select_from(source)
            .where(od.paid_at.between(period.start, period.end), where)
        )
        return self._frame(stmt, {"orders": INT, "amount": FLOAT})
