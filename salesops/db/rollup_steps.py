"""The rollups `rebuild_rollups` maintains, each with the base tables it reads.

Every step is a rollup table and the select that fills it; the tables a step reads are
found by walking its select (every table and alias in its FROM clauses, joins, subqueries
and CTEs), so they cannot drift from the SQL. An import knows which tables it wrote
(salesops.importing.change_log.ChangeLog.changed_tables): a step none of whose tables
changed - directly or through a rollup refreshed before it in the same run - keeps its
rows, which are still what its select gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    FromClause,
    Select,
    Table,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.selectable import Alias, GenerativeSelect

from salesops.db.index_builds import keys_set_aside
from salesops.db.rollup_partitions import (
    GRAINS,
    PARTITION_SHARE,
    Partitioning,
    Restrict,
    RowChanges,
    driving_share,
    id_batches,
    inner_to,
    partitions_in,
    refresh_partitions,
    table_name,
    tables_in,
)


def tables_read(*statements: ClauseElement) -> frozenset[str]:
    """Returns the names of the tables the statements read (aliases as their tables)."""
    names: set[str] = set()
    for stmt in statements:
        for element in visitors.iterate(stmt, {}):
            if isinstance(element, Alias) and isinstance(element.element, Table):
                names.add(element.element.name)
            elif isinstance(element, Table):
                names.add(element.name)
    return frozenset(names)


@dataclass(frozen=True)
class RollupStep:
    """One rollup table, the select that fills it and what else writes into it.

    `extra(conn)` (optional) writes more rows after the select's (returns how many), reading
    what `extra_reads` reads: the duplicate accounts, found in Python.
    """

    table: Table
    select: GenerativeSelect
    extra: Callable[[Connection], int] | None = None
    extra_reads: tuple[GenerativeSelect, ...] = field(default=())
    partitioning: Partitioning | None = None  # how to refresh only some of its rows
    # or a refresh of its own from the changes: rows written, None to rebuild in full
    refresh: Callable[[Connection, RowChanges], int | None] | None = None
    # or the FROM (driving table first) whose rows it reads: untouched rows, nothing to do
    reach: FromClause | None = None
    # or the daily rollup it sums per month: refreshed in the months its twin was
    twin: Table | None = None
    # a full rebuild of its own instead of INSERT ... SELECT (same rows): returns rows written
    rebuild: Callable[[Connection], int] | None = None
    # a row per deal or more: a full rebuild fills it with its keys set aside (index_builds)
    bulk: bool = False

    @property
    def reads(self) -> frozenset[str]:
        """Returns the names of the tables this rollup's rows are computed from."""
        return tables_read(self.select, *self.extra_reads)


HISTORY_LINK = (("opportunity_history", "opportunity_id"),)  # a history row's deal


def partitioned(
    table: Table, full: GenerativeSelect, restrict: Restrict, column: Column, **how: Any
) -> RollupStep:
    """Returns the step of a rollup partitioned by the month of `column` (see Partitioning)."""
    grain = how.pop("grain", "month")
    key = how.pop("key", "month")
    return RollupStep(table, full, partitioning=Partitioning(key, column, grain, restrict, **how))


def by_month(table: Table, build: Callable[[], Select], column: Column) -> RollupStep:
    """Returns the step of rollup `build()`, grouped by the month of `column`."""
    return partitioned(table, build(), lambda where: build().where(where), column)


def _deal_join() -> FromClause:
    """Returns deals ⟕ accounts ⟕ leads: what the new-customer rollups read."""
    from salesops.db import schema as s

    o = s.opportunities.c
    return s.opportunities.outerjoin(s.accounts, s.accounts.c.id == o.account_id).outerjoin(
        s.leads, s.leads.c.id == o.lead_id
    )


def _kpi_steps() -> list[RollupStep]:
    """Returns the other KPI rollups' steps, in build order."""
    from salesops.db import rollups as r
    from salesops.db import schema as s

    o, od, act, h = s.opportunities.c, s.orders.c, s.activities.c, s.opportunity_history.c
    order_accounts = s.orders.join(s.accounts, s.accounts.c.id == od.account_id)
    activity_reps = s.activities.join(s.reps, s.reps.c.id == act.rep_id)
    stage_join = s.opportunities.join(s.opportunity_history, h.opportunity_id == o.id).outerjoin(
        s.accounts, s.accounts.c.id == o.account_id
    )
    return [
        RollupStep(s.rollup_customer_lifespans, r.lifespans_select(), reach=order_accounts),
        partitioned(s.rollup_stage_outcomes, r.stage_outcomes_select(), r.stage_outcomes_select,
                    o.closed_at, join=stage_join, links=HISTORY_LINK),
        by_month(s.rollup_activity_months, r.activity_months_select, act.week_start),
        RollupStep(s.rollup_activity_weeks, r.activity_weeks_select(), reach=activity_reps),
        RollupStep(s.rollup_activity_territory_months, r.activity_territory_months_select()),
        RollupStep(s.rollup_activity_running, r.activity_running_select()),
        partitioned(s.rollup_won_weeks, r.won_weeks_select(),
                    lambda where: r.won_weeks_select().where(where), o.closed_at,
                    key="week_start", grain="week"),
        partitioned(s.rollup_open_pipeline, r.open_pipeline_select(),
                    lambda where: r.open_pipeline_select().where(where), o.expected_close_date,
                    key="expected_close"),
    ]  # fmt: skip


def _daily_and_order_steps() -> list[RollupStep]:
    """Returns the daily KPI rollups' and the order rollups' steps (before their monthly twins)."""
    from salesops.db import schema as s
    from salesops.db.rollups_daily import daily_plan
    from salesops.db.rollups_orders import order_plan

    o, lead, od, d = s.opportunities.c, s.leads.c, s.orders.c, s.daily_rollups

    def daily(table: Table, column: Column, **how: Any) -> RollupStep:
        restrict = lambda where: dict(daily_plan(where))[table]  # noqa: E731
        return partitioned(table, dict(daily_plan())[table], restrict, column, **how)

    def orders(table: Table) -> RollupStep:
        restrict = lambda where: dict(order_plan(where))[table]  # noqa: E731
        return partitioned(table, dict(order_plan())[table], restrict, od.ordered_at)

    return [
        daily(d.closed, o.closed_at),
        daily(d.leads, lead.created_at),
        daily(d.customers, o.closed_at, join=_deal_join(), extra_keys=first_won_months),
        daily(d.won_cycle_days, o.closed_at),
        orders(s.order_rollups.days),
        orders(s.order_rollups.status),
    ]


def _monthly_steps() -> list[RollupStep]:
    """Returns the steps of the monthly rollups summed from their daily twins."""
    from salesops.db.rollups_daily import monthly_plan, twins

    return [RollupStep(t, stmt, twin=twins()[t]) for t, stmt in monthly_plan()]


def plan() -> list[RollupStep]:
    """Returns every rollup step in the order they are built (a step may read an earlier one)."""
    from salesops.db import quality_refresh as qr
    from salesops.db import quality_rollup as q
    from salesops.db import schema as s

    quality = [
        RollupStep(
            s.rollup_quality_issues,
            q.quality_issues_select(),
            q.insert_duplicate_accounts,
            (q.account_names_select(),),
            refresh=qr.refresh_quality_issues,
            bulk=True,
        ),
        RollupStep(
            s.rollup_quality_months, q.quality_months_select(), refresh=qr.refresh_quality_months
        ),
    ]
    from salesops.db import rollups_review as rv
    from salesops.db.rollups_approvals import approval_plan
    from salesops.db.rollups_bookings import bookings_plan
    from salesops.db.rollups_cash import cash_plan, cycle_summary_plan, order_join
    from salesops.db.rollups_orders import status_summary_plan
    from salesops.db.rollups_receivables import receivables_plan

    cash = [RollupStep(t, stmt, reach=order_join()) for t, stmt in cash_plan()]
    from salesops.db.rollups_stays import rebuild_stage_stays

    refreshes = {s.rollup_stage_entries: rv.refresh_stage_entries,
                 s.rollup_stage_stays: rv.refresh_stage_stays}  # fmt: skip
    rebuilds = {s.rollup_stage_stays: rebuild_stage_stays}
    review = [RollupStep(t, stmt, refresh=refreshes[t], rebuild=rebuilds.get(t))
              for t, stmt in rv.review_plan()]  # fmt: skip
    # the daily rollups first: the monthly ones with a daily twin are their days' sums
    steps = [*_daily_and_order_steps(), *_monthly_steps(), *_kpi_steps(), *quality]
    summaries = [*cycle_summary_plan(), *status_summary_plan(), *bookings_plan()]
    cash_more = [RollupStep(t, stmt) for t, stmt in summaries]
    by_order = [  # orders ⋈ accounts ⟕ deals, as order_join: untouched orders, nothing to do
        RollupStep(t, stmt, reach=order_join())
        for t, stmt in [*approval_plan(), *receivables_plan()]
    ]
    return [*steps, *cash, *review, *cash_more, *by_order]


def first_won_months(conn: Connection, changes: RowChanges) -> set[date | None]:
    """Returns the first-won months, before and after, of every account the changes reach.

    The new-customer rollups count an account in the month it was first won.

    After: the accounts' first won deal now. Before: their first won deal among the deals
    the import did not change (a changed deal's own months before and after are found from
    its rows); of the two, the earlier was the first won deal before the import.
    """
    from salesops.db import schema as s

    o = s.opportunities.c
    accounts: set[int] = set()
    for before in changes.before_values(s.opportunities.name, "account_id"):
        if before is not None:
            accounts.add(int(str(before)))
    current = changes.current(s.opportunities)
    accounts |= {
        int(a)
        for a in conn.execute(select(o.account_id).where(current).distinct()).scalars()
        if a is not None
    }
    accounts |= set(changes.updated.get(s.accounts.name, {}))
    if not accounts:
        return set()
    months: set[date | None] = set()
    for batch in id_batches(sorted(accounts)):
        won = (
            select(func.min(o.closed_at))
            .where(o.account_id.in_(batch), o.outcome == "won", o.closed_at.is_not(None))
            .group_by(o.account_id)
        )
        for stmt in (won, won.where(~current)):
            months |= {GRAINS["month"][0](_day(v)) for v in conn.execute(stmt).scalars() if v}
    return months


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def stale_steps(steps: list[RollupStep], changed: Collection[str] | None) -> list[RollupStep]:
    """Returns the steps whose rows may differ after the tables in `changed` were written.

    None means anything may have changed (every step). A step reading a rollup refreshed
    before it (the territory months read the weekly activity rollup) is refreshed too.
    """
    if changed is None:
        return list(steps)
    dirty = set(changed)
    stale = []
    for step in steps:
        if step.reads & dirty:
            stale.append(step)
            dirty.add(step.table.name)
    return stale


def run_step(conn: Connection, step: RollupStep) -> int:
    """Rebuilds one rollup in full on the caller's connection; returns the rows written."""
    table = step.table
    if step.rebuild is not None:
        return step.rebuild(conn)
    for index in table.indexes:  # one added by a later schema to an existing rollup
        index.create(conn, checkfirst=True)
    conn.execute(delete(table))
    columns = [c.name for c in table.columns]
    with keys_set_aside(conn, table) if step.bulk else nullcontext():
        result = conn.execute(insert(table).from_select(columns, step.select))
        written = result.rowcount if result.rowcount is not None else -1
        if step.extra is not None:
            written += step.extra(conn)
    return written


def run_steps(
    conn: Connection, steps: list[RollupStep], changes: RowChanges | None = None
) -> tuple[dict[str, int], dict[str, float]]:
    """Refreshes the steps in order; returns (rows written, seconds taken) per rollup table.

    With `changes`, a partitioned rollup is refreshed only in the partitions they reach
    (salesops.db.rollup_partitions), unless those are a large share of its partitions or
    the changes cannot be traced; a rollup with a `reach` the changes do not reach, or
    reading only rollups left as they were, is left alone; every other one is rebuilt.
    """
    written: dict[str, int] = {}
    seconds: dict[str, float] = {}
    dirty = set() if changes is None else set(changes.tables)
    months: dict[str, set[date | None]] = {}  # partitions refreshed, per rollup
    for step in steps:
        if changes is not None and not step.reads & dirty:
            continue  # it reads only rollups this run left as they were
        started = time.perf_counter()
        rows = None if changes is None else refresh_step(conn, step, changes, months)
        if rows is UNREACHED:
            continue
        written[step.table.name] = run_step(conn, step) if rows is None else rows
        dirty.add(step.table.name)
        seconds[step.table.name] = round(time.perf_counter() - started, 3)
    return written, seconds


UNREACHED = -2  # refresh_step: no row of the rollup's FROM is one the changes touched


def refresh_step(
    conn: Connection, step: RollupStep, changes: RowChanges, months: dict[str, set[date | None]]
) -> int | None:
    """Refreshes the step's rows the changes reach; returns rows written (None: not done).

    UNREACHED when the changes reach none of the rows its select reads. `months` holds the
    partitions refreshed so far per rollup (this step's are added).
    """
    if step.refresh is not None:
        return step.refresh(conn, changes)
    if step.twin is not None:
        if step.twin.name not in months:
            return None  # its twin was rebuilt in full
        return refresh_from_twin(conn, step.table, step.twin, months[step.twin.name])
    keys = partitions_to_refresh(conn, step, changes)
    if keys is not None and step.partitioning is not None:
        months[step.table.name] = keys
        return refresh_partitions(conn, step.table, step.partitioning, keys)
    if step.reach is not None and not reached(conn, step.reach, step.reads, changes):
        return UNREACHED
    return None


def reached(
    conn: Connection, reach: FromClause, reads: frozenset[str], changes: RowChanges
) -> bool:
    """Returns True when the changes touched a row the rollup reads.

    `reach` is the driving table joined to every table the rollup reads: a row of it is
    touched when it was inserted, updated or deleted, or joins to such a row.
    """
    tables = tables_in(reach)
    names = {table_name(t) for t in tables}
    if not changes.listed or not reads <= names:
        return True
    if any(name in reads for name in changes.deleted) or table_name(tables[0]) in changes.tables:
        return True
    for table in tables[1:]:
        if table_name(table) in changes.tables:
            # a count, not LIMIT 1: PostgreSQL plans a LIMIT 1 probe that finds nothing as a
            # walk over the big table (7-8 s over 3M orders), a count from the changed rows
            probe = select(func.count()).select_from(inner_to(reach, table))
            if conn.execute(probe.where(changes.current(table))).scalar_one():
                return True
    return False


def refresh_from_twin(conn: Connection, table: Table, twin: Table, keys: set[date | None]) -> int:
    """Replaces a monthly rollup's months `keys` with the sums of its daily twin's days."""
    from salesops.db.rollups_daily import by_month

    months = sorted(k for k in keys if k is not None)
    if not months:
        return 0
    conn.execute(delete(table).where(table.c.month.in_(months)))
    stmt = by_month(twin).where(twin.c.month.in_(months))
    result = conn.execute(insert(table).from_select([c.name for c in table.columns], stmt))
    return result.rowcount if result.rowcount is not None else -1


def partitions_to_refresh(
    conn: Connection, step: RollupStep, changes: RowChanges
) -> set[date | None] | None:
    """Returns the partitions of the step to refresh, or None to rebuild it in full."""
    part = step.partitioning
    if part is None or not changes.listed or not part.traceable(changes, step.reads):
        return None
    held = partitions_in(conn, step.table, part)
    # nothing to keep, or most driving rows changed: the keys would be read for nothing
    # (each a scan of the changed rows: 5-10 s per rollup after a million-deal import)
    if not held or driving_share(conn, part, changes) >= PARTITION_SHARE:
        return None
    keys = part.keys(conn, step.select, step.reads, changes)
    if keys and len(keys) >= PARTITION_SHARE * held:
        return None
    return keys
