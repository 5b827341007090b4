"""Benchmark: the floor under every page time, a trivial Streamlit page in the same chromium.

    flock /tmp/bench.lock python bench/bench_floor.py

Serves bench/floor/hello.py (a title, a sentence and a subheader: no database, no salesops
import) with the same command line, browser launch, settle rule and CPU accounting as
bench/bench_browser.py, and times it new tab cold (first load after the server started, new
browser context), new tab warm (a new tab of a context that has loaded it) and new window
warm (a new context). Variants add Altair charts of 24 points (one; seven as on the KPIs
page; the seven as one concatenated chart) and st.dataframe grids of 12 rows (one; one with a
chart; seven with two charts, as Order to cash drew): what drawing them costs before any data.
What a salesops page takes beyond these is ours; up to them is Streamlit's and chromium's (and
the machine's load, recorded beside the numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import _context, _timed_cpu  # noqa: E402

LANDMARK = "Go deeper"
# variant -> the page's query string
VARIANTS = {
    "trivial": "",
    "one_chart": "?charts=1",
    "seven_charts": "?charts=7",
    "seven_charts_concatenated": "?charts=7&concat=1",
    "one_grid": "?grids=1",
    "one_chart_one_grid": "?charts=1&grids=1",
    "two_charts_seven_grids": "?charts=2&grids=7",
}


def _one_repeat(browser, query: str) -> dict[str, dict]:
    """Times the floor page (with `query`) cold, warm (new tab) and new window on a fresh server."""
    from tests.e2e.conftest import free_port, start_app, stop_app

    port = free_port()
    server = start_app("sqlite://", port, log_name="bench-floor", script="bench/floor/hello.py")
    base = f"http://127.0.0.1:{port}"
    try:
        cold = _timed_cpu(server.pid, browser, base, query, LANDMARK)
        context = _context(browser)
        try:
            _timed_cpu(server.pid, browser, base, query, LANDMARK, context)  # fills its cache
            warm = _timed_cpu(server.pid, browser, base, query, LANDMARK, context)
        finally:
            context.close()
        window = _timed_cpu(server.pid, browser, base, query, LANDMARK)
        return {"cold": cold, "warm": warm, "warm_new_window": window}
    finally:
        stop_app(server)


def _medians(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Returns the median wall, server CPU and browser CPU per kind of load."""
    return {
        kind: {
            "wall_s": round(statistics.median(run[kind][0] for run in runs), 2),
            "server_cpu_s": round(statistics.median(run[kind][1]["server"] for run in runs), 2),
            "browser_cpu_s": round(statistics.median(run[kind][1]["browser"] for run in runs), 2),
        }
        for kind in ("cold", "warm", "warm_new_window")
    }


def main() -> None:
    """Runs --repeat fresh servers per variant; writes medians (wall, server, browser CPU)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "browser-floor.json"))
    args = parser.parse_args()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    load_before = os.getloadavg()
    started = time.perf_counter()
    runs: dict[str, list[dict]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(args.repeat):
                for variant in args.variant or list(VARIANTS):
                    run = _one_repeat(browser, VARIANTS[variant])
                    runs.setdefault(variant, []).append(run)
                    print(variant, run, file=sys.stderr)
        finally:
            browser.close()
    out = Path(args.out)
    previous = json.loads(out.read_text()) if out.exists() else None
    if previous is not None:
        previous.pop("previous", None)
    results = {
        "what": "a trivial Streamlit page (bench/floor/hello.py) in bench_browser's chromium, "
        "alone and with Altair charts of 24 points (variants)",
        "command": "flock /tmp/bench.lock python bench/bench_floor.py",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "median": {variant: _medians(variant_runs) for variant, variant_runs in runs.items()},
        "runs": runs,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "wall_s": round(time.perf_counter() - started, 1),
        "previous": previous,
    }
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["median"], indent=2))


if __name__ == "__main__":
    main()
