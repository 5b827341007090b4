"""Benchmark: Order-to-cash page data (cold) and the what-if, at the large demo scale.

    python bench/bench_cash.py --url sqlite:////tmp/large.db [--url postgresql+psycopg://...]

The database must be at the head revision (`salesops db upgrade` on a copy of the large
demo). For every URL and view, fresh subprocesses (fresh engine, no app cache; --repeat of
them, the median reported) run `cash_inputs` + `build_cash_report` as the page does, and
report each query's time, the total cold time (wall and the process's CPU), a second
(warm-process) run and peak RSS;
then the what-if (`cash_what_if`) min and median over 1000 runs. Not a test; prints a
table and writes JSON to --out.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWS = ["default", "quarter", "territory", "one_rep"]


def _view(repo, name):
    """Returns (period, scope) for a named view, as the page would ask for it."""
    import pandas as pd

    from salesops.calendar import Period, quarter_of
    from salesops.config import Settings
    from salesops.kpis.report import default_period
    from salesops.repository import EVERYTHING, Scope

    last = repo.data_bounds()["last"]
    period = default_period(pd.Timestamp(last), Settings().default_period_months)
    if name == "default":
        return period, EVERYTHING
    if name == "quarter":
        return Period(quarter_of(last).start, last), EVERYTHING
    if name == "territory":
        return period, Scope(territory_ids=(1,))
    if name == "one_rep":
        return period, Scope(rep_ids=(1,))
    raise ValueError(name)


class Timed:
    """Wraps a Repository, timing each query it runs."""

    def __init__(self, repo):
        self.repo, self.times = repo, {}

    def __getattr__(self, name):
        method = getattr(self.repo, name)
        if not callable(method):  # the engine: cash_inputs reads side by side on it
            return method

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            result = method(*args, **kwargs)
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - t0
            return result

        return timed


def child(url: str, view: str) -> dict:
    """Runs one cold measurement in this (fresh) process and returns the numbers."""
    from salesops.cash.report import build_cash_report, cash_inputs
    from salesops.config import Settings
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    settings = Settings()
    repo = Repository(make_engine(url, read_only=True))
    period, scope = _view(repo, view)
    runs = []
    for _ in range(2):  # cold, then warm (same process, no cache of ours)
        timed = Timed(repo)
        c0, t0 = time.process_time(), time.perf_counter()
        inputs = cash_inputs(timed, period, scope, settings)  # type: ignore[arg-type]
        t1 = time.perf_counter()
        report = build_cash_report(inputs, settings)
        t2, c2 = time.perf_counter(), time.process_time()
        runs.append({"query_s": t1 - t0, "compute_s": t2 - t1, "total_s": t2 - t0,
                     "cpu_s": c2 - c0, "queries": timed.times})  # fmt: skip
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "period": [period.start.isoformat(), period.end.isoformat()],
        "cold": runs[0],
        "warm": runs[1],
        "rss_mb": rss_mb,
        "orders": report.funnel.count("ordered"),
    }


def what_if_timing(url: str) -> dict:
    """Returns the what-if compute time (min, median over 1000 runs) on a built report."""
    from salesops.cash.report import cash_report
    from salesops.cash.what_if import cash_what_if
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    repo = Repository(make_engine(url, read_only=True))
    period, scope = _view(repo, "default")
    report = cash_report(repo, period, scope)
    times = []
    for i in range(1000):
        t0 = time.perf_counter()
        cash_what_if(report.rates, i % 10, i % 30, 0.08)
        times.append(time.perf_counter() - t0)
    return {"min_ms": min(times) * 1e3, "median_ms": statistics.median(times) * 1e3}


def main() -> None:
    """Runs every view on every URL in fresh processes and prints/writes the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "cash-large.json"))
    parser.add_argument("--views", default=",".join(VIEWS), help="comma-separated views")
    parser.add_argument("--label", help="write under this key, keeping the file's other keys")
    parser.add_argument("--no-what-if", action="store_true", help="skip the what-if timing")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    results: dict = {}
    for url in args.url:
        dialect = url.split(":", 1)[0].split("+")[0]
        results[dialect] = {"views": {}, "load_average_before": os.getloadavg()}
        for view in args.views.split(","):
            samples = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--url", url, "--child", url, view],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
            samples.sort(key=lambda s: s["cold"]["total_s"])
            median = samples[len(samples) // 2]
            median["cold_all_s"] = [round(s["cold"]["total_s"], 3) for s in samples]
            results[dialect]["views"][view] = median
            print(f"{dialect:10} {view:10} cold {median['cold']['total_s']:.3f} s "
                  f"(query {median['cold']['query_s']:.3f}, cpu {median['cold']['cpu_s']:.3f}, "
                  f"all {median['cold_all_s']}) warm {median['warm']['total_s']:.3f}"
                  f" s  rss {median['rss_mb']:.0f} MB  orders {median['orders']:,}"
                  f"  load {os.getloadavg()[0]:.1f}")  # fmt: skip
        if not args.no_what_if:
            results[dialect]["what_if"] = what_if_timing(url)
            print(f"{dialect:10} what-if {results[dialect]['what_if']}")
        results[dialect]["load_average_after"] = os.getloadavg()
    out = Path(args.out)
    if args.label:
        kept = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        results = {**kept, args.label: results}
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
