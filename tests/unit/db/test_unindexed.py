"""`unindexed` keeps SQLite's planner off an index for a full pass; PostgreSQL sees the column.

The daily closed-deal rollup reads every closed deal in close-date order: through the
close-date index that is one row lookup per deal (about twice the CPU of a scan and a sort);
a refresh of some months adds a close-date range, which must still use the index.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, create_engine
from sqlalchemy.dialects import postgresql, sqlite

from salesops.db import schema as s
from salesops.db.rollups_daily import daily_plan
from salesops.db.sqlfuncs import unindexed


def _plan(conn, stmt) -> str:
    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return " | ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_unindexed_is_the_column_itself_on_postgresql():
    condition = unindexed(s.opportunities.c.closed_at).is_not(None)
    assert str(condition.compile(dialect=postgresql.dialect())) == (
        "opportunities.closed_at IS NOT NULL"
    )
    assert str(condition.compile(dialect=sqlite.dialect())) == (
        "+opportunities.closed_at IS NOT NULL"
    )


def test_every_closed_deal_is_scanned_and_some_months_use_the_index():
    engine = create_engine("sqlite://")
    s.metadata.create_all(engine)
    closed_at = s.opportunities.c.closed_at
    some_months = and_(closed_at >= date(2024, 1, 1), closed_at < date(2024, 3, 1))
    closed = s.daily_rollups.closed
    with engine.connect() as conn:
        every = _plan(conn, dict(daily_plan())[closed])
        some = _plan(conn, dict(daily_plan(some_months))[closed])
    assert "SCAN opportunities" in every and "ix_opportunities_closed_at" not in every
    assert "ix_opportunities_closed_at" in some


def test_full_rebuilds_scan_the_orders():
    from salesops.db import rollup_steps

    engine = create_engine("sqlite://")
    s.metadata.create_all(engine)
    steps = {step.table.name: step for step in rollup_steps.plan()}
    with engine.connect() as conn:
        plans = {name: _plan(conn, step.select) for name, step in steps.items()}
    # a pass over every order: a scan and a sort, not an index walk with a lookup per order
    for name in ("rollup_customer_lifespans", "rollup_receivable_days"):
        assert "SCAN orders |" in plans[name] + " |", (name, plans[name])
        assert "USING INDEX ix_orders" not in plans[name], (name, plans[name])
