"""Rollups: monthly pre-aggregations rebuilt after every load or import.

The KPI page reads these instead of scanning millions of opportunities and
leads (the pattern of Cube's pre-aggregations and warehouse materialized
views). A demo load, `db upgrade` and an undo rebuild every rollup in full inside one
transaction with INSERT ... SELECT ... GROUP BY, so it is always consistent with the base
tables; an import, in its own transaction, refreshes only the rollups, and within them the
months, deals or leads, its rows reach (salesops.db.rollup_steps), to the same rows.

The pipeline review's history spans (schema.rollup_history_spans) are a copy of
opportunity_history with each row's span to the deal's next change: rebuilt in full
with the rollups after a demo load and by `db upgrade`, and updated deal by deal
inside an import's own transaction (update_history_spans), which is far cheaper than
rebuilding millions of rows after every file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
)

from salesops.db import schema as s
from salesops.db.engine import analyze
from salesops.db.index_builds import keys_set_aside
from salesops.db.rollup_helper import Helper
from salesops.db.rollup_partitions import RowChanges
from salesops.db.rollups_call import rebuild_call_rollups
from salesops.db.rollups_call_update import CallRollupUpdate
from salesops.db.sqlfuncs import days_between, month_start, unindexed, week_start
from salesops.importing.memory import postgres_work_mem, release_unused

logger = logging.getLogger(__name__)

NO_CHANNEL = "(no lead)"
CLOSED_OUTCOMES = ("won", "lost")
SPAN_BATCH = 5_000  # deals per incremental span update
SPAN_REBUILD_SHARE = 0.3  # from this share of all deals on, rebuild every span instead


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
            func.sum(case((won, 1), else_=0)).label("won"),
            func.sum(case((lost, 1), else_=0)).label("lost"),
            func.coalesce(func.sum(case((won, o.c.amount), else_=0.0)), 0.0).label("won_amount"),
            func.coalesce(func.sum(case((won, cycle), else_=0.0)), 0.0).label("won_cycle_days"),
            func.coalesce(func.sum(case((lost, cycle), else_=0.0)), 0.0).label("lost_cycle_days"),
            func.coalesce(
                func.sum(case((and_(won, lead.c.id.is_not(None)), lead_cycle), else_=0.0)), 0.0
            ).label("won_lead_cycle_days"),
            func.sum(case((and_(won, lead.c.id.is_not(None)), 1), else_=0)).label("won_with_lead"),
        )
        .select_from(
            o.outerjoin(a, a.c.id == o.c.account_id).outerjoin(lead, lead.c.id == o.c.lead_id)
        )
        # every closed deal: a scan, not the close-date index (a partition refresh adds a
        # close-date range, which does use it)
        .where(unindexed(o.c.closed_at).is_not(None), or_(won, lost))
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
            func.count().label("deals"),
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
            func.count().label("leads"),
            func.sum(case((converted, 1), else_=0)).label("converted"),
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
            func.coalesce(func.sum(od.c.amount), 0.0).label("revenue"),
            func.coalesce(func.sum(od.c.gross_margin), 0.0).label("gross_margin"),
            func.coalesce(
                func.sum(case((od.c.gross_margin.is_(None), od.c.amount), else_=0.0)), 0.0
            ).label("revenue_without_margin"),
        )
        .select_from(od.join(a, a.c.id == od.c.account_id))
        .group_by(month, a.c.territory_id, a.c.segment)
    )


def lifespans_select():
    """Returns the GROUP BY select counting customers by first and last order month."""
    od, a = s.orders, s.accounts
    per_account = (
        select(
            unindexed(od.c.account_id).label("account_id"),
            month_start(func.min(od.c.ordered_at)).label("first_month"),
            month_start(func.max(od.c.ordered_at)).label("last_month"),
        )
        .group_by(unindexed(od.c.account_id))  # a scan and a sort, not a lookup per order
        .subquery()
    )
    return (
        select(
            a.c.territory_id,
            a.c.segment,
            per_account.c.first_month,
            per_account.c.last_month,
            func.count().label("customers"),
        )
        .select_from(per_account.join(a, a.c.id == per_account.c.account_id))
        .group_by(
            a.c.territory_id, a.c.segment, per_account.c.first_month, per_account.c.last_month
        )
    )


def new_customers_select():
    """One row per (month, territory, segment, channel, rep) counting first-won customers."""
    o, a, lead = s.opportunities, s.accounts, s.leads
    # The deal that made the customer: the account's first won deal by close date, the
    # lowest id among those of that date (one sort of the won deals; a join back on the
    # first-won date let SQLite probe every deal closed that day, 86 s at 1M deals); by
    # the account index instead, a row lookup per deal: 3.7 s CPU at 1M deals, not 0.7.
    ranked = (
        select(
            o.c.account_id,
            o.c.id.label("opportunity_id"),
            func.row_number()
            .over(partition_by=unindexed(o.c.account_id), order_by=(o.c.closed_at, o.c.id))
            .label("won_rank"),
        )
        .where(o.c.outcome == "won", o.c.closed_at.is_not(None))
        .subquery()
    )
    first_deal = (
        select(ranked.c.account_id, ranked.c.opportunity_id)
        .where(ranked.c.won_rank == 1)
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


def new_customers_in_range_select(start: date, end: date):
    """`new_customers_select` for deals closed in [start, end], read by range.

    The customer-making deal (the account's first won deal, lowest id on that date) is
    found as a won deal in the range with no earlier won deal on its account: an index
    range scan on the close date and one index probe per deal, instead of grouping every
    won deal in the database (33 s at 2M deals for a few days at a period's edge).
    """
    return new_customers_where(s.opportunities.c.closed_at.between(start, end))


def new_customers_where(closed: ColumnElement[bool]):
    """`new_customers_select` for the deals whose close date meets `closed` (see above)."""
    o, a, lead = s.opportunities, s.accounts, s.leads
    earlier = s.opportunities.alias("earlier_won")
    made_before = (
        select(earlier.c.id)
        .where(
            earlier.c.account_id == o.c.account_id,
            earlier.c.outcome == "won",
            or_(
                earlier.c.closed_at < o.c.closed_at,
                and_(earlier.c.closed_at == o.c.closed_at, earlier.c.id < o.c.id),
            ),
        )
        .exists()
    )
    month = month_start(o.c.closed_at)
    channel = func.coalesce(lead.c.channel, NO_CHANNEL)
    return (
        select(
            month.label("month"),
            a.c.territory_id,
            a.c.segment,
            channel.label("channel"),
            o.c.rep_id,
            func.count().label("new_customers"),
        )
        .select_from(o.join(a, a.c.id == o.c.account_id).outerjoin(lead, lead.c.id == o.c.lead_id))
        .where(o.c.outcome == "won", o.c.closed_at.is_not(None), closed, ~made_before)
        .group_by(month, a.c.territory_id, a.c.segment, channel, o.c.rep_id)
    )


def stage_outcomes_select(*conditions: ColumnElement[bool]):
    """Returns the GROUP BY select of closed deals per stage passed, by close month and scope.

    `conditions` (on opportunities and accounts) restrict which deals are counted.
    """
    h, o, a = s.opportunity_history.c, s.opportunities.c, s.accounts.c
    won = case((o.outcome == "won", 1), else_=0)
    # One row per (deal, stage): a deal sits in a stage several times when its amount or
    # close date changes, and must count once.
    passed = (
        select(
            h.opportunity_id,
            h.stage,
            won.label("won"),
            month_start(o.closed_at).label("month"),
            o.rep_id,
            a.territory_id,
            a.segment,
        )
        .select_from(
            s.opportunities.join(s.opportunity_history, h.opportunity_id == o.id).outerjoin(
                s.accounts, a.id == o.account_id
            )
        )
        .where(or_(o.outcome == "won", o.outcome == "lost"), o.closed_at.is_not(None), *conditions)
        .distinct()
        .subquery()
    )
    keys = [passed.c.month, passed.c.rep_id, passed.c.territory_id, passed.c.segment]
    return select(
        *keys,
        passed.c.stage,
        func.count().label("reached"),
        func.sum(passed.c.won).label("won"),
    ).group_by(*keys, passed.c.stage)


def activity_months_select():
    """Returns the GROUP BY select of activity hours and counts by month, rep and activity."""
    act = s.activities.c
    month = month_start(act.week_start)
    return select(
        month.label("month"),
        act.rep_id,
        act.activity,
        func.coalesce(func.sum(act.hours), 0.0),
        func.sum(act["count"]),
    ).group_by(month, act.rep_id, act.activity)


def activity_weeks_select():
    """Returns the GROUP BY select of activity hours by week, rep territory and activity."""
    act, r = s.activities.c, s.reps.c
    return (
        select(act.week_start, r.territory_id, act.activity, func.sum(act.hours))
        .select_from(s.activities.join(s.reps, r.id == act.rep_id))
        .group_by(act.week_start, r.territory_id, act.activity)
    )


def activity_territory_months_select():
    """Returns the GROUP BY select of activity hours by month, territory and activity.

    Reads the weekly rollup (built first in the same transaction), not the activities.
    """
    w = s.rollup_activity_weeks.c
    month = month_start(w.week_start)
    return select(month.label("month"), w.territory_id, w.activity, func.sum(w.hours)).group_by(
        month, w.territory_id, w.activity
    )


def activity_running_select():
    """Returns the select of running activity totals per rep and activity, month by month.

    Each row holds the hours, counted units, activity rows and rows with a count from the
    pair's first month through the end of ``month``. Every (rep, activity) pair has a row
    for every month in which anyone logged time, from its own first month on, so a
    whole-month period's totals are two rows per pair: the period's last month minus the
    month before it (repository.TimeQueries.activity_hours_by_rep).
    """
    act = s.activities.c
    month = month_start(act.week_start)
    monthly = (
        select(
            month.label("month"),
            act.rep_id,
            act.activity,
            func.sum(act.hours).label("hours"),
            func.coalesce(func.sum(act["count"]), 0).label("units"),
            func.count().label("activity_rows"),
            func.count(act["count"]).label("counted_rows"),
        )
        .group_by(month, act.rep_id, act.activity)
        .cte("monthly")
    )
    months = select(monthly.c.month).distinct().cte("months")
    firsts = (
        select(monthly.c.rep_id, monthly.c.activity, func.min(monthly.c.month).label("first"))
        .group_by(monthly.c.rep_id, monthly.c.activity)
        .cte("firsts")
    )
    grid = (
        select(months.c.month, firsts.c.rep_id, firsts.c.activity)
        .join_from(firsts, months, months.c.month >= firsts.c.first)
        .cte("grid")
    )
    m, g = monthly.c, grid.c
    joined = grid.outerjoin(
        monthly, and_(m.month == g.month, m.rep_id == g.rep_id, m.activity == g.activity)
    )

    def running(column: ColumnElement, zero: object) -> ColumnElement:
        return func.sum(func.coalesce(column, zero)).over(
            partition_by=(g.rep_id, g.activity), order_by=g.month
        )

    return (
        select(
            g.month,
            g.rep_id,
            g.activity,
            running(m.hours, 0.0),
            running(m.units, 0),
            running(m.activity_rows, 0),
            running(m.counted_rows, 0),
        )
        .select_from(joined)
        .order_by(g.month, g.rep_id, g.activity)  # PostgreSQL stores a month's rows together
    )


def won_weeks_select():
    """Returns the GROUP BY select of won deals by ISO week (Monday), rep, territory, segment."""
    o, a = s.opportunities, s.accounts
    week = week_start(o.c.closed_at)
    return (
        select(
            week.label("week_start"),
            o.c.rep_id,
            a.c.territory_id,
            a.c.segment,
            func.count().label("won"),
            func.coalesce(func.sum(o.c.amount), 0.0).label("won_amount"),
        )
        .select_from(o.outerjoin(a, a.c.id == o.c.account_id))
        .where(o.c.outcome == "won", o.c.closed_at.is_not(None))
        .group_by(week, o.c.rep_id, a.c.territory_id, a.c.segment)
    )


def open_pipeline_select():
    """Returns the GROUP BY select of open deals by expected close month, stage and scope."""
    o, a = s.opportunities, s.accounts
    month = month_start(o.c.expected_close_date)
    return (
        select(
            month.label("expected_close"),
            o.c.stage,
            o.c.rep_id,
            a.c.territory_id,
            a.c.segment,
            func.coalesce(func.sum(o.c.amount), 0.0).label("open_amount"),
            func.count().label("deals"),
        )
        .select_from(o.outerjoin(a, a.c.id == o.c.account_id))
        .where(o.c.outcome == "open")
        .group_by(month, o.c.stage, o.c.rep_id, a.c.territory_id, a.c.segment)
    )


def history_spans_select(*conditions: ColumnElement[bool]):
    """Returns the select of history rows with their spans, in the spans table's order.

    A row's span ends at the deal's next row in (changed_at, id) order, the order the review
    reads rows in; see schema.rollup_history_spans for the length classes. `conditions` (on
    opportunity_history) restrict which deals are read.
    """
    h = s.opportunity_history.c
    valid_to = func.lead(h.changed_at).over(
        partition_by=h.opportunity_id, order_by=(h.changed_at, h.id)
    )
    rows = (
        select(
            h.id,
            h.opportunity_id,
            h.changed_at.label("valid_from"),
            valid_to.label("valid_to"),
            # worked out once per row (the bound below compares it with up to 16 bounds; on
            # SQLite each comparison of the expression parsed both dates again)
            days_between(h.changed_at, valid_to).label("days"),
            h.stage,
            h.outcome,
            h.amount,
            h.expected_close_date,
            h.forecast_category,
        )
        .where(*conditions)
        .subquery("rows")
    )
    days = rows.c.days
    last = case((rows.c.outcome.in_(CLOSED_OUTCOMES), s.CLOSED_FOR_GOOD), else_=s.OPEN_ENDED)
    bound = case(
        (rows.c.valid_to.is_(None), last),
        *((days <= b, b) for b in s.HISTORY_SPAN_BOUNDS),
        else_=s.OPEN_ENDED,
    ).label("length_bound")
    return select(
        bound,
        rows.c.valid_from,
        rows.c.id,
        rows.c.valid_to,
        rows.c.opportunity_id,
        rows.c.stage,
        rows.c.outcome,
        rows.c.amount,
        rows.c.expected_close_date,
        rows.c.forecast_category,
    ).order_by(bound, rows.c.valid_from, rows.c.id)


def _insert_spans(conn: Connection, *conditions: ColumnElement[bool]) -> int:
    table = s.rollup_history_spans
    columns = [c.name for c in table.columns]
    result = conn.execute(insert(table).from_select(columns, history_spans_select(*conditions)))
    return result.rowcount if result.rowcount is not None else -1


def rebuild_history_spans(conn: Connection) -> int:
    """Rebuilds every history span; returns rows written.

    Rows go in in primary-key order (so PostgreSQL's heap is clustered like SQLite's
    WITHOUT ROWID table); the secondary index, and PostgreSQL's primary key, are built
    once after the insert.
    """
    table = s.rollup_history_spans
    conn.execute(delete(table))
    with keys_set_aside(conn, table):
        return _insert_spans(conn)


def update_history_spans(
    conn: Connection, opportunity_ids: Iterable[int], call: CallRollupUpdate | None = None
) -> None:
    """Recomputes the history spans of the given deals (after their history was written).

    Runs on the caller's connection, so the spans commit or roll back with the history rows.
    When the deals are a large share of all deals (a first import, say), rebuilding every
    span is cheaper than replacing them deal by deal, so that is what it does. `call`, when
    given, sees each batch of deals replaced (to update the call rollups by difference).
    """
    table = s.rollup_history_spans
    ids = sorted({int(i) for i in opportunity_ids})
    if not ids:
        return
    deals = conn.execute(select(func.count()).select_from(s.opportunities)).scalar_one()
    if len(ids) >= SPAN_REBUILD_SHARE * deals:
        rebuild_history_spans(conn)
        if call is not None:
            call.rebuild_all()
        return
    for first in range(0, len(ids), SPAN_BATCH):
        batch = ids[first : first + SPAN_BATCH]
        with call.replacing(batch) if call is not None else nullcontext():
            conn.execute(delete(table).where(table.c.opportunity_id.in_(batch)))
            _insert_spans(conn, s.opportunity_history.c.opportunity_id.in_(batch))


def rebuild_rollups(
    conn: Connection,
    *,
    history_spans: bool = True,
    call: CallRollupUpdate | None = None,
    changes: RowChanges | None = None,
) -> dict[str, int]:
    """Rebuilds the rollup tables on the caller's connection; returns rows written per rollup.

    Runs inside the caller's transaction, so the rollups commit (or roll back) with the rows
    they summarise: an import never leaves them stale. `history_spans=False` leaves the
    history spans alone (an import keeps them up to date with update_history_spans); with
    `call`, the import's tracker, the call rollups are updated by difference, not rebuilt.
    `changes` are the rows written since the rollups were last right (an import's, from
    its change log): rollups reading none of their tables are left alone, partitioned ones
    refreshed only where the rows fall (salesops.db.rollup_partitions); None rebuilds all.
    """
    from salesops.db import rollup_steps

    steps = rollup_steps.plan()
    stale = rollup_steps.stale_steps(steps, None if changes is None else changes.tables)
    written, seconds = rollup_steps.run_steps(conn, stale, changes)
    written |= _spans_and_call(conn, history_spans, call)
    _finish(conn, written, seconds, [step.table.name for step in steps if step not in stale])
    return written


def _spans_and_call(
    conn: Connection, history_spans: bool, call: CallRollupUpdate | None = None
) -> dict[str, int]:
    """Rebuilds the history spans (unless not asked) and then the call rollups, which read them.

    With `call`, the import's tracker, the call rollups are updated by difference instead.
    """
    written: dict[str, int] = {}
    if history_spans:
        written[s.rollup_history_spans.name] = rebuild_history_spans(conn)
    written |= call.finish() if call is not None else rebuild_call_rollups(conn)
    return written


def _finish(
    conn: Connection, written: dict[str, int], seconds: dict[str, float], kept: list[str]
) -> None:
    """Ends a rollup rebuild: cached results of the old data are never served again."""
    from salesops.db.migrate import bump_data_version

    bump_data_version(conn)
    logger.info("Rollups rebuilt: %s; seconds: %s; unchanged: %s", written, seconds, kept)


def refresh_rollups(
    engine: Engine, *, history_spans: bool = True, helper: bool | Helper = True
) -> dict[str, int]:
    """Rebuilds every rollup table in one transaction of its own; returns rows per rollup.

    For a database as a whole (demo load, `db upgrade`); an import rebuilds them inside its
    own transaction with rebuild_rollups. With `helper` (True, or one the caller started:
    rollup_helper.start_ahead) and a database a second connection can reach, a second
    connection computes some rollups' rows meanwhile; the rows and the one transaction are
    the same. Memory freed before (a migration's, a demo's frames) is handed back to the
    system first, and what the refresh freed (SQLite's page caches, the call rollups' arrays)
    after it: what follows (the stored results) starts from the refresh's live memory.
    """
    release_unused()
    try:
        return _refresh_rollups(engine, history_spans=history_spans, helper=helper)
    finally:
        release_unused()


def _refresh_rollups(
    engine: Engine, *, history_spans: bool, helper: bool | Helper
) -> dict[str, int]:
    """refresh_rollups without handing memory back around it."""
    from salesops.db import rollup_helper, rollup_steps

    steps = rollup_steps.plan()
    lane = rollup_helper.helper_for(engine, steps, helper)
    if lane is None:
        with engine.connect() as conn, rollup_helper.refresh_cache(conn), conn.begin():
            postgres_work_mem(conn)
            counts = rebuild_rollups(conn, history_spans=history_spans)
            _analyze_rollups(conn)
        return counts
    try:
        with engine.connect() as conn, rollup_helper.refresh_cache(conn):
            lane.attach(conn)
            try:
                lane.start()  # unless the caller started it
                with conn.begin():
                    postgres_work_mem(conn)
                    counts, seconds = rollup_helper.run_with_helper(
                        conn, steps, lane, lambda: _spans_and_call(conn, history_spans)
                    )
                    _finish(conn, counts, seconds, [])
                    _analyze_rollups(conn)
            finally:
                lane.detach(conn)
    finally:
        lane.clean()
    return counts


def _analyze_rollups(conn: Connection) -> None:
    """PostgreSQL plans the first page views on freshly filled rollups: give it statistics.

    Without them it scanned all 5.6M history spans for one rep's call (2.4 s vs 0.5 s).
    """
    analyze(conn, [t for t in s.metadata.sorted_tables if t.name.startswith("rollup_")])
