"""Benchmark: the weekly pipeline review at scale (target: snapshot + waterfall < 1 s cold).

    python bench/bench_review.py --url sqlite:////path/large.db [--url postgresql+psycopg://...]
                                 [--week 2026-11-09] [--repeat 3]

Each measurement runs in a fresh subprocess with a fresh engine (no app cache; the operating
system's page cache is not dropped). For each URL it prints, in seconds:
- snapshot_sql:   review_history() — each relevant deal's last row before the week (GROUP BY
                  max subquery) plus the week's rows
- waterfall:      the pure waterfall over those rows
- headline:       review_waterfall() as the Overview calls it (snapshot + waterfall), cold
- report:         review_report() as the page and CLI call it (lists, pushes, coverage), cold
- naive:          what a read-everything dashboard does: whole opportunity_history into pandas,
                  then the same waterfall
plus row counts, peak RSS per approach, and the waterfall so the paths can be seen to agree.
Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _measure(url: str, week_text: str | None, approach: str) -> dict:
    from datetime import UTC, datetime

    import pandas as pd
    import sqlalchemy as sa

    from salesops import pipeline_review as pr
    from salesops import schema
    from salesops.db import make_engine
    from salesops.repository import Repository
    from salesops.review_report import default_week, review_report, review_waterfall

    started = time.perf_counter()
    repo = Repository(make_engine(url, read_only=True))
    if week_text:
        week = pr.parse_week(week_text)
    else:
        week = default_week(datetime.now(UTC).date(), repo.history_bounds()["last"])
    out: dict = {"approach": approach, "week": week.label}
    t0 = time.perf_counter()
    if approach == "headline":
        waterfall = review_waterfall(repo, week)
        out["seconds"] = time.perf_counter() - t0
    elif approach == "split":
        rows = repo.review_history(week.start, week.end)
        out["snapshot_sql"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        waterfall = pr.waterfall(rows, week)
        out["waterfall"] = time.perf_counter() - t1
        out["rows"] = len(rows)
        out["seconds"] = time.perf_counter() - t0
    elif approach == "report":
        report = review_report(repo, week)
        out["seconds"] = time.perf_counter() - t0
        waterfall = report.review.waterfall
        out["lists"] = {k: len(v) for k, v in report.review.lists.items()}
    elif approach == "naive":
        with repo.engine.connect() as conn:
            whole = pd.read_sql(sa.select(schema.opportunity_history), conn)
        waterfall = pr.waterfall(whole, week)
        out["rows"] = len(whole)
        out["seconds"] = time.perf_counter() - t0
    else:
        raise ValueError(approach)
    out["total_with_startup"] = time.perf_counter() - started
    out["waterfall_figures"] = waterfall.as_dict()
    out["reconciles"] = waterfall.reconciles
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeat).")
    parser.add_argument("--week", help="Week to review (default: the last complete one).")
    parser.add_argument("--repeat", type=int, default=1, help="Fresh-process runs per approach.")
    parser.add_argument("--skip-naive", action="store_true", help="Skip the read-everything run.")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, week, approach = args.child
        print(json.dumps(_measure(url, week or None, approach)))
        return
    approaches = ["split", "headline", "report"] + ([] if args.skip_naive else ["naive"])
    for url in args.url:
        print(f"# {url}")
        for approach in approaches:
            for _ in range(args.repeat):
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--url",
                        url,
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
                    print(f"{approach}: failed\n{done.stderr}")
                    continue
                result = json.loads(done.stdout)
                figures = result.pop("waterfall_figures")
                print(json.dumps(result))
            print(f"  waterfall ({approach}): {json.dumps(figures)}")


if __name__ == "__main__":
    main()
