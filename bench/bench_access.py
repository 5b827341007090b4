"""Benchmark: what limiting every query to the signed-in viewer costs in page data time.

    python bench/bench_access.py --url sqlite:////path/large.db --url postgresql+psycopg://...

Page data = what the Overview/KPIs, Territory, Rep time and Pipeline review pages read
(kpi_report, territory_data, time_report, review_waterfall), called as the pages call them.
Each variant runs on one engine, no result cache; "cold" is the median of three calls
after one warm-up call (the app keeps its engine, so statement compiles are warm):

- raw:            the query mixins without salesops.repository.access (no wrapper at all)
- admin:          Repository(engine): wrapped, the viewer sees everything
- manager filter: raw, with the manager's scope passed by the caller (the same SQL a
                  manager's intersection produces)
- manager:        Repository(engine, visible=manager scope), pages asking for everything

Overheads: admin / raw (what every page view pays for the wrapper) and manager /
manager filter (what the intersection adds over the same filtered SQL). Reads only; the
database is not changed. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _raw_class() -> type:
    """Returns a Repository class built from the same mixins, without the access wrapper."""
    from salesops.repository import Repository

    return type("RawRepository", Repository.__bases__, {})


def _manager_scope(engine, team: str | None):
    """Returns the scope a manager of `team` (the largest team when None) would see."""
    from sqlalchemy import func, select

    from salesops.access.users import User
    from salesops.access.viewer import _scopes
    from salesops.db import schema as s

    with engine.connect() as conn:
        if team is None:
            r = s.reps.c
            team = conn.execute(
                select(r.manager).group_by(r.manager).order_by(func.count().desc()).limit(1)
            ).scalar()
        scope, _ = _scopes(conn, User("bench@example.com", "manager", team=team))
    return team, scope


def _page_data(repo, scope, period, week) -> dict:
    """Reads what the four pages read; returns a few figures to show the variants agree."""
    from salesops.kpis.report import kpi_report
    from salesops.pipeline_review.report import review_waterfall
    from salesops.pipeline_review.scope import COMPANY, ReviewScope
    from salesops.territory.report import territory_data
    from salesops.time_allocation.report import time_report

    kpis = kpi_report(repo, period, scope)
    territory = territory_data(repo, scope, period.end)
    time_ = time_report(repo, period, scope)
    review_scope = (
        COMPANY
        if scope.is_everything
        else ReviewScope("team", None, "bench", scope.rep_ids, scope.territory_ids)
    )
    waterfall = review_waterfall(repo, week, review_scope)
    return {
        "win_rate": kpis.current["win_rate"].value,
        "territories": len(territory.territories) if hasattr(territory, "territories") else None,
        "time_team_hours": getattr(getattr(time_, "team", None), "hours", None),
        "closing": getattr(waterfall, "closing", None),
    }


def _interleaved(variants: dict, rounds: int) -> tuple[dict, dict]:
    """Returns each variant's median seconds and figures, timed in alternating rounds.

    One warm-up call each (statement compiles, rollup-readiness checks), then `rounds`
    rounds calling every variant once, so load from other processes hits all alike.
    """
    figures = {name: fn() for name, fn in variants.items()}
    runs: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            runs[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    medians = {name: statistics.median(times) for name, times in runs.items()}
    medians |= {f"{name}_cpu": statistics.median(times) for name, times in cpu.items()}
    return medians, figures


def _wrapper_cost(scope) -> float:
    """Returns the seconds one wrapped query call adds (bind arguments, intersect the scope)."""
    from salesops.repository import EVERYTHING
    from salesops.repository.access import Rule, _wrapped

    def query(self, period=None, scope=EVERYTHING):  # a query that does nothing
        return scope

    wrapped = _wrapped("query", query, Rule.SCOPED)
    holder = type("Holder", (), {"visible": scope, "team": scope})()
    calls = 20_000
    start = time.perf_counter()
    for _ in range(calls):
        wrapped(holder, None)
    wrapped_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(calls):
        query(holder, None)
    return (wrapped_seconds - (time.perf_counter() - start)) / calls


def _queries_per_call(engine, fn) -> int:
    """Returns how many SQL statements one page-data call runs."""
    from sqlalchemy import event

    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def bench(url: str, team: str | None, rounds: int) -> dict:
    """Returns the four variants' cold page-data times and the two overhead ratios."""
    from datetime import timedelta

    from salesops.calendar import Period, add_months, week_of
    from salesops.db.engine import make_engine
    from salesops.repository import EVERYTHING, Repository

    engine = make_engine(url, read_only=True)
    raw_class = _raw_class()
    last = raw_class(engine).data_bounds()["last"]
    end = last.replace(day=1) - timedelta(days=1)  # the last whole month, and 11 before it
    period = Period(add_months(end.replace(day=1), -11), end)
    week = week_of(end - timedelta(days=7))
    team, manager = _manager_scope(engine, team)
    variants = {
        "raw": lambda: _page_data(raw_class(engine), EVERYTHING, period, week),
        "admin": lambda: _page_data(Repository(engine), EVERYTHING, period, week),
        "manager_filter": lambda: _page_data(raw_class(engine), manager, period, week),
        "manager": lambda: _page_data(
            Repository(engine, visible=manager, team=manager), EVERYTHING, period, week
        ),
    }
    seconds, figures = _interleaved(variants, rounds)
    for name in variants:
        print(
            f"  {name:15s} {seconds[name]:.3f} s wall, {seconds[name + '_cpu']:.3f} s CPU  "
            f"{figures[name]}",
            flush=True,
        )
    per_call = _wrapper_cost(manager)
    queries = _queries_per_call(engine, variants["manager"])
    wrapper_seconds = per_call * queries
    print(
        f"  wrapper: {per_call * 1e6:.1f} us per query x {queries} queries = "
        f"{wrapper_seconds * 1e3:.2f} ms ({wrapper_seconds / seconds['manager']:.3%} of the "
        "manager's page data)",
        flush=True,
    )
    return {
        "url": url.split("@")[-1],
        "wrapper_seconds_per_query": per_call,
        "queries_per_page_data": queries,
        "wrapper_share_of_page_data": wrapper_seconds / seconds["manager"],
        "period": [str(period.start), str(period.end)],
        "week": str(week.start),
        "manager_team": team,
        "manager_reps": len(manager.rep_ids),
        "seconds": seconds,
        "figures": figures,
        "wrapper_overhead": seconds["admin"] / seconds["raw"] - 1,
        "intersection_overhead": seconds["manager"] / seconds["manager_filter"] - 1,
        "wrapper_overhead_cpu": seconds["admin_cpu"] / seconds["raw_cpu"] - 1,
        "intersection_overhead_cpu": seconds["manager_cpu"] / seconds["manager_filter_cpu"] - 1,
        "load_average": __import__("os").getloadavg()[0],
    }


def main() -> None:
    """Runs the benchmark for each --url and writes bench/results/access-large.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--team", help="the manager's team (reps.manager); default the largest")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "access-large.json"))
    args = parser.parse_args()
    results = []
    for url in args.url:
        print(url.split("@")[-1], flush=True)
        result = bench(url, args.team, args.rounds)
        print(
            f"  wrapper overhead {result['wrapper_overhead']:+.1%}, "
            f"intersection overhead {result['intersection_overhead']:+.1%} (wall); CPU: "
            f"{result['wrapper_overhead_cpu']:+.1%}, {result['intersection_overhead_cpu']:+.1%}",
            flush=True,
        )
        results.append(result)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
