"""Issue 20 case 4: a KPI period not on whole months reads its edges from daily rollups, once."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import event

from salesops.calendar import Period
from salesops.config import Settings
from salesops.db import rollups
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.kpis import report as kr
from salesops.repository import Repository, Scope
from salesops.repository.kpis import ADDITIVE_COLUMNS

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


def test_case_4_partial_month_edges_come_from_the_daily_rollups_with_the_whole_months(demo_url):
    engine = make_engine(demo_url, read_only=True)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    repo = Repository(engine)
    period = Period(date(2025, 1, 15), date(2025, 12, 20))
    report = kr.kpi_report(repo, period, Scope(), Settings())
    assert set(report.breakdowns) == set(kr.BREAKDOWNS)
    customer_edges = [q for q in statements if "rollup_customer_days" in q]
    assert customer_edges and all("rollup_customers" in q for q in customer_edges)
    order_edges = [q for q in statements if "rollup_order_days" in q]
    assert order_edges and all("rollup_order_months" in q for q in order_edges)
    base_scans = [q for q in statements if re.search(r"FROM (leads|opportunities|orders)\b", q)]
    assert base_scans == []  # no fact is read from the base tables, orders included


ODD_PERIODS = {
    "mid-month to mid-month": (date(2025, 1, 15), date(2025, 12, 20)),
    "17 days": (date(2025, 3, 3), date(2025, 3, 19)),
    "across a year end": (date(2024, 11, 7), date(2025, 2, 11)),
    "a single day": (date(2025, 6, 11), date(2025, 6, 11)),
    "leap day": (date(2024, 2, 29), date(2024, 2, 29)),
    "to a leap day": (date(2024, 2, 10), date(2024, 2, 29)),
    "from a leap day": (date(2024, 2, 29), date(2024, 4, 3)),
}
FACTS = (
    "closed_opportunity_facts", "lead_facts", "new_customer_facts", "order_months",
    "won_cycle_histogram",
)  # fmt: skip


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if c not in ADDITIVE_COLUMNS]
    return frame.sort_values(keys).reset_index(drop=True)


def _scopes(repo: Repository) -> list[Scope]:
    reps, territories = repo.reps(), repo.territories()
    return [
        Scope(),
        Scope(territory_ids=(int(territories["id"].iloc[0]),)),
        Scope(segments=(repo.segments()[0],)),
        Scope(rep_ids=tuple(int(i) for i in reps["id"].iloc[:3])),
    ]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_case_4_daily_rollup_edges_equal_the_base_tables_on_odd_periods(request, database):
    url = request.getfixturevalue("demo_url" if database == "sqlite" else "pg_demo_url")
    engine = make_engine(url, read_only=True)
    repo = Repository(engine)
    compared = 0
    for scope in _scopes(repo):
        for name, (start, end) in ODD_PERIODS.items():
            period = Period(start, end)
            for fact in FACTS:
                read = getattr(repo, fact)
                # every grouping for the company; the scopes filter the same rows at full grain
                every = (None, ("month",), ("rep_id",), ())
                for by in every if scope.is_everything and fact != FACTS[-1] else (None,):
                    extra = {} if by is None else {"by": by}
                    got = _sorted(read(period, scope, **extra))
                    want = _sorted(read(period, scope, source="raw", **extra))
                    assert len(got) == len(want), (name, fact, by, scope)
                    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
                    compared += int(want[list(ADDITIVE_COLUMNS & set(want.columns))].sum().sum())
    assert compared > 0  # the periods hold deals and leads
    engine.dispose()


def test_case_4_an_import_brings_the_daily_rollups_up_to_date_in_its_transaction(engine):
    from salesops.importing.report import import_files
    from tests.integration.test_import_hostile import deals

    assert import_files(engine, [deals("006D", 9)], "salesforce").written  # closed 1-9 Feb 2024
    repo = Repository(engine)
    edge = Period(date(2024, 2, 2), date(2024, 2, 6))
    for fact in FACTS:
        got, want = getattr(repo, fact)(edge), getattr(repo, fact)(edge, source="raw")
        pd.testing.assert_frame_equal(_sorted(got), _sorted(want), check_exact=False, rtol=1e-9)
    assert int(repo.closed_opportunity_facts(edge)["won"].sum()) == 5
