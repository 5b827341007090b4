"""Builders of the daily-grain rollups (salesops.db.schema_daily) and their range reads.

Each daily rollup is its monthly rollup's GROUP BY with the day added to the grouping, so
the rows of one day sum to exactly what the base tables give for that day. A partial month
at a period's edge is read back at the monthly rollup's grain (`edge_select`): its days'
rows summed per month and key, the same rows the base-table query returns for that range.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, Table, func, select

from salesops.db import rollups
from salesops.db import schema as s

# Columns that are sums in the rollups and the KPI fact frames (every other column is a
# grouping key): a daily rollup's rows add up to its monthly rollup's on these.
ADDITIVE_COLUMNS = frozenset(
    {
        "won",
        "lost",
        "won_amount",
        "won_cycle_days",
        "lost_cycle_days",
        "won_lead_cycle_days",
        "won_with_lead",
        "leads",
        "converted",
        "new_customers",
        "deals",
        "revenue",
        "gross_margin",
        "revenue_without_margin",
    }
)


def with_day(stmt: Select, day: ColumnElement) -> Select:
    """Returns `stmt` (a monthly rollup's GROUP BY) grouped by `day` too, with `day` last."""
    return stmt.add_columns(day.label("day")).group_by(day).order_by(day)


def daily_plan(where: ColumnElement[bool] | None = None) -> list[tuple[Table, Select]]:
    """Returns (daily rollup table, the select that fills it) for every daily rollup.

    The monthly rollups are then filled from these (`monthly_plan`), not the base tables.
    `where` (a condition on the day's date) limits each select to the base rows it holds
    for: a partition refresh (salesops.db.rollup_partitions) builds one table's rows so.
    """
    o, lead, daily = s.opportunities.c, s.leads.c, s.daily_rollups

    def limited(stmt: Select) -> Select:
        return stmt if where is None else stmt.where(where)

    customers = (
        rollups.new_customers_select() if where is None else rollups.new_customers_where(where)
    )
    return [
        (daily.closed, with_day(limited(rollups.closed_opportunities_select()), o.closed_at)),
        (daily.leads, with_day(limited(rollups.leads_select()), lead.created_at)),
        (daily.customers, with_day(customers, o.closed_at)),
        (daily.won_cycle_days, with_day(limited(rollups.won_cycle_days_select()), o.closed_at)),
    ]


def by_month(table: Table, sums: frozenset[str] = ADDITIVE_COLUMNS) -> Select:
    """Returns a daily rollup's rows summed per month and key, in its monthly rollup's layout.

    Columns named in `sums` are summed; every other column but `day` is a grouping key.
    """
    columns = [c for c in table.c if c.name != "day"]
    keys = [c for c in columns if c.name not in sums]
    shown = [func.sum(c).label(c.name) if c.name in sums else c for c in columns]
    return select(*shown).group_by(*keys)


def monthly_plan() -> list[tuple[Table, Select]]:
    """Returns (monthly rollup, the select that fills it from its daily rollup) for each.

    A daily rollup is its monthly rollup's GROUP BY with the day added, so the sum of its
    days is the monthly rollup: a GROUP BY over a few hundred thousand pre-grouped rows
    instead of a second pass over millions of deals, leads or orders. Run after daily_plan
    and order_plan have filled the daily tables.
    """
    return [(month_table, by_month(day_table)) for month_table, day_table in twins().items()]


def twins() -> dict[Table, Table]:
    """Returns {monthly rollup: the daily rollup it sums}."""
    pairs = dict(zip(s.monthly_rollups, s.daily_rollups, strict=True))
    pairs[s.rollup_order_months] = s.order_rollups.days
    return pairs


def edge_select(
    table: Table, sums: frozenset[str], start: date, end: date, *conditions: ColumnElement[bool]
) -> Select:
    """Returns the rows of days start..end summed per month and key, in the monthly layout.

    Columns named in `sums` are summed; every other column but `day` is a grouping key.
    Columns come in the table's order (the monthly rollup's). `conditions` (on `table`'s
    columns) limit the rows, e.g. to a viewer's scope.
    """
    return by_month(table, sums).where(table.c.day.between(start, end), *conditions)
