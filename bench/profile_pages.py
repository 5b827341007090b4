"""Where a page's server time goes: each page run cold in AppTest, timed per cached call.

    python bench/profile_pages.py --url sqlite:////work/large/large.db [--page overview]

For each page file (pages/*.py, or those named with --page): a first run on an empty cache
(cold) and a second run (warm), each with its wall time, and for the cold run every call
through salesops.ui.cache (`cached_call`) with its seconds, slowest first, plus the top
functions by cumulative time under cProfile (--profile; stats in artifacts/). Server-side
only: what the browser then receives and draws is bench/bench_browser.py's part.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = (
    "overview",
    "kpis",
    "forecast",
    "territory",
    "plan",
    "time_allocation",
    "pipeline_review",
    "data",
    "cash",
)


def _timing_cache(calls: list[tuple[str, float, float]]) -> Callable[[], None]:
    """Wraps salesops.ui.cache._cached so each call records (name, seconds, CPU seconds).

    CPU is the calling thread's (a prefetch runs in its own thread; SQLite reads in it, a
    PostgreSQL server's work is not counted). Returns a function that restores the original.
    """
    from salesops.ui import cache

    original = cache._cached

    def timed(*args: Any) -> Any:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args)
        finally:
            calls.append((args[4], time.perf_counter() - started, time.thread_time() - cpu))

    cache._cached = timed  # type: ignore[assignment]

    def restore() -> None:
        cache._cached = original  # type: ignore[assignment]

    return restore


# The page runs under cProfile in the script's own thread (a profiler in the test's thread
# sees only it waiting).
PROFILED = """
import cProfile, runpy
profiler = cProfile.Profile()
profiler.enable()
try:
    runpy.run_path({path!r}, run_name="__main__")
finally:
    profiler.disable()
    profiler.dump_stats({out!r})
"""


def _run(path: str, timeout: float, stats: str | None = None) -> tuple[float, float, list[str]]:
    """Runs the page once in AppTest; returns (seconds, CPU seconds, exception messages).

    CPU is the process's (every thread: the page's prefetches too).

    With `stats`, the run is profiled and its cProfile stats written to that file.
    """
    from streamlit.testing.v1 import AppTest

    started, cpu = time.perf_counter(), time.process_time()
    if stats is None:
        at = AppTest.from_file(path, default_timeout=timeout)
    else:
        at = AppTest.from_string(PROFILED.format(path=path, out=stats), default_timeout=timeout)
    at.run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall, cpu, [e.message for e in at.exception]


def profile_page(name: str, timeout: float, with_cprofile: bool, run: str = "cold") -> dict:
    """Returns the page's cold and warm seconds and its cold calls, slowest first.

    With `with_cprofile`, the `run` ("cold" or "warm") is run under cProfile and its top
    functions by cumulative time are returned under "cprofile".
    """
    from salesops.ui.cache import clear_cache

    clear_cache()
    calls: list[tuple[str, float, float]] = []
    restore = _timing_cache(calls)
    stats = str(ROOT / "artifacts" / f"profile-{name}.pstats") if with_cprofile else None
    try:
        path = str(ROOT / "pages" / f"{name}.py")
        cold, cold_cpu, errors = _run(path, timeout, stats if run == "cold" else None)
        warm, warm_cpu, _ = _run(path, timeout, stats if run == "warm" else None)
    finally:
        restore()
    result: dict = {
        "cold_s": round(cold, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "warm_s": round(warm, 2),
        "warm_cpu_s": round(warm_cpu, 2),
        "errors": errors,
        "cold_calls": [
            (fn.rsplit(".", 2)[-2] + "." + fn.rsplit(".", 1)[-1], round(s, 2), round(c, 2))
            for fn, s, c in sorted(calls[: len(calls)], key=lambda c: -c[1])
            if s >= 0.05
        ],
    }
    if stats:
        out = io.StringIO()
        pstats.Stats(stats, stream=out).sort_stats("cumulative").print_stats(50)
        result["cprofile"] = out.getvalue()
    return result


def main() -> None:
    """Profiles each page against --url and prints the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--page", action="append", choices=PAGES)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--profile", action="store_true", help="Also print cProfile's top 50.")
    parser.add_argument(
        "--profile-run",
        choices=("cold", "warm"),
        default="cold",
        help="Which run --profile profiles (warm: every result already cached).",
    )
    parser.add_argument(
        "--prime",
        action="store_true",
        help="Run each page once first (then clear the caches): cold runs pay no imports.",
    )
    args = parser.parse_args()
    os.environ["SALESOPS_DATABASE_URL"] = args.url
    print(f"load average {os.getloadavg()}")
    if args.prime:
        for name in args.page or PAGES:
            profile_page(name, args.timeout, False)
    for name in args.page or PAGES:
        result = profile_page(name, args.timeout, args.profile, args.profile_run)
        print(
            f"{name}: cold {result['cold_s']} s (CPU {result['cold_cpu_s']} s), "
            f"warm {result['warm_s']} s (CPU {result['warm_cpu_s']} s) {result['errors']}"
        )
        for fn, seconds, cpu in result["cold_calls"]:
            print(f"    {seconds:7.2f} s  (CPU {cpu:5.2f} s)  {fn}")
        if "cprofile" in result:
            print(result["cprofile"])
        sys.stdout.flush()
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
