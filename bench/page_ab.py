"""Interleaved before/after of one page in chromium: new tab cold and warm, with CPU seconds.

    flock /tmp/bench.lock python bench/page_ab.py --baseline /tmp/main-tree \
        --url sqlite:////work/large/large.db --page Overview --repeat 5 --out F.json

Per repeat and per source tree (the --baseline tree, e.g. `git archive main | tar -x -C
TREE`, and this one, their order alternating from repeat to repeat so both see the same
machine load): a fresh `streamlit run serve.py` of that tree, then as bench/bench_browser.py
- new tab, cold: a new browser context opens the page first after the server started;
- new tab, warm: a context that has loaded the page once opens it in a new tab;
each timed to "fully drawn" (tests/e2e/settle.py) with the server's and chromium's CPU
seconds over the load. Prints and writes the medians per tree and the load averages.
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

from bench_browser import PAGES, _context, _new_tab, _timed_cpu  # noqa: E402
from warm_phases import _serve  # noqa: E402


def one_repeat(browser, tree: Path, url: str, page: tuple) -> dict:
    """Serves `tree` afresh; returns its cold and warm new-tab loads of `page` (s, CPU s)."""
    from tests.e2e.conftest import stop_app

    process, base = _serve(tree, url, "serve.py")
    try:
        path, _, landmark = page
        cold, cold_cpu = _timed_cpu(process.pid, browser, base, path, landmark)
        context = _context(browser)
        try:
            _new_tab(browser, base, path, landmark, context)  # the browser's caches warm
            warm, warm_cpu = _timed_cpu(process.pid, browser, base, path, landmark, context)
        finally:
            context.close()
    finally:
        stop_app(process)
    return {"cold": cold, "cold_cpu": cold_cpu, "warm": warm, "warm_cpu": warm_cpu}


def summary(runs: list[dict]) -> dict:
    """Returns the median of each time and CPU figure over `runs`."""

    def median(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return round(statistics.median(values), 2) if values else None

    out: dict = {}
    for kind in ("cold", "warm"):
        out[kind] = median([run[kind] for run in runs])
        for side in ("server", "browser", "other"):
            out[f"{kind}_cpu_{side}"] = median([run[f"{kind}_cpu"].get(side) for run in runs])
    return out


def main() -> None:
    """Alternates --baseline's and this tree's loads of --page; writes the medians to --out."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Database URL.")
    parser.add_argument("--baseline", required=True, help="The source tree to compare with.")
    parser.add_argument("--page", default="Overview", help="Menu title.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    page = next(p for p in PAGES if p[1] == args.page)
    trees = {"baseline": Path(args.baseline).resolve(), "this": ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    loads = [os.getloadavg()]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for number in range(args.repeat):
                names = list(trees) if number % 2 == 0 else list(trees)[::-1]
                for name in names:
                    run = one_repeat(browser, trees[name], args.url, page)
                    runs[name].append(run)
                    print(f"{number + 1} {name}: {run}", file=sys.stderr)
                loads.append(os.getloadavg())
        finally:
            browser.close()
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "url": args.url.split("@")[-1],
        "page": args.page,
        "repeat": args.repeat,
        "trees": {name: str(tree) for name, tree in trees.items()},
        "load_averages": loads,
        "median": {name: summary(runs[name]) for name in trees},
        "runs": runs,
    }
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    for name in trees:
        print(f"{name:8s} {out['median'][name]}")
    print(f"load averages (1, 5, 15 min) before and after each repeat: {loads}")


if __name__ == "__main__":
    main()
