"""Rollups: monthly pre-aggregations rebuilt after every load or import.

The KPI page reads these instead of scanning millions of opportunities and
leads (the pattern of Cube's pre-aggregations and warehouse materialized
views). Each rollup is rebuilt in full inside one transaction with
INSERT ... SELECT ... GROUP BY, so it is always consistent with the base tables.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, Integer, and_, case, delete, func, insert, or_, select

from salesops import schema as s
from salesops.sqlfuncs import days_between, month_start

logger = logging.getLogger(__name__)

NO_CHANNEL = "(no lead)"


def closed_opportunities_select():
    """Returns the GROUP BY select of closed deals by month, rep, territory, segment, channel."""
    o, a, lead = s.opportunities, s.accounts, s.leads
    won = o.c.outcome == "won"
    lost = o.c.outcome == "lost"
    cycle = days_between(o.c.created_at, o.c.closed_at)
    lead_cycle = days_between(lead.c.created_at, o.c.closed_at)
    channel = func.coalesce(lead.c.channel, NO_CHANNEL)
    month = month_start(o.c.closed_at)
    return (
        select(
            month.label("month"),
            o.c.rep_id,
            a.c.territory_id,
            a.c.segment,
            channel.label("channel"),
            func.sum(case((won, 1), else_=0)),
            func.sum(case((lost, 1), else_=0)),
            func.coalesce(func.sum(case((won, o.c.amount), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((won, cycle), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((lost, cycle), else_=0.0)), 0.0),
            func.coalesce(
                func.sum(case((and_(won, lead.c.id.is_not(None)), lead_cycle), else_=0.0)), 0.0
            ),
            func.sum(case((and_(won, lead.c.id.is_not(None)), 1), else_=0)),
        )
        .select_from(
            o.outerjoin(a, a.c.id == o.c.account_id).outerjoin(lead, lead.c.id == o.c.lead_id)
        )
        .where(o.c.closed_at.is_not(None), or_(won, lost))
        .group_by(month, o.c.rep_id, a.c.territory_id, a.c.segment, channel)
    )


def won_cycle_days_select():
    """Returns the GROUP BY select of won deals by month, territory, segment and cycle days."""
    o, a = s.opportunities, s.accounts
    month = month_start(o.c.closed_at)
    cycle = func.cast(days_between(o.c.created_at, o.c.closed_at), Integer)
    return (
        select(
            month.label("month"),
            a.c.territory_id,
            a.c.segment,
            cycle.label("cycle_days"),
            func.count(),
        )
        .select_from(o.outerjoin(a, a.c.id == o.c.account_id))
        .where(o.c.outcome == "won", o.c.closed_at.is_not(None))
        .group_by(month, a.c.territory_id, a.c.segment, cycle)
    )


def leads_select():
    """Returns the GROUP BY select of leads (and conversions) by created month and scope."""
    lead, a, r, t = s.leads, s.accounts, s.reps, s.territories
    territory = func.coalesce(a.c.territory_id, r.c.territory_id)
    segment = func.coalesce(a.c.segment, t.c.segment)
    channel = func.coalesce(lead.c.channel, NO_CHANNEL)
    month = month_start(lead.c.created_at)
    converted = or_(lead.c.converted_at.is_not(None), lead.c.opportunity_id.is_not(None))
    return (
        select(
            month.label("month"),
            lead.c.rep_id,
            territory.label("territory_id"),
            segment.label("segment"),
            channel.label("channel"),
            func.count(),
            func.sum(case((converted, 1), else_=0)),
        )
        .select_from(
            lead.outerjoin(a, a.c.id == lead.c.account_id)
            .outerjoin(r, r.c.id == lead.c.rep_id)
            .outerjoin(t, t.c.id == territory)
        )
        .group_by(month, lead.c.rep_id, territory, segment, channel)
    )


def order_months_select():
    """Returns the GROUP BY select of order revenue and margin by month, territory, segment."""
    od, a = s.orders, s.accounts
    month = month_start(od.c.ordered_at)
    return (
        select(
            month.label("month"),
            a.c.territory_id,
            a.c.segment,
            func.count(func.distinct(od.c.account_id)),
            func.coalesce(func.sum(od.c.amount), 0.0),
            func.coalesce(func.sum(od.c.gross_margin), 0.0),
            func.coalesce(
                func.sum(case((od.c.gross_margin.is_(None), od.c.amount), else_=0.0)), 0.0
            ),
        )
        .select_from(od.join(a, a.c.id == od.c.account_id))
        .group_by(month, a.c.territory_id, a.c.segment)
    )


def lifespans_select():
    """Returns the GROUP BY select counting customers by first and last order month."""
    od, a = s.orders, s.accounts
    per_account = (
        select(
            od.c.account_id,
            month_start(func.min(od.c.ordered_at)).label("first_month"),
            month_start(func.max(od.c.ordered_at)).label("last_month"),
        )
        .group_by(od.c.account_id)
        .subquery()
    )
    return (
        select(
            a.c.territory_id,
            a.c.segment,
            per_account.c.first_month,
            per_account.c.last_month,
            func.count(),
        )
        .select_from(per_account.join(a, a.c.id == per_account.c.account_id))
        .group_by(
            a.c.territory_id, a.c.segment, per_account.c.first_month, per_account.c.last_month
        )
    )


def new_customers_select():
    """One row per (month, territory, segment, channel, rep) counting first-won customers."""
    o, a, lead = s.opportunities, s.accounts, s.leads
    first_won = (
        select(o.c.account_id, func.min(o.c.closed_at).label("first_won"))
        .where(o.c.outcome == "won", o.c.closed_at.is_not(None))
        .group_by(o.c.account_id)
        .subquery()
    )
    # The deal that made the customer: the won deal on the first-won date with the lowest id.
    first_deal = (
        select(o.c.account_id, func.min(o.c.id).label("opportunity_id"))
        .select_from(
            o.join(
                first_won,
                and_(
                    first_won.c.account_id == o.c.account_id,
                    first_won.c.first_won == o.c.closed_at,
                ),
            )
        )
        .where(o.c.outcome == "won")
        .group_by(o.c.account_id)
        .subquery()
    )
    month = month_start(o.c.closed_at)
    channel = func.coalesce(lead.c.channel, NO_CHANNEL)
    stmt = (
        select(
            month.label("month"),
            a.c.territory_id,
            a.c.segment,
            channel.label("channel"),
            o.c.rep_id,
            func.count().label("new_customers"),
        )
        .select_from(
            first_deal.join(o, o.c.id == first_deal.c.opportunity_id)
            .join(a, a.c.id == o.c.account_id)
            .outerjoin(lead, lead.c.id == o.c.lead_id)
        )
        .group_by(month, a.c.territory_id, a.c.segment, channel, o.c.rep_id)
    )
    return stmt


def refresh_rollups(engine: Engine) -> dict[str, int]:
    """Rebuilds every rollup table from the base tables; returns rows written per rollup."""
    plan = [
        (s.rollup_closed_opportunities, closed_opportunities_select()),
        (s.rollup_won_cycle_days, won_cycle_days_select()),
        (s.rollup_leads, leads_select()),
        (s.rollup_customers, new_customers_select()),
        (s.rollup_order_months, order_months_select()),
        (s.rollup_customer_lifespans, lifespans_select()),
    ]
    written: dict[str, int] = {}
    with engine.begin() as conn:
        for table, stmt in plan:
            conn.execute(delete(table))
            columns = [c.name for c in table.columns]
            result = conn.execute(insert(table).from_select(columns, stmt))
            written[table.name] = result.rowcount if result.rowcount is not None else -1
    logger.info("Rollups rebuilt: %s", written)
    return written
