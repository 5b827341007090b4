"""Where a warm new tab's time goes, by phase, page by page (issue 21: the 1 s warm target).

    flock /tmp/bench.lock python bench/warm_phases.py --url sqlite:////tmp/small.db --repeat 5

Serves the app as bench/bench_browser.py does (serve.py), loads each page twice in one
browser context (the server's caches and the browser's HTTP and code caches warm), then opens
it --repeat times in a new tab of that context (the "new tab, warm" load) and splits each
load, in milliseconds since the navigation started, at:
- html: the page's HTML has arrived;
- boot: Streamlit's client has loaded and run its scripts and opens its websocket;
- connected: the websocket is open;
- rerun_sent: the client has asked the server to run the page (its first message);
- run_started: the server's first message (new_session: the script starts);
- script_finished: the server says the script has finished (every element is sent);
- drawn: the page has settled (tests/e2e/settle.py: the time of its last DOM change).
Messages are timed as the page's script receives them (a busy main thread delays them).
Beside the phases: the main thread's busy time in long animation frames (> 50 ms) in
`boot` and after the script finished, each message's kind, and the element kinds sent.
`--floor QUERY` (repeatable) measures bench/floor/hello.py with that query instead
(Streamlit's own floor and what an element kind adds to it). `--baseline TREE` also serves
another source tree (`git archive main | tar -x -C TREE`) and alternates its loads with this
tree's, so a before/after pair sees the same machine load. `--profile` opens each context as
a browser with a user data directory, as bench_browser's "browser profile" column does (the
new tab then reuses V8's compiled code, which an incognito-like context does not keep).
Median per phase.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import PAGES, VIEWPORT, launch_profile  # noqa: E402
from trace_page import _describe  # noqa: E402

# Records the websocket's creation, opening, messages sent and received, in
# performance.now() milliseconds (the clock settle.py's drawn time uses).
RECORD_JS = r"""
(() => {
  if (window.__phases) { return; }
  const phases = { created: null, open: null, sent: [], received: [] };
  window.__phases = phases;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (phases.created === null) { phases.created = performance.now(); }
      this.addEventListener('open', () => {
        if (phases.open === null) { phases.open = performance.now(); }
      });
      this.addEventListener('message', () => { phases.received.push(performance.now()); });
    }
    send(data) { phases.sent.push(performance.now()); return super.send(data); }
  };
})()
"""

TIMINGS_JS = r"""
() => ({
  phases: window.__phases,
  html: performance.getEntriesByType('navigation')[0].responseEnd,
  fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null,
  frames: performance.getEntriesByType('long-animation-frame')
    .map(f => [f.startTime, f.duration]),
})
"""

PHASES = ("html", "boot", "connected", "rerun_sent", "run_started", "script_finished", "drawn")


def _busy(frames: list[list[float]], start: float, end: float) -> float:
    """Returns the ms of long animation frames that fall between `start` and `end`."""
    return sum(
        max(0.0, min(s + d, end) - max(s, start)) for s, d in frames if s < end and s + d > start
    )


def one_load(context, url: str, landmark: str) -> dict:
    """Opens `url` in a new tab of `context`; returns its phase times and what was sent."""
    from tests.e2e.settle import wait_settled

    page = context.new_page()
    frames: list[bytes] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda f: frames.append(f)))
    try:
        page.goto(url, wait_until="commit")
        drawn = wait_settled(page, landmark, timeout_ms=180_000)
        timings = page.evaluate(TIMINGS_JS)
    finally:
        page.close()
    phases = timings["phases"]
    kinds = [_describe(f) if isinstance(f, bytes) else "text" for f in frames]
    received = phases["received"]
    finished = next(
        (t for t, k in zip(received, kinds, strict=False) if k.startswith("script_finished")),
        None,
    )
    at = {
        "html": timings["html"],
        "boot": phases["created"],
        "connected": phases["open"],
        "rerun_sent": next((t for t in phases["sent"] if t >= (phases["open"] or 0)), None),
        "run_started": received[0] if received else None,
        "script_finished": finished,
        "drawn": drawn,
    }
    elements: dict[str, int] = {}
    for kind in kinds:
        if kind.startswith("delta "):
            name = kind.split(" ")[1]
            elements[name] = elements.get(name, 0) + 1
    return {
        "at_ms": {k: None if v is None else round(v) for k, v in at.items()},
        "fcp_ms": None if timings["fcp"] is None else round(timings["fcp"]),
        "busy_ms": {
            "boot": round(_busy(timings["frames"], 0, at["boot"] or 0)),
            "after_script": round(_busy(timings["frames"], finished or drawn, drawn)),
        },
        "messages": len(kinds),
        "bytes": sum(len(f) for f in frames),
        "script_runs": sum(k.startswith("new_session") for k in kinds),
        "elements": elements,
    }


def summarise(loads: list[dict]) -> dict:
    """Returns the median time at each phase, the median phase lengths and busy times."""

    def median(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return round(statistics.median(values)) if values else None

    at = {p: median([load["at_ms"][p] for load in loads]) for p in PHASES}
    spans = {}
    for before, after in zip(PHASES, PHASES[1:], strict=False):
        spans[f"{before}->{after}"] = median(
            [
                load["at_ms"][after] - load["at_ms"][before]
                for load in loads
                if load["at_ms"][after] is not None and load["at_ms"][before] is not None
            ]
        )
    return {
        "at_ms": at,
        "span_ms": spans,
        "fcp_ms": median([load["fcp_ms"] for load in loads]),
        "busy_ms": {
            k: median([load["busy_ms"][k] for load in loads]) for k in ("boot", "after_script")
        },
        "script_runs": max(load["script_runs"] for load in loads),
        "messages": loads[0]["messages"],
        "bytes": loads[0]["bytes"],
        "elements": loads[0]["elements"],
    }


def _warm_context(new_context, url: str, landmark: str):
    """Returns a browser context (from `new_context()`) that has loaded `url` twice."""
    from tests.e2e.settle import install_on_every_document, wait_settled

    context = new_context()
    install_on_every_document(context)
    context.add_init_script(RECORD_JS)
    for _ in range(2):  # the server's caches, the HTTP cache and V8's code cache
        first = context.new_page()
        first.goto(url, wait_until="commit")
        wait_settled(first, landmark, timeout_ms=180_000)
        first.close()
    return context


def measure(bases: dict[str, str], targets: list[tuple[str, str, str]], new_context, repeat: int):
    """Returns, per server (name -> base URL) and target (path, title, landmark), its loads.

    Each server and target gets its own context from `new_context()`. With two servers (a
    baseline and this tree) their loads alternate, so both see the same machine load.
    """
    results: dict[str, dict] = {name: {} for name in bases}
    for path, title, landmark in targets:
        contexts = {
            name: _warm_context(new_context, f"{base}/{path}", landmark)
            for name, base in bases.items()
        }
        loads: dict[str, list[dict]] = {name: [] for name in bases}
        try:
            for number in range(repeat):
                names = list(bases) if number % 2 == 0 else list(bases)[::-1]
                for name in names:
                    url = f"{bases[name]}/{path}"
                    loads[name].append(one_load(contexts[name], url, landmark))
        finally:
            for context in contexts.values():
                context.close()
        for name in bases:
            results[name][title] = {"summary": summarise(loads[name]), "loads": loads[name]}
            summary = results[name][title]["summary"]
            print(f"{name} {title}: {summary['at_ms']} busy {summary['busy_ms']}", file=sys.stderr)
    return results


def _profile_contexts(playwright, stack: contextlib.ExitStack):
    """Returns a function opening a browser with a fresh user data directory (a profile).

    The same launch as bench_browser's "browser profile" column (bench_browser.launch_profile).
    """

    def new_context():
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="phases-profile-"))
        context = launch_profile(playwright, directory)
        stack.callback(context.close)
        return context

    return new_context


def _serve(tree: Path, url: str, script: str):
    """Starts `script` of the source tree `tree` (its own salesops) on a free port."""
    from tests.e2e import conftest

    os.environ["PYTHONPATH"] = str(tree)
    conftest.ROOT = tree  # start_app serves and logs from its ROOT
    try:
        port = conftest.free_port()
        process = conftest.start_app(
            url, port, log_name="phases", healthy_within=180, script=script
        )
    finally:
        conftest.ROOT = ROOT
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    """Measures each --page (or --floor variant) and writes the phases as JSON to --out."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, stop_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite://", help="Database URL.")
    parser.add_argument("--page", action="append", help="Menu titles (repeat; default all).")
    parser.add_argument("--floor", action="append", help="hello.py with this query (repeat).")
    parser.add_argument(
        "--baseline",
        help="Also serve this source tree (e.g. `git archive`d "
        "main), its loads alternating with this tree's.",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Each context a browser with a user data directory (V8's code cache kept).",
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.floor is not None:
        script = "bench/floor/hello.py"
        targets = [(query, f"floor{query}", "Go deeper") for query in args.floor]
    else:
        script = "serve.py"
        targets = [p for p in PAGES if not args.page or p[1] in args.page]
    trees = {"this": ROOT}
    if args.baseline:
        trees = {"baseline": Path(args.baseline).resolve(), **trees}
    load_before = os.getloadavg()
    servers = {}
    try:
        for name, tree in trees.items():
            servers[name] = _serve(tree, args.url, script)
        bases = {name: base for name, (_, base) in servers.items()}
        with sync_playwright() as playwright, contextlib.ExitStack() as stack:
            if args.profile:
                new_context = _profile_contexts(playwright, stack)
            else:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                stack.callback(browser.close)

                def new_context():
                    return browser.new_context(viewport=VIEWPORT)

            results = measure(bases, targets, new_context, args.repeat)
    finally:
        for process, _ in servers.values():
            stop_app(process)
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "url": args.url.split("@")[-1],
        "script": script,
        "repeat": args.repeat,
        "profile": args.profile,
        "trees": {name: str(tree) for name, tree in trees.items()},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "results": results,
    }
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    for name, by_title in results.items():
        for title, result in by_title.items():
            s = result["summary"]
            print(
                f"{name:8s} {title:22s} drawn {s['at_ms']['drawn']} spans {s['span_ms']}"
                f" busy {s['busy_ms']}"
            )


if __name__ == "__main__":
    main()
