"""Benchmark: the KPI report for periods on and off whole months (issue 20 case 4).

    python bench/bench_kpi_periods.py --url sqlite:////work/large/large.db \
        --url postgresql+psycopg://postgres@127.0.0.1/salesops_large

For each URL, in a fresh process: one warm-up report (imports, connections, statement
compiles), then each period "cold" (the app's result cache empty, its engine kept): wall
seconds, the number of SQL statements and the seconds spent in them, and the machine's
load average, which on a shared 2-core machine inflates every figure. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERIODS = [
    ("whole year", date(2025, 1, 1), date(2025, 12, 31)),
    ("mid-month to mid-month", date(2025, 1, 15), date(2025, 12, 20)),
    ("17 days in one month", date(2025, 3, 3), date(2025, 3, 19)),
    ("across a year end", date(2024, 11, 7), date(2025, 2, 11)),
]


def run_one(url: str) -> dict:
    """Times kpi_report for every period on one database (in this process)."""
    from sqlalchemy import event

    from salesops.calendar import Period
    from salesops.config import Settings
    from salesops.db.engine import make_engine
    from salesops.kpis.report import kpi_report
    from salesops.repository import Repository

    engine = make_engine(url, read_only=True)
    repo = Repository(engine)
    spent: list[float] = []

    def before(conn, *_):
        conn.info["started"] = time.perf_counter()

    def after(conn, *_):
        spent.append(time.perf_counter() - conn.info["started"])

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    kpi_report(repo, Period(date(2024, 1, 1), date(2024, 12, 31)), settings=Settings())
    rows = []
    for label, start, end in PERIODS:
        spent.clear()
        began = time.perf_counter()
        kpi_report(repo, Period(start, end), settings=Settings())
        rows.append(
            {
                "period": label,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "wall_s": round(time.perf_counter() - began, 3),
                "statements": len(spent),
                "sql_s": round(sum(spent), 3),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    return {"url": url.split("@")[-1], "periods": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="database URL (repeat)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "kpi-periods.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.url[0])))
        return
    results = []
    for url in args.url:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--url", url],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1], indent=2), flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
