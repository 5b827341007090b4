"""Benchmark: the weekly pipeline review at scale (target: snapshot + waterfall < 1 s cold).

    python bench/bench_review.py --url sqlite:////path/large.db [--url postgresql+psycopg://...]
        [--week 2026-11-09] [--repeat 3] [--approaches headline,report,split,naive]
        [--out bench/results/review.json] [--code /path/to/another/checkout]

Each approach runs in a fresh subprocess (so its peak RSS is its own; the operating system's
page cache is not dropped):
- headline: what the Overview does with an empty app cache: history_bounds() for the default
            week, then review_waterfall() (the week's snapshot + waterfall)
- report:   review_report() as the page, the CLI and the meeting pack call it (waterfall,
            deal lists, push counts, coverage)
- split:    review_history() (SQL + frame) and the pure waterfall over it, timed apart
- naive:    what a read-everything dashboard does: the whole opportunity_history into
            pandas, then the same waterfall
For each it reports first_call_s (the first call in a fresh process once the engine exists:
its first connection, statement compiles, pandas warm-up; imports excluded), cold_s (the
median of --repeat further calls on the same engine with no result cache: what a user meets
when the app's cache is empty, as the app keeps its engine), peak RSS, the load average
(other people share the machine), and the waterfall, so the approaches can be seen to
agree. --code runs another checkout's salesops (e.g. main, for before/after numbers). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from salesops.calendar import Week, parse_week

ROOT = Path(__file__).resolve().parents[1]


def _approaches(week_text: str | None) -> dict:
    """Returns each approach: a function of the repository giving its waterfall."""
    from datetime import UTC, datetime

    import pandas as pd
    import sqlalchemy as sa

    from salesops.db import schema
    from salesops.pipeline_review.report import default_week, review_report, review_waterfall
    from salesops.pipeline_review.waterfall import waterfall
    from salesops.repository import Repository

    def week_of(repo: Repository) -> Week:
        if week_text:
            return parse_week(week_text)
        return default_week(datetime.now(UTC).date(), repo.history_bounds()["last"])

    def headline(repo: Repository) -> dict:
        return {"waterfall": review_waterfall(repo, week_of(repo))}

    def report(repo: Repository) -> dict:
        done = review_report(repo, week_of(repo))
        lists = {k: len(v) for k, v in done.review.lists.items()}
        return {"waterfall": done.review.waterfall, "lists": lists}

    def split(repo: Repository) -> dict:
        week = week_of(repo)
        t0 = time.perf_counter()
        rows = repo.review_history(week.start, week.end)
        t1 = time.perf_counter()
        totals = waterfall(rows, week)
        t2 = time.perf_counter()
        return {"waterfall": totals, "rows": len(rows), "sql_s": t1 - t0, "pure_s": t2 - t1}

    def naive(repo: Repository) -> dict:
        week = week_of(repo)
        with repo.engine.connect() as conn:
            whole = pd.read_sql(sa.select(schema.opportunity_history), conn)
        return {"waterfall": waterfall(whole, week), "rows": len(whole)}

    return {"headline": headline, "report": report, "split": split, "naive": naive}


def _measure(url: str, week_text: str | None, approach: str, repeat: int) -> dict:
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    run = _approaches(week_text)[approach]
    load_before = os.getloadavg()[0]
    repo = Repository(make_engine(url, read_only=True))  # the app builds its engine once
    started = time.perf_counter()
    first = run(repo)
    out: dict = {"approach": approach, "first_call_s": round(time.perf_counter() - started, 3)}
    runs, details = [], []
    for _ in range(repeat if approach != "naive" else 0):
        t0 = time.perf_counter()
        details.append(run(repo))
        runs.append(round(time.perf_counter() - t0, 3))
    if runs:
        out["cold_s"] = statistics.median(runs)
        out["cold_runs_s"] = runs
    for key in ("sql_s", "pure_s"):
        if details and key in details[0]:
            out[key] = round(statistics.median(d[key] for d in details), 3)
    for key in ("rows", "lists"):
        if key in first:
            out[key] = first[key]
    waterfall = first["waterfall"]
    out["week"] = waterfall.week.label
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_avg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    out["waterfall"] = waterfall.as_dict()
    out["reconciles"] = waterfall.reconciles
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeat).")
    parser.add_argument("--week", help="Week to review (default: the last complete one).")
    parser.add_argument("--repeat", type=int, default=3, help="Cold calls after the first.")
    parser.add_argument("--approaches", default="headline,report,split,naive")
    parser.add_argument("--out", help="Write the results as JSON to this file.")
    parser.add_argument("--code", default=str(ROOT), help="Checkout whose salesops to run.")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, week, approach = args.child
        sys.path.insert(0, args.code)
        print(json.dumps(_measure(url, week or None, approach, args.repeat)))
        return
    results = []
    for url in args.url:
        engine = url.split(":")[0]
        for approach in args.approaches.split(","):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--url",
                    url,
                    "--repeat",
                    str(args.repeat),
                    "--code",
                    args.code,
                    "--child",
                    url,
                    args.week or "",
                    approach,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"{engine} {approach}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            row = {"engine": engine, **json.loads(done.stdout.strip().splitlines()[-1])}
            results.append(row)
            print(
                f"{engine:20} {approach:9} first call {row['first_call_s']:7.3f}s  "
                f"cold {row.get('cold_s', float('nan')):7.3f}s {row.get('cold_runs_s', '')}  "
                f"peak RSS {row['peak_rss_mb']:6.1f} MB  load {row['load_avg_1m']}",
                flush=True,
            )
    figures = {json.dumps(r["waterfall"], sort_keys=True) for r in results}
    print(f"every approach gives the same waterfall: {len(figures) <= 1}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
