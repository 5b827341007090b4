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


def _timing_cache(calls: list[tuple[str, float]]) -> Callable[[], None]:
    """Wraps salesops.ui.cache._cached so each call records (function name, seconds).

    Returns a function that restores the original.
    """
    from salesops.ui import cache

    original = cache._cached

    def timed(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args)
        finally:
            calls.append((args[4], time.perf_counter() - started))

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


def _run(path: str, timeout: float, stats: str | None = None) -> tuple[float, list[str]]:
    """Runs the page once in AppTest; returns (seconds, exception messages).

    With `stats`, the run is profiled and its cProfile stats written to that file.
    """
    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    if stats is None:
        at = AppTest.from_file(path, default_timeout=timeout)
    else:
        at = AppTest.from_string(PROFILED.format(path=path, out=stats), default_timeout=timeout)
    at.run()
    return time.perf_counter() - started, [e.message for e in at.exception]


def profile_page(name: str, timeout: float, with_cprofile: bool) -> dict:
    """Returns the page's cold and warm seconds and its cold calls, slowest first."""
    from salesops.ui.cache import clear_cache

    clear_cache()
    calls: list[tuple[str, float]] = []
    restore = _timing_cache(calls)
    stats = str(ROOT / "artifacts" / f"profile-{name}.pstats") if with_cprofile else None
    try:
        cold, errors = _run(str(ROOT / "pages" / f"{name}.py"), timeout, stats)
        warm, _ = _run(str(ROOT / "pages" / f"{name}.py"), timeout)
    finally:
        restore()
    result: dict = {
        "cold_s": round(cold, 2),
        "warm_s": round(warm, 2),
        "errors": errors,
        "cold_calls": [
            (fn.rsplit(".", 2)[-2] + "." + fn.rsplit(".", 1)[-1], round(s, 2))
            for fn, s in sorted(calls[: len(calls)], key=lambda c: -c[1])
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
    parser.add_argument("--profile", action="store_true", help="Also print cProfile's top 40.")
    args = parser.parse_args()
    os.environ["SALESOPS_DATABASE_URL"] = args.url
    print(f"load average {os.getloadavg()}")
    for name in args.page or PAGES:
        result = profile_page(name, args.timeout, args.profile)
        print(f"{name}: cold {result['cold_s']} s, warm {result['warm_s']} s {result['errors']}")
        for fn, seconds in result["cold_calls"]:
            print(f"    {seconds:7.2f} s  {fn}")
        if "cprofile" in result:
            print(result["cprofile"])
        sys.stdout.flush()
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
