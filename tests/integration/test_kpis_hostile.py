"""Issue 20 case 4: a KPI period not on whole months reads its edges by range, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from salesops.calendar import Period
from salesops.config import Settings
from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.kpis import report as kr
from salesops.repository import Repository, Scope

RANGES = [
    (date(2025, 3, 3), date(2025, 3, 19)),
    (date(2024, 11, 7), date(2024, 11, 30)),
    (date(2021, 1, 1), date(2026, 12, 31)),
]


def _rows(engine, stmt) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(stmt))


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize(("start", "end"), RANGES)
def test_case_4_new_customers_read_by_range_equal_the_definition(request, database, start, end):
    url = request.getfixturevalue("demo_url" if database == "sqlite" else "pg_demo_url")
    engine = make_engine(url, read_only=True)
    o = s.opportunities
    by_range = _rows(engine, rollups.new_customers_in_range_select(start, end))
    defined = _rows(engine, rollups.new_customers_select().where(o.c.closed_at.between(start, end)))
    assert by_range == defined and sum(row[-1] for row in defined) > 0
    engine.dispose()


def test_case_4_partial_month_edges_are_read_once_not_per_breakdown(demo_url):
    engine = make_engine(demo_url, read_only=True)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    repo = Repository(engine)
    period = Period(date(2025, 1, 15), date(2025, 12, 20))
    report = kr.kpi_report(repo, period, Scope(), Settings())
    assert set(report.breakdowns) == set(kr.BREAKDOWNS)
    customer_edges = [q for q in statements if "earlier_won" in q or "first_won" in q]
    # the period's two edges and its comparison period's two, each read once
    assert len(customer_edges) == 4, len(customer_edges)
    lead_edges = [q for q in statements if "FROM leads" in q and "rollup_leads" not in q]
    assert len(lead_edges) <= 4 + 1  # + the company lead totals for spend allocation
    # the same report without the once-only reads (every breakdown reading its edges)
    assert (
        report.current
        == kr._report(repo, period, Scope(), Settings(), None, kr.BREAKDOWNS, None).current
    )
