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

    flock /tmp/bench.lock python bench/bench_floor.py --kinds [--kind altair ...] --repeat 5

times, per element kind of hello.py's KINDS (one metric, an Altair chart, a dataframe, a
download button, a page link, an expander, tabs, ...), the cold new tab of the page with that
one element against the bare page, in interleaved pairs (bare then kind, kind then bare on the
next repeat; a fresh server per load), with chromium's CPU and the scripts the tab fetched:
what each kind costs a first visit (bench/results/browser-floor-kinds.json).
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


# What the tab fetched: scripts (count, bytes over the wire) and everything else.
RESOURCES_JS = r"""
() => {
  const entries = performance.getEntriesByType('resource');
  const scripts = entries.filter(e => /\.m?js(\?|$)/.test(e.name));
  const sum = list => list.reduce((total, e) => total + (e.transferSize || 0), 0);
  return {scripts: scripts.length, script_kb: Math.round(sum(scripts) / 1024),
          resources: entries.length, kb: Math.round(sum(entries) / 1024),
          fonts: entries.filter(e => /\.woff2?(\?|$)/.test(e.name)).length};
}
"""


def cold_kind(browser, kind: str) -> dict:
    """Serves hello.py afresh; returns its first (cold) new tab with `?kind=kind` ("" = bare).

    Seconds to fully drawn (tests/e2e/settle.py), the server's and chromium's CPU seconds
    over the load (bench_browser._timed_cpu, as every page load is timed), and what the tab
    fetched (RESOURCES_JS). Raises RuntimeError when the page never settles.
    """
    from tests.e2e.conftest import free_port, start_app, stop_app

    port = free_port()
    server = start_app("sqlite://", port, log_name="bench-floor", script="bench/floor/hello.py")
    try:
        fetched: dict = {}
        query = f"?kind={kind}" if kind else ""
        seconds, cpu = _timed_cpu(
            server.pid,
            browser,
            f"http://127.0.0.1:{port}",
            query,
            LANDMARK,
            on_drawn=lambda page: fetched.update(page.evaluate(RESOURCES_JS)),
        )
        if seconds is None:
            raise RuntimeError(f"the floor page {query or '(bare)'} was not drawn")
        return {
            "wall_s": round(seconds, 3),
            "server_cpu_s": cpu["server"],
            "browser_cpu_s": cpu["browser"],
            **fetched,
        }
    finally:
        stop_app(server)


def kinds_summary(pairs: list[dict]) -> dict:
    """Medians of the kind's and the bare page's loads, and of their differences per pair."""

    def median(values: list[float]) -> float:
        return round(statistics.median(values), 3)

    out: dict = {}
    for field in ("wall_s", "browser_cpu_s", "server_cpu_s", "scripts", "script_kb"):
        bare = [pair["bare"][field] for pair in pairs]
        kind = [pair["kind"][field] for pair in pairs]
        out[field] = {
            "bare": median(bare),
            "kind": median(kind),
            "added": median([k - b for k, b in zip(kind, bare, strict=True)]),
        }
    out["pairs_slower"] = sum(p["kind"]["wall_s"] > p["bare"]["wall_s"] for p in pairs)
    out["pairs_more_cpu"] = sum(
        p["kind"]["browser_cpu_s"] > p["bare"]["browser_cpu_s"] for p in pairs
    )
    out["pairs"] = len(pairs)
    return out


def kinds(browser, names: list[str], repeat: int) -> dict:
    """Interleaved pairs (bare, kind) per kind and repeat; the order flips every repeat."""
    pairs: dict[str, list[dict]] = {name: [] for name in names}
    loads = [os.getloadavg()]
    for number in range(repeat):
        for name in names:
            order = ("bare", "kind") if number % 2 == 0 else ("kind", "bare")
            pair = {side: cold_kind(browser, "" if side == "bare" else name) for side in order}
            pair["load"] = os.getloadavg()[0]
            pairs[name].append(pair)
            print(number + 1, name, pair, file=sys.stderr)
        loads.append(os.getloadavg())
    return {
        "median": {name: kinds_summary(name_pairs) for name, name_pairs in pairs.items()},
        "load_averages": loads,
        "pairs": pairs,
    }


def main() -> None:
    """Runs --repeat fresh servers per variant; writes medians (wall, server, browser CPU)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    parser.add_argument("--out", help="default: bench/results/browser-floor[-kinds].json")
    parser.add_argument("--kinds", action="store_true", help="each element kind vs bare")
    parser.add_argument("--kind", action="append", help="with --kinds: these (default all)")
    args = parser.parse_args()
    if args.kinds:
        return main_kinds(args)
    args.out = args.out or str(ROOT / "bench" / "results" / "browser-floor.json")
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


def main_kinds(args: argparse.Namespace) -> None:
    """--kinds: each element kind's cold new tab against the bare page; writes --out."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    sys.path.insert(0, str(ROOT / "bench" / "floor"))
    names = args.kind or list(_kind_names())
    started = time.perf_counter()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results = kinds(browser, names, args.repeat)
        finally:
            browser.close()
    out = Path(args.out or ROOT / "bench" / "results" / "browser-floor-kinds.json")
    out.write_text(
        json.dumps(
            {
                "what": "cold new tab (new browser context, fresh server) of bench/floor/hello.py "
                "with one element kind (?kind=NAME) against the bare page, interleaved pairs; "
                "added = median over pairs of (kind - bare)",
                "command": "flock /tmp/bench.lock python bench/bench_floor.py --kinds "
                f"--repeat {args.repeat}",
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "wall_s": round(time.perf_counter() - started, 1),
                **results,
            },
            indent=1,
        )
        + "\n"
    )
    print(kinds_table(results["median"]))


def _kind_names() -> list[str]:
    """Returns hello.py's KINDS names (read from its source: importing it would run Streamlit)."""
    import re

    source = (ROOT / "bench" / "floor" / "hello.py").read_text()
    body = source.split("KINDS: dict")[1].split("\n}\n")[0]
    return re.findall(r'^    "(\w+)": ', body, re.MULTILINE)


def kinds_table(medians: dict) -> str:
    """Returns a Markdown table of the kinds, most costly first."""
    rows = [
        "| kind | cold, bare -> kind, s | added (median of pairs), s | pairs slower | "
        "chromium CPU added, s | scripts added | script kB added |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in sorted(medians.items(), key=lambda item: -item[1]["wall_s"]["added"]):
        rows.append(
            f"| {name} | {m['wall_s']['bare']:.2f} -> {m['wall_s']['kind']:.2f} | "
            f"{m['wall_s']['added']:+.2f} | {m['pairs_slower']} of {m['pairs']} | "
            f"{m['browser_cpu_s']['added']:+.2f} | {m['scripts']['added']:+.0f} | "
            f"{m['script_kb']['added']:+.0f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
