"""Benchmark: how long a user waits for each page in a real browser (chromium) at scale.

    python bench/bench_browser.py --url sqlite:////work/large/large.db \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/salesops_large

Per repeat, each database in turn (repeat 1 on every --url, then repeat 2...: a machine
whose load drifts during the run weighs on every database alike), a fresh `streamlit run
serve.py` (the way to deploy: it imports the app's modules before it answers; nothing
cached), then every page
- new tab, cold: a new browser context (empty browser cache) opens the page first after the
  server started (what one page's first visitor waits for; lookups shared between pages,
  such as the territory list, may already be cached by an earlier page of the same repeat);
- same tab: from another page, the user clicks the page's menu link (one session), in one
  browser context kept for the repeat;
- new tab, warm: a new tab of that same browser context opens the page (cached results on
  the server, a new Streamlit session, the app's scripts in the browser's HTTP cache: what
  a user who opens a page in another tab waits for);
- new window, warm: a new browser context opens it (cached results, empty browser cache:
  the 5.5 MB of Streamlit's scripts fetched and compiled again; the "warm" of earlier runs);
- new tab, warm, browser profile: as "new tab, warm", in a browser with a user data
  directory (a fresh one per repeat, each page opened once before), as a user's own
  browser is. Playwright's contexts are incognito-like: chromium keeps no V8 code cache
  for them, so every tab compiles Streamlit's scripts again; a profile keeps the compiled
  code on disk (its "Code Cache"; its size is recorded), as a user's browser does.
Each time is from the navigation (or the click) to "fully drawn": the app's script has
finished, no skeleton, spinner or stale element is left, every chart has drawn and the DOM
has not changed for 750 ms (tests/e2e/settle.py; the time is that of the last change, the
quiet window is not counted). Median of --repeat runs; the server's peak RSS (VmHWM) per
database. Targets (issue 21): new tab < 2 s cold and < 1 s warm. Chromium runs as Debian's
/usr/bin/chromium with --no-sandbox --headless --disable-gpu --disable-background-networking.
`--floor` adds Streamlit's own floor in the same turns, served and timed the same way: a
trivial page (bench/floor/hello.py?nav=1: the app's menu of nine pages, a title, a sentence,
a subheader; no database), every kind but same-tab. What a page takes beyond it is ours.
(Its cold includes importing pandas and Altair on its first run, which the app's serve.py
does before it answers: read its warm columns.)
The load average is recorded with the results: the machine's 2 cores are shared; so is a
yardstick before and after (the seconds `sum(i * i for i in range(30_000_000))` takes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tree_cpu import Stat, TreeCpu, descendants, read_proc  # noqa: E402

# --floor: Streamlit's own floor, served and timed as the pages are: bench/floor/hello.py with
# the app's menu (st.navigation, nine pages), a title, a sentence and a subheader; no database
FLOOR = "floor"
FLOOR_SCRIPT = "bench/floor/hello.py"
FLOOR_PAGES = (("?nav=1", "Streamlit's floor (hello.py?nav=1)", "Go deeper"),)
# (url path, menu link, landmark: text of the page's last section)
PAGES = (
    ("", "Overview", "Go deeper"),
    ("kpis", "KPIs", "Monthly trends"),
    ("forecast", "Forecast", "Every territory"),
    ("territory", "Territory balance", "Quotas and hires"),
    ("plan", "Plan", "Plan"),
    ("time_allocation", "Rep time allocation", "New-rep ramp"),
    ("pipeline_review", "Pipeline review", "Meeting pack"),
    ("cash", "Order to cash", "Days from deal to cash"),
    ("data", "Data", "Import history"),
)
TIMEOUT_MS = 180_000
VIEWPORT = {"width": 1400, "height": 2200}


def _start_server(database_url: str, port: int, script: str = "serve.py") -> subprocess.Popen:
    from tests.e2e.conftest import start_app

    return start_app(
        database_url, port, log_name="bench-browser", healthy_within=180, script=script
    )


def _stop(process: subprocess.Popen) -> None:
    from tests.e2e.conftest import stop_app

    stop_app(process)


def _peak_rss_mb(pid: int) -> float:
    """Returns the process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _context(browser):
    """Returns a new browser context (its own empty HTTP cache) that records DOM changes."""
    from tests.e2e.settle import install_on_every_document

    context = browser.new_context(viewport=VIEWPORT)
    install_on_every_document(context)
    return context


def _new_tab(browser, base: str, path: str, landmark: str, context=None, on_drawn=None) -> float:
    """Opens `path` in a new tab of `context` (else of a new context); returns seconds to drawn.

    `on_drawn(page)` is called once the page has settled, before its tab closes.
    """
    from tests.e2e.settle import wait_settled

    own = context is None
    context = _context(browser) if own else context
    page = context.new_page()
    try:
        page.goto(f"{base}/{path}", wait_until="commit")
        seconds = wait_settled(page, landmark, timeout_ms=TIMEOUT_MS) / 1000
        if on_drawn is not None:
            on_drawn(page)
        return seconds
    finally:
        page.close()
        if own:
            context.close()


def _same_tab(browser, base: str, start: tuple, target: tuple, context) -> float:
    """Opens `start`, then clicks `target`'s menu link; returns seconds from click to drawn."""
    from tests.e2e.settle import wait_settled

    page = context.new_page()
    try:
        page.goto(f"{base}/{start[0]}", wait_until="commit")
        wait_settled(page, start[2], timeout_ms=TIMEOUT_MS)
        link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=target[1])
        clicked = page.evaluate("() => performance.now()")
        link.first.click()
        page.wait_for_url(f"{base}/{target[0]}**", timeout=TIMEOUT_MS)
        return (wait_settled(page, target[2], timeout_ms=TIMEOUT_MS) - clicked) / 1000
    finally:
        page.close()


_TREES: dict[int, tuple[TreeCpu, TreeCpu]] = {}
WATCH_S = 0.3


def _cpu(server_pid: int) -> tuple[float, float]:
    """Returns CPU seconds so far of (the app server, this process's other children: chromium).

    Wall times on a shared machine follow its load; CPU seconds say how much work a page
    costs the server and the browser whatever the load. Counted by bench/tree_cpu.py per
    server (kept across calls, also read every WATCH_S while the server runs, so every
    renderer is seen while it works), so a chromium process that exits between two readings
    keeps its CPU in the count: a difference of two readings is never negative.
    """
    if server_pid not in _TREES:
        me = os.getpid()

        def server() -> list[Stat]:
            return descendants(read_proc(), [server_pid])

        def browser() -> list[Stat]:
            stats = read_proc()
            roots = [s.pid for s in stats if s.ppid == me and s.pid != server_pid]
            return descendants(stats, roots, skip=server_pid)

        _TREES[server_pid] = (TreeCpu(server), TreeCpu(browser))
        for tree in _TREES[server_pid]:
            tree.watch(WATCH_S, lambda: Path(f"/proc/{server_pid}").exists())
    server_tree, browser_tree = _TREES[server_pid]
    return server_tree.seconds(), browser_tree.seconds()


def _machine_cpu() -> tuple[float, float]:
    """Returns (CPU seconds the whole machine has been busy, of which stolen by the host).

    From /proc/stat's first line: user, nice, system, irq, softirq and steal (idle and
    iowait left out), summed over the cores.
    """
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / ticks, steal / ticks


def _timed_cpu(server_pid: int, *args, on_drawn=None) -> tuple[float | None, dict[str, float]]:
    """Returns (`_timed(_new_tab, *args)`, CPU seconds in it: server, browser, other, steal).

    The CPU is read again once the page is drawn, before its tab (and renderer) closes; then
    `on_drawn(page)`, if given, may read the drawn page. `other` is what the rest of the
    machine used meanwhile (a PostgreSQL server's work for the page, and whatever else ran:
    another test run, a build), `steal` what the host took from this VM: a load measured
    while `other` or `steal` is high waited for CPU, so a warm tab that read slower than its
    cold one in a run shows whether something else was running then (issue 21).
    """
    before, machine = _cpu(server_pid), _machine_cpu()
    drawn: list[tuple[tuple[float, float], tuple[float, float]]] = []

    def read_drawn(page) -> None:
        drawn.append((_cpu(server_pid), _machine_cpu()))
        if on_drawn is not None:
            on_drawn(page)

    seconds = _timed(_new_tab, *args, on_drawn=read_drawn)
    after, machine_after = drawn[0] if drawn else (_cpu(server_pid), _machine_cpu())
    server, browser = after[0] - before[0], after[1] - before[1]
    return seconds, {
        "server": round(server, 2),
        "browser": round(browser, 2),
        "other": round(max(0.0, machine_after[0] - machine[0] - server - browser), 2),
        "steal": round(machine_after[1] - machine[1], 2),
    }


def _timed(measure, *args, **kwargs) -> float | None:
    """Returns the measured seconds, or None when the page did not settle within TIMEOUT_MS."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        return measure(*args, **kwargs)
    except PlaywrightTimeout as exc:
        print(f"  not drawn within {TIMEOUT_MS / 1000:.0f} s: {str(exc)[-200:]}", file=sys.stderr)
        return None


def _code_cache_kb(profile: Path) -> float:
    """Returns the size in KB of the V8 code cache chromium keeps in a user data directory."""
    files = (profile / "Default" / "Code Cache").rglob("*")
    return round(sum(f.stat().st_size for f in files if f.is_file()) / 1024, 1)


def launch_profile(playwright, directory: str):
    """Returns chromium launched with `directory` as its user data directory (a profile).

    As a user's own browser: chromium keeps its V8 code cache there, which an
    incognito-like context (browser.new_context) does not. Closing it closes the browser.
    """
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    return playwright.chromium.launch_persistent_context(
        directory, executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=VIEWPORT
    )


def _profile_warm(playwright, base: str, server_pid: int, pages: tuple) -> tuple[dict, float]:
    """Returns each page's (seconds, CPU) warm in a new tab of a browser with a profile.

    A fresh user data directory: each page is opened once in it, then again in a new tab
    (measured), as in the incognito-like context; also the code cache's size in KB.
    """
    import tempfile

    from tests.e2e.settle import install_on_every_document

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as directory:
        context = launch_profile(playwright, directory)
        install_on_every_document(context)
        try:
            for page in pages:
                _timed(_new_tab, None, base, page[0], page[2], context)
            measured = {
                page[1]: _timed_cpu(server_pid, None, base, page[0], page[2], context)
                for page in pages
            }
        finally:
            context.close()
        return measured, _code_cache_kb(Path(directory))


def _one_repeat(
    playwright, browser, database_url: str, port: int, pages: tuple
) -> tuple[dict, float, float]:
    """Runs every page cold, warm and same-tab on a fresh server; returns times, RSS, cache.

    For FLOOR, the floor page on its own server, every kind but same-tab (it has no menu link).
    """
    floor = database_url == FLOOR
    if floor:
        server = _start_server("sqlite://", port, script=FLOOR_SCRIPT)
    else:
        server = _start_server(database_url, port)
    base = f"http://127.0.0.1:{port}"
    times: dict[str, dict[str, float]] = {}
    try:
        cpu: dict[str, dict[str, dict[str, float]]] = {page[1]: {} for page in pages}
        for page in pages:
            cold, cpu[page[1]]["cold"] = _timed_cpu(server.pid, browser, base, page[0], page[2])
            times[page[1]] = {"cold": cold}
            print(f"  {page[1]}: cold {cold} s, CPU {cpu[page[1]]['cold']}", file=sys.stderr)
        browser_context = _context(browser)  # one browser, as a user's, for the repeat
        for number, page in enumerate(() if floor else pages):
            # from the page before (the first from another page, also when measured alone)
            start = pages[number - 1] if number else next(p for p in (*pages, *PAGES) if p != page)
            times[page[1]]["same_tab"] = _timed(
                _same_tab, browser, base, start, page, browser_context
            )
        for page in pages:
            times[page[1]]["warm"], cpu[page[1]]["warm"] = _timed_cpu(
                server.pid, browser, base, page[0], page[2], browser_context
            )
        browser_context.close()
        for page in pages:
            times[page[1]]["warm_new_window"], cpu[page[1]]["warm_new_window"] = _timed_cpu(
                server.pid, browser, base, page[0], page[2]
            )
        profile, code_cache_kb = _profile_warm(playwright, base, server.pid, pages)
        for page in pages:
            times[page[1]]["warm_profile"], cpu[page[1]]["warm_profile"] = profile[page[1]]
            times[page[1]]["cpu_s"] = cpu[page[1]]  # type: ignore[assignment]
        return times, _peak_rss_mb(server.pid), code_cache_kb
    finally:
        _stop(server)


def bench(urls: list[str], repeat: int, pages: tuple, after_each=None) -> dict[str, dict]:
    """Returns per database URL: median times per page and kind, each run's times, peak RSS.

    The repeats take the databases in turn; `after_each(results)`, if given, is called with
    what is measured so far after every repeat of every database. FLOOR as a URL times
    Streamlit's floor page (FLOOR_PAGES) in the same turns.
    """
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port

    (ROOT / "artifacts").mkdir(exist_ok=True)
    runs: dict[str, list] = {url: [] for url in urls}
    rss: dict[str, list] = {url: [] for url in urls}
    caches: dict[str, list] = {url: [] for url in urls}

    def pages_of(url: str) -> tuple:
        return FLOOR_PAGES if url == FLOOR else pages

    def summaries() -> dict[str, dict]:
        return {u: _summary(runs[u], rss[u], caches[u], pages_of(u)) for u in urls if runs[u]}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for number in range(repeat):
                for url in urls:
                    print(f"{url.split('@')[-1]}: repeat {number + 1}", file=sys.stderr)
                    times, peak, cache = _one_repeat(
                        playwright, browser, url, free_port(), pages_of(url)
                    )
                    runs[url].append(times)
                    rss[url].append(peak)
                    caches[url].append(cache)
                    if after_each is not None:
                        after_each(summaries())
        finally:
            browser.close()
    return summaries()


def _summary(runs: list[dict], rss: list[float], caches: list[float], pages: tuple) -> dict:
    """Returns the medians per page and kind (times and CPU), the runs and the peak RSS.

    A kind no run measured (the floor's same-tab) is left out.
    """
    medians = {
        title: {
            kind: _median([run[title][kind] for run in runs])
            for kind in KINDS
            if kind in runs[0][title]
        }
        for _, title, _ in pages
    }
    cpu = {
        title: {
            kind: {
                side: _median([run[title]["cpu_s"][kind].get(side) for run in runs])
                for side in ("server", "browser", "other", "steal")
            }
            for kind in CPU_KINDS
        }
        for _, title, _ in pages
    }
    return {
        "median_s": medians,
        "median_cpu_s": cpu,
        "runs_s": runs,
        "server_peak_rss_mb": round(max(rss), 1),
        "profile_code_cache_kb": caches,
        "load_average_after": os.getloadavg(),
    }


KINDS = ("cold", "warm", "same_tab", "warm_new_window", "warm_profile")
# new-tab loads: all their work is the page's
CPU_KINDS = ("cold", "warm", "warm_new_window", "warm_profile")


def _median(values: list[float | None]) -> float | None:
    """Returns the median, a page that did not settle counting as the slowest (None if most)."""
    ordered = sorted(values, key=lambda v: float("inf") if v is None else v)
    middle = ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 else None
    if len(ordered) % 2 == 0:
        low, high = ordered[len(ordered) // 2 - 1], ordered[len(ordered) // 2]
        middle = None if high is None else (low + high) / 2  # type: ignore[operator]
    return None if middle is None else round(middle, 2)


def _cell(value: float | None) -> str:
    return f"> {TIMEOUT_MS / 1000:.0f} s" if value is None else f"{value:.2f} s"


def table(results: dict) -> str:
    """Returns the README's markdown table of medians for every database."""
    lines = [
        "| page | database | new tab, cold | new tab, warm | same tab | new window, warm "
        "| new tab, warm, browser profile |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results["databases"].items():
        for title, kinds in result["median_s"].items():
            cells = " | ".join(_cell(kinds[k]) if k in kinds else "—" for k in KINDS)
            lines.append(f"| {title} | {name} | {cells} |")
    lines += [
        "",
        "| page | database | CPU server / browser: cold | warm (new tab) | new window, warm "
        "| warm, browser profile |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results["databases"].items():
        for title, kinds in result.get("median_cpu_s", {}).items():
            cells = " | ".join(f"{kinds[k]['server']} / {kinds[k]['browser']} s" for k in CPU_KINDS)
            lines.append(f"| {title} | {name} | {cells} |")
    return "\n".join(lines)


def yardstick_s() -> float:
    """Returns the seconds a fixed piece of Python arithmetic takes: the machine's speed now.

    These machines' speed varies (1.5-2.7 s for the same sum within a day), so a run's times
    are read against it.
    """
    started = time.perf_counter()
    sum(i * i for i in range(30_000_000))
    return round(time.perf_counter() - started, 2)


def main() -> None:
    """Runs the browser benchmark on each --url and writes JSON (and the table) to --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeat).")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", action="append", help="Only these menu titles (repeat).")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="Also time Streamlit's floor (bench/floor/hello.py?nav=1) in the same turns.",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "browser-large.json"))
    args = parser.parse_args()
    pages = tuple(p for p in PAGES if not args.page or p[1] in args.page)
    urls = [*args.url, *([FLOOR] if args.floor else [])]
    results: dict = {
        "load_average_before": os.getloadavg(),
        "yardstick_s_before": yardstick_s(),
        "databases": {},
    }
    started = time.perf_counter()

    def write(by_url: dict[str, dict]) -> None:
        for url, result in by_url.items():
            name = (
                FLOOR
                if url == FLOOR
                else "postgresql"
                if url.startswith("postgresql")
                else "sqlite"
            )
            results["databases"][name] = result
        results["load_average_after"] = os.getloadavg()
        results["wall_s"] = round(time.perf_counter() - started, 1)
        results["cpu_count"] = os.cpu_count()
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")

    write(bench(urls, args.repeat, pages, after_each=write))  # written after each repeat
    results["yardstick_s_after"] = yardstick_s()
    write({})
    print(table(results))
    print(
        f"load average before {results['load_average_before']}, after "
        f"{results['load_average_after']}; yardstick {results['yardstick_s_before']} s before, "
        f"{results['yardstick_s_after']} s after; written to {args.out}"
    )


if __name__ == "__main__":
    main()
