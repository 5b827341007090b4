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


def with_day(stmt: Select, day: ColumnElement) -> Select:
    """Returns `stmt` (a monthly rollup's GROUP BY) grouped by `day` too, with `day` last."""
    return stmt.add_columns(day.label("day")).group_by(day).order_by(day)


def daily_plan() -> list[tuple[Table, Select]]:
    """Returns (daily rollup table, the select that fills it) for every daily rollup."""
    o, lead, daily = s.opportunities.c, s.leads.c, s.daily_rollups
    return [
        (daily.closed, with_day(rollups.closed_opportunities_select(), o.closed_at)),
        (daily.leads, with_day(rollups.leads_select(), lead.created_at)),
        (daily.customers, with_day(rollups.new_customers_select(), o.closed_at)),
        (daily.won_cycle_days, with_day(rollups.won_cycle_days_select(), o.closed_at)),
    ]


def edge_select(
    table: Table, sums: frozenset[str], start: date, end: date, *conditions: ColumnElement[bool]
) -> Select:
    """Returns the rows of days start..end summed per month and key, in the monthly layout.

    Columns named in `sums` are summed; every other column but `day` is a grouping key.
    Columns come in the table's order (the monthly rollup's). `conditions` (on `table`'s
    columns) limit the rows, e.g. to a viewer's scope.
    """
    columns = [c for c in table.c if c.name != "day"]
    keys = [c for c in columns if c.name not in sums]
    shown = [func.sum(c).label(c.name) if c.name in sums else c for c in columns]
    return select(*shown).where(table.c.day.between(start, end), *conditions).group_by(*keys)
