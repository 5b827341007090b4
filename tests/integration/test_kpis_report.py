"""The KPI report's fast path (SQL-grouped rollups) equals evaluating full-grain facts."""

from __future__ import annotations

from datetime import date

import pytest

from salesops.calendar import Period
from salesops.config import Settings
from salesops.db.engine import make_engine
from salesops.kpis import metrics
from salesops.kpis import report as kr
from salesops.kpis.evaluation import breakdown, evaluate
from salesops.kpis.facts import customer_months
from salesops.repository import Repository, Scope

SETTINGS = Settings()
CASES = [
    (Period(date(2025, 1, 1), date(2025, 12, 31)), Scope()),
    (Period(date(2025, 1, 15), date(2025, 6, 20)), Scope(territory_ids=(1,))),
    (
        Period(date(2025, 1, 1), date(2025, 6, 30)),
        Scope(rep_ids=(4,), segments=("Enterprise", "SMB")),
    ),
    (Period(date(2026, 2, 3), date(2026, 2, 25)), Scope(segments=("Mid-Market",))),
]


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a))
    )


@pytest.mark.parametrize(("period", "scope"), CASES)
def test_report_equals_full_grain_evaluation(demo_url, period, scope):
    repo = Repository(make_engine(demo_url, read_only=True))
    report = kr.kpi_report(repo, period, scope, SETTINGS)
    facts = kr.load_facts(repo, period, scope).with_customer_months(SETTINGS)
    direct = evaluate(facts, SETTINGS)
    for name in metrics.KPIS:
        assert _close(report.current[name].value, direct[name].value), name
        assert report.current[name].reason == direct[name].reason, name
    for by in kr.BREAKDOWNS:
        fast, full = report.breakdowns[by], breakdown(facts, by, SETTINGS)
        assert fast["key"].tolist() == full["key"].tolist()
        for name in metrics.KPIS:
            for a, b in zip(fast[name], full[name], strict=True):
                assert _close(None if a != a else a, None if b != b else b), (by, name)


def test_previous_period_equals_report_of_previous_period(demo_url):
    repo = Repository(make_engine(demo_url, read_only=True))
    period = Period(date(2025, 7, 1), date(2025, 12, 31))
    report = kr.kpi_report(repo, period, Scope(), SETTINGS, breakdowns=())
    earlier = kr.kpi_report(repo, period.previous(), Scope(), SETTINGS, breakdowns=())
    for name in metrics.KPIS:
        assert _close(report.prior[name].value, earlier.current[name].value), name


def test_churn_in_the_first_requested_month_is_counted():
    import pandas as pd

    spans = pd.DataFrame(
        {
            "territory_id": [1, 1],
            "segment": ["SMB", "SMB"],
            # customer A last ordered in July -> churns in January (6 months later);
            # customer B is still active.
            "first_month": pd.to_datetime(["2024-01-01", "2024-03-01"]),
            "last_month": pd.to_datetime(["2024-07-01", "2025-01-01"]),
            "customers": [1, 1],
        }
    )
    months = [date(2025, 1, 1), date(2025, 2, 1)]
    out = customer_months(spans, months, inactive=6)
    by_month = out.set_index("month")
    assert by_month.loc["2025-01-01", "churned"] == 1  # A churns in January...
    assert by_month.loc["2025-01-01", "active"] == 1  # ...so only B is active in it
    assert by_month.loc["2025-02-01", "churned"] == 0
