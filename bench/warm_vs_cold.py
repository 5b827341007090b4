"""Why a warm new tab can take longer than a cold one: both loads of one page, by phase.

    flock /tmp/bench.lock python bench/warm_vs_cold.py --url postgresql+psycopg://... \
        --page Forecast --repeat 3 --out F.json

Per repeat, as bench/page_ab.py: a fresh `serve.py`; the page opened in a new browser
context (cold), then in a second context once (its caches warm) and in a new tab of that
context (warm). Each load is split into bench/warm_phases.py's phases (html, boot,
connected, rerun_sent, run_started, script_finished, drawn: ms since navigation) with
the CPU seconds of the app server, of chromium and, for a PostgreSQL URL, of the
PostgreSQL server's processes (the queries' work, which the app server's CPU does not
show), and the statements PostgreSQL was running during the load (pg_stat_activity,
sampled every 50 ms: the longest seen per statement). `--script` serves another script;
WARM_VS_COLD_PYTHONPATH adds a folder to the server's PYTHONPATH (e.g. one holding a
sitecustomize.py that samples the script threads' stacks), each load's start and end
(epoch seconds) are in the results to match such samples with.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import PAGES, _context  # noqa: E402
from tree_cpu import TreeCpu, descendants, read_proc  # noqa: E402
from warm_phases import RECORD_JS, _serve, one_load  # noqa: E402


def _postmaster() -> int | None:
    """Returns the pid of the PostgreSQL server's main process (the oldest `postgres`)."""
    found = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = path.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"/postgres") and b"-D" in args:
            found.append(int(path.parent.name))
    return min(found) if found else None


class Activity:
    """Samples pg_stat_activity while running: each statement's longest age seen (ms)."""

    def __init__(self, url: str) -> None:
        """Connects to `url`'s server (its own connection, not counted as a page's)."""
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        self.conn.autocommit = True
        self.seen: dict[str, float] = {}
        self.running = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Starts sampling (forgets what was seen before)."""
        self.seen = {}
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        """Stops sampling; returns {statement (first 160 chars): longest age seen, ms}."""
        self.running = False
        if self.thread is not None:
            self.thread.join()
        return dict(sorted(self.seen.items(), key=lambda item: -item[1]))

    def _loop(self) -> None:
        me = self.conn.info.backend_pid
        while self.running:
            rows = self.conn.execute(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160),"
                " extract(epoch FROM clock_timestamp() - query_start) * 1000"
                " FROM pg_stat_activity WHERE state = 'active' AND pid <> %s"
                " AND backend_type = 'client backend'",
                (me,),
            ).fetchall()
            for query, age in rows:
                self.seen[query] = max(self.seen.get(query, 0.0), round(float(age), 1))
            time.sleep(0.05)


def one_repeat(
    browser, url: str, page: tuple, activity: Activity | None, pg: TreeCpu | None, script: str
):
    """Serves this tree afresh; returns the cold and warm loads of `page` with their CPU."""
    from tests.e2e.conftest import stop_app

    extra = os.environ.get("WARM_VS_COLD_PYTHONPATH")  # e.g. a sitecustomize that samples
    if extra:
        from tests.e2e import conftest

        start = conftest.start_app

        def start_app(*args, **kwargs):  # type: ignore[no-untyped-def]
            os.environ["PYTHONPATH"] = f"{os.environ['PYTHONPATH']}:{extra}"
            return start(*args, **kwargs)

        conftest.start_app = start_app  # type: ignore[assignment]
    try:
        process, base = _serve(ROOT, url, script)
    finally:
        if extra:
            conftest.start_app = start
    server = TreeCpu(lambda: descendants(read_proc(), [process.pid]))
    me = os.getpid()

    def chromium():
        stats = read_proc()
        roots = [s.pid for s in stats if s.ppid == me and s.pid != process.pid]
        return descendants(stats, roots, skip=process.pid)

    browser_cpu = TreeCpu(chromium)
    alive = lambda: Path(f"/proc/{process.pid}").exists()  # noqa: E731
    for tree in (server, browser_cpu, *((pg,) if pg else ())):
        tree.watch(0.3, alive)
    path, _, landmark = page
    loads = {}
    try:

        def load(name: str, context) -> None:
            before = [t.seconds() if t else 0.0 for t in (server, browser_cpu, pg)]
            if activity is not None:
                activity.start()
            started = time.time()
            result = one_load(context, f"{base}/{path}", landmark)
            result["epoch"] = [round(started, 3), round(time.time(), 3)]
            after = [t.seconds() if t else 0.0 for t in (server, browser_cpu, pg)]
            result["cpu_s"] = {
                side: round(a - b, 2)
                for side, a, b in zip(("server", "browser", "postgres"), after, before, strict=True)
            }
            if activity is not None:
                result["statements_ms"] = activity.stop()
            loads[name] = result

        cold = _context(browser)
        cold.add_init_script(RECORD_JS)
        try:
            load("cold", cold)
        finally:
            cold.close()
        warm = _context(browser)
        warm.add_init_script(RECORD_JS)
        try:
            load("first_of_context", warm)
            load("warm", warm)
        finally:
            warm.close()
    finally:
        stop_app(process)
    return loads


def main() -> None:
    """Measures --page cold and warm --repeat times and writes every load to --out."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--page", default="Forecast")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--script", default="serve.py", help="The server script to run.")
    args = parser.parse_args()
    page = next(p for p in PAGES if p[1] == args.page)
    is_pg = args.url.startswith("postgresql")
    activity = Activity(args.url) if is_pg else None
    master = _postmaster() if is_pg else None
    pg = TreeCpu(lambda: descendants(read_proc(), [master])) if master else None
    runs, loads_avg = [], [os.getloadavg()]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for number in range(args.repeat):
                run = one_repeat(browser, args.url, page, activity, pg, args.script)
                runs.append(run)
                loads_avg.append(os.getloadavg())
                for name, result in run.items():
                    print(
                        f"{number + 1} {name:16s} {result['at_ms']} cpu {result['cpu_s']}"
                        f" runs {result['script_runs']} msgs {result['messages']}",
                        file=sys.stderr,
                    )
                    for statement, age in list(result.get("statements_ms", {}).items())[:5]:
                        print(f"      {age:8.1f} ms {statement}", file=sys.stderr)
        finally:
            browser.close()
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "url": args.url.split("@")[-1],
        "page": args.page,
        "load_averages": loads_avg,
        "runs": runs,
    }
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
