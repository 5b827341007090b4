"""Benchmark: Rep time allocation page data (cold) and slider compute time, at scale.

    python bench/bench_time.py --url sqlite:////tmp/large.db [--url postgresql+psycopg://...]
    python bench/bench_time.py --url sqlite:////tmp/large.db --expand-activities 4   # once

`--expand-activities K` rewrites the database in place (a disposable bench copy!): each
activity row is split into K rows of sub-activities ("Travel (2/4)" ...) with the hours
divided, so the large demo (~0.45M activity rows) reaches the issue's ~2M rows with
~40 activity types; totals per rep, week and category are unchanged. Rollups are rebuilt.

For every URL and view, fresh subprocesses (fresh engine, no app cache; --repeat of
them, the median reported) run `time_report` as the page does and report: query time,
compute time, total cold time, a second (warm-process) run, and peak RSS. Then it times
the slider compute (what-if, literature comparison, middle lift, ramp value) on the built
report, min and median over 200 runs. Not a test; prints a table and writes JSON to --out.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWS = ["default", "month_trend", "territory", "team", "one_rep", "five_years", "partial"]


def _view(repo, name):
    """Returns (period, scope, freq) for a named view, as the page would ask for it."""
    import pandas as pd

    from salesops.calendar import Period
    from salesops.config import Settings
    from salesops.kpis.report import default_period
    from salesops.repository import EVERYTHING, Scope
    from salesops.time_allocation.team import team_scope

    bounds = repo.data_bounds()
    period = default_period(pd.Timestamp(bounds["last"]), Settings().default_period_months)
    if name == "default":
        return period, EVERYTHING, "W"
    if name == "month_trend":
        return period, EVERYTHING, "M"
    if name == "territory":
        return period, Scope(territory_ids=(1,)), "W"
    if name == "team":
        reps = repo.time_reps()
        manager = sorted(reps["manager"].dropna().unique())[0]
        return period, team_scope(EVERYTHING, reps, [manager]), "W"
    if name == "one_rep":
        return period, Scope(rep_ids=(1,)), "W"
    if name == "five_years":
        first = bounds["first"].replace(day=1)
        return Period(first, period.end), EVERYTHING, "M"
    if name == "partial":  # not whole months: pushdown on the base tables
        return Period(period.start.replace(day=10), period.end.replace(day=20)), EVERYTHING, "W"
    raise ValueError(name)


def child(url: str, view: str) -> dict:
    """Runs one cold measurement in this (fresh) process and returns the numbers."""
    from dataclasses import replace

    from salesops.config import Settings
    from salesops.db.engine import make_engine
    from salesops.repository import Repository
    from salesops.time_allocation.middle import middle_lift
    from salesops.time_allocation.ramp import ramp_shortening_value
    from salesops.time_allocation.report import build_time_report, time_inputs
    from salesops.time_allocation.what_if import default_scenario, literature_comparison, what_if

    settings = Settings()
    t0 = time.perf_counter()
    repo = Repository(make_engine(url, read_only=True))
    period, scope, freq = _view(repo, view)
    t1 = time.perf_counter()
    inputs = time_inputs(repo, period, scope, freq, settings)
    t2 = time.perf_counter()
    report = build_time_report(inputs, settings)
    t3 = time.perf_counter()
    time_inputs(repo, period, scope, freq, settings)
    t4 = time.perf_counter()
    scenario = replace(
        default_scenario(report.what_if_base, settings),
        shift_share=0.3,
        activities=tuple(report.back_office_activities[:3]),
        elasticity=0.7,
        release_unconverted=True,
    )
    hires = report.hires_per_year.value or 0.0
    samples = []
    for i in range(200):
        s0 = time.perf_counter()
        result = what_if(report.what_if_base, scenario)
        literature_comparison(
            result,
            revenue_lift=settings.literature_revenue_lift,
            sga_reduction=settings.literature_sga_reduction,
        )
        middle_lift(report.distribution, 0.05 + (i % 10) / 100)
        ramp_shortening_value(report.ramp, 1 + i % 3, hires)
        samples.append(time.perf_counter() - s0)
    return {
        "view": view,
        "period": f"{period.start}..{period.end}",
        "scope_reps": len(report.rep_summary),
        "rep_activity_rows": len(inputs.rep_activity),
        "trend_rows": len(inputs.trend_activity),
        "setup_s": t1 - t0,
        "queries_cold_s": t2 - t1,
        "compute_s": t3 - t2,
        "page_data_cold_s": t3 - t1,
        "queries_second_run_s": t4 - t3,
        "slider_min_ms": min(samples) * 1000,
        "slider_median_ms": statistics.median(samples) * 1000,
        "slider_max_ms": max(samples) * 1000,
        "team_selling_share": report.team.selling_share.value,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def expand_activities(url: str, k: int) -> int:
    """Splits every activity row into k sub-activity rows in place; returns the new row count."""
    from sqlalchemy import func, insert, literal, select, update

    from salesops.db import schema as s
    from salesops.db.engine import make_engine
    from salesops.db.migrate import ensure_current_schema
    from salesops.db.rollups import refresh_rollups

    engine = make_engine(url)
    ensure_current_schema(engine)  # an older bench copy may lack this version's rollup tables
    a, at = s.activities.c, s.activity_types.c
    with engine.begin() as conn:
        types = conn.execute(select(at.activity, at.category, at.is_back_office)).all()
        if any("(2/" in t.activity for t in types):
            raise SystemExit("Activities are already expanded in this database.")
        conn.execute(
            insert(s.activity_types),
            [
                {
                    "activity": f"{t.activity} ({i}/{k})",
                    "category": t.category,
                    "is_back_office": t.is_back_office,
                }
                for t in types
                for i in range(2, k + 1)
            ],
        )
        for i in range(2, k + 1):
            conn.execute(
                insert(s.activities).from_select(
                    ["rep_id", "week_start", "activity", "hours", "count"],
                    select(
                        a.rep_id,
                        a.week_start,
                        a.activity.concat(literal(f" ({i}/{k})")),
                        a.hours / k,
                        literal(None),
                    ).where(a.activity.not_like("%/%)")),
                )
            )
        conn.execute(
            update(s.activities).where(a.activity.not_like("%/%)")).values(hours=a.hours / k)
        )
        rows = conn.execute(select(func.count()).select_from(s.activities)).scalar_one()
    refresh_rollups(engine)
    return int(rows)


COPIED = [
    "territories",
    "reps",
    "activity_types",
    "activities",
    "stages",
    "accounts",
    "opportunities",
    "rollup_closed_opportunities",
    "rollup_activity_months",
    "rollup_activity_weeks",
    "rollup_activity_territory_months",
    "rollup_activity_running",
    "rollup_won_weeks",
]


def copy_tables(source: str, target: str, chunk: int = 50_000) -> None:
    """Copies the tables the time page reads from `source` into a fresh schema at `target`."""
    from sqlalchemy import select

    from salesops.db import schema as s
    from salesops.db.engine import init_schema, make_engine

    src, dst = make_engine(source, read_only=True), make_engine(target)
    init_schema(dst)
    for name in COPIED:
        table = s.metadata.tables[name]
        t0, rows = time.perf_counter(), 0
        with src.connect() as read, dst.begin() as write:
            result = read.execution_options(stream_results=True).execute(select(table))
            while batch := result.fetchmany(chunk):
                records = [dict(r._mapping) for r in batch]
                if name == "opportunities":  # leads are not copied: drop the link
                    for record in records:
                        record["lead_id"] = None
                write.execute(table.insert(), records)
                rows += len(batch)
        print(f"copied {name}: {rows:,} rows in {time.perf_counter() - t0:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="database URL (repeat)")
    parser.add_argument("--view", action="append", choices=VIEWS, help="views (default: all)")
    parser.add_argument("--expand-activities", type=int, metavar="K")
    parser.add_argument("--copy-from", metavar="URL", help="copy the time tables into --url")
    parser.add_argument(
        "--repeat", type=int, default=3, help="cold runs per view; the median is reported"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "time.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url[0], args.view[0])))
        return
    if args.copy_from:
        copy_tables(args.copy_from, args.url[0])
        return
    if args.expand_activities:
        for url in args.url:
            t0 = time.perf_counter()
            rows = expand_activities(url, args.expand_activities)
            print(
                f"{url}: {rows:,} activity rows after expansion ({time.perf_counter() - t0:.0f} s)"
            )
        return
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    results = []
    for url in args.url:
        counts = Repository(make_engine(url, read_only=True)).row_counts()
        print(
            f"\n{url.split('@')[-1]}: {counts['activities']:,} activity rows, "
            f"{counts['reps']} reps, {counts['opportunities']:,} opportunities"
        )
        print(
            f"{'view':12} {'reps':>5} {'queries':>8} {'compute':>8} {'cold':>7} "
            f"{'2nd':>7} {'slider ms (min/med/max)':>24} {'RSS MB':>7} {'cold min..max':>14}"
        )
        for view in args.view or VIEWS:
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", "--url", url, "--view", view],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            # The run with the median cold time stands for the view; the spread is kept.
            runs.sort(key=lambda run: run["page_data_cold_s"])
            r = runs[len(runs) // 2]
            r["cold_runs_s"] = [run["page_data_cold_s"] for run in runs]
            r["url"] = url.split("@")[-1]
            r["activity_rows"] = counts["activities"]
            results.append(r)
            print(
                f"{view:12} {r['scope_reps']:>5} {r['queries_cold_s']:>7.3f}s "
                f"{r['compute_s']:>7.3f}s {r['page_data_cold_s']:>6.3f}s "
                f"{r['queries_second_run_s']:>6.3f}s "
                f"{r['slider_min_ms']:>8.1f}/{r['slider_median_ms']:.1f}/{r['slider_max_ms']:.1f}"
                f" {r['peak_rss_mb']:>7.0f}"
                f" {min(r['cold_runs_s']):>6.3f}..{max(r['cold_runs_s']):.3f}"
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
