"""Where a warm new tab's time goes: a timeline of one page load in chromium.

    python bench/trace_page.py --url sqlite:////work/large/copy.db --page "Pipeline review"

Serves the app as bench/bench_browser.py does, loads the page once in a browser context
(cached results on the server, Streamlit's scripts in the browser's cache), then opens it
in a new tab of that context (the "new tab, warm" load; `--cold`: the first load instead)
and prints, in milliseconds since the navigation started: each websocket message the server
sent (size, kind: new session, delta with its element type and path, script finished, ...)
and the DOM's changes grouped by the element they fell in (the outermost element with a
data-testid under the main block), with the time of the last change, the settled time
(tests/e2e/settle.py) and the script runs (a "new_session" per run). `--json` writes the
raw timeline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import PAGES  # noqa: E402

# Records every websocket message's arrival and every DOM change (with the data-testid
# path of the element it fell in) in performance.now() milliseconds.
RECORD_JS = r"""
(() => {
  if (window.__trace) { return; }
  const trace = { ws: [], dom: [] };
  window.__trace = trace;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const data = event.data;
        const size = data.byteLength !== undefined ? data.byteLength
          : (data.size !== undefined ? data.size : String(data).length);
        trace.ws.push({ t: performance.now(), size });
      });
    }
  };
  const where = (node) => {
    const ids = [];
    let element = node.nodeType === 1 ? node : node.parentElement;
    const own = element ? (element.tagName.toLowerCase() + '.' +
      String(element.className && element.className.baseVal !== undefined
             ? element.className.baseVal : element.className).split(' ')[0]) : '';
    while (element && element !== document.body) {
      const id = element.getAttribute && element.getAttribute('data-testid');
      const parent = element.parentElement;
      if (id) {
        const main = parent && parent.parentElement
          && parent.parentElement.getAttribute('data-testid') === 'stMainBlockContainer';
        ids.push(main ? `${id}#${Array.prototype.indexOf.call(parent.children, element)}` : id);
      }
      element = parent;
    }
    return ids.reverse().join('>') + ' ' + own;
  };
  const start = () => {
    new MutationObserver((records) => {
      const t = performance.now();
      for (const record of records) {
        trace.dom.push({ t, type: record.type, attr: record.attributeName || '',
                         where: where(record.target) });
      }
    }).observe(document.documentElement,
               { subtree: true, childList: true, attributes: true, characterData: true });
  };
  if (document.documentElement) { start(); }
  else { document.addEventListener('DOMContentLoaded', start); }
})()
"""


def _describe(payload: bytes) -> str:
    """Returns a short description of one ForwardMsg (its type; a delta's element and path)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except Exception:  # not a ForwardMsg
        return "?"
    kind = message.WhichOneof("type")
    if kind == "delta":
        delta = message.delta
        what = delta.WhichOneof("type")
        if what == "new_element":
            what = delta.new_element.WhichOneof("type")
            if what in ("markdown", "heading"):
                body = getattr(delta.new_element, what).body
                what += f" {body[:40]!r}"
        elif what == "add_block":
            block = delta.add_block.WhichOneof("type")
            what = f"block {block}"
        path = list(message.metadata.delta_path)
        return f"delta {what} {path} frag={delta.fragment_id[:8]}"
    if kind == "script_finished":
        return f"script_finished {message.script_finished}"
    if kind == "new_session":
        return f"new_session page={message.new_session.page_script_hash[:8]}"
    if kind == "session_status_changed":
        status = message.session_status_changed
        return f"session_status running={status.script_is_running}"
    return str(kind)


def trace(base: str, path: str, landmark: str, browser, cold: bool = False) -> dict:
    """Loads `path` once, then in a new tab of the same context; returns the second's timeline.

    With `cold`, returns the first load's: a new context (empty browser cache) on a server
    whose caches hold what earlier traces left (the first page traced: nothing).
    """
    from tests.e2e.settle import install_on_every_document, wait_settled

    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    install_on_every_document(context)
    context.add_init_script(RECORD_JS)
    try:
        if not cold:
            first = context.new_page()
            first.goto(f"{base}/{path}", wait_until="commit")
            wait_settled(first, landmark, timeout_ms=180_000)
            first.close()
        page = context.new_page()
        frames: list[bytes] = []
        arrived: list[float] = []

        def received(payload) -> None:
            frames.append(payload)
            arrived.append(time.perf_counter())

        page.on("websocket", lambda socket: socket.on("framereceived", received))
        started = time.perf_counter()
        page.goto(f"{base}/{path}", wait_until="commit")
        settled = wait_settled(page, landmark, timeout_ms=180_000)
        recorded = page.evaluate("() => window.__trace")
        recorded["frames"] = page.evaluate(
            "() => performance.getEntriesByType('long-animation-frame').map(f => ({"
            " start: Math.round(f.startTime), duration: Math.round(f.duration),"
            " render: Math.round(f.renderStart ? f.renderStart - f.startTime : 0),"
            " layout: Math.round(f.styleAndLayoutStart ? f.styleAndLayoutStart - f.startTime : 0),"
            " scripts: f.scripts.map(s => [Math.round(s.duration), s.invoker.slice(0, 60),"
            " s.sourceURL.split('/').pop() + ':' + s.sourceFunctionName,"
            " Math.round(s.forcedStyleAndLayoutDuration)])}))"
        )
        recorded["resources"] = page.evaluate(
            "() => performance.getEntries().map(e => [e.entryType, e.name.slice(-60),"
            " Math.round(e.startTime), Math.round(e.responseEnd || (e.startTime + e.duration))])"
        )
        page.close()
    finally:
        context.close()
    messages = [
        {
            "t": round(w["t"]),
            "net": round((a - started) * 1000),
            "size": w["size"],
            "what": _describe(f) if isinstance(f, bytes) else "text",
        }
        for w, f, a in zip(recorded["ws"], frames, arrived, strict=False)
    ]
    return {
        "settled_ms": round(settled),
        "ws": messages,
        "dom": recorded["dom"],
        "resources": recorded["resources"],
        "frames": recorded["frames"],
    }


def summarise(timeline: dict) -> str:
    """Returns the timeline as text: messages, then DOM changes grouped by element."""
    lines = [f"settled (last change) at {timeline['settled_ms']} ms"]
    total = sum(m["size"] for m in timeline["ws"])
    for entry in timeline["resources"]:
        if entry[0] != "long-animation-frame":
            lines.append(f"  {entry[2]:6d}-{entry[3]:6d} ms {entry[0]} {entry[1]}")
    lines.append("long animation frames (start, duration, render/layout offset, scripts):")
    for frame in timeline["frames"]:
        lines.append(
            f"  {frame['start']:6d} +{frame['duration']:4d} ms (render at +{frame['render']},"
            f" layout at +{frame['layout']})"
        )
        for script in sorted(frame["scripts"], key=lambda s: -s[0])[:4]:
            lines.append(
                f"      {script[0]:4d} ms {script[1]} {script[2]} (forced layout {script[3]})"
            )
    lines.append(f"{len(timeline['ws'])} websocket messages, {total / 1024:.0f} KiB")
    for message in timeline["ws"]:
        lines.append(
            f"  {message['t']:6d} ms (net {message['net']:6d}) {message['size']:8d} B  "
            f"{message['what']}"
        )
    groups: dict[str, list[float]] = {}
    for change in timeline["dom"]:
        path = change["where"].split(" ")[0]
        if ">stMainBlockContainer>" in path:
            inner = path.split(">stMainBlockContainer>")[1].split(">")
            key = "main " + ">".join(
                inner[: next((i for i, p in enumerate(inner) if "#" in p), 1) + 1]
            )
        else:
            key = ">".join(path.split(">")[:5]) or "(document)"
        groups.setdefault(key, []).append(change["t"])
    lines.append(f"{len(timeline['dom'])} DOM changes; by element (first-last ms, count):")
    for key, times in sorted(groups.items(), key=lambda item: max(item[1])):
        lines.append(f"  {min(times):6.0f}-{max(times):6.0f} {len(times):5d}  {key}")
    buckets: dict[int, dict[str, int]] = {}
    for change in timeline["dom"]:
        path = change["where"].split(" ")[0].split(">stMainBlockContainer>")[-1]
        what = ">".join(path.split(">")[:2])
        bucket = buckets.setdefault(int(change["t"] // 100), {})
        bucket[what] = bucket.get(what, 0) + 1
    lines.append("DOM changes per 100 ms (top 3 places):")
    for bucket, places in sorted(buckets.items()):
        top = sorted(places.items(), key=lambda item: -item[1])[:3]
        lines.append(f"  {bucket * 100:6d} {sum(places.values()):5d}  {top}")
    lines.append("last changes:")
    for change in timeline["dom"][-12:]:
        where = change["where"].split(">stMainBlockContainer>")[-1]
        lines.append(f"  {change['t']:6.0f} {change['type']} {change['attr']} {where[-120:]}")
    return "\n".join(lines)


def main() -> None:
    """Traces each --page's warm new-tab load and prints the timeline."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Database URL.")
    parser.add_argument("--page", action="append", help="Menu titles (repeat; default all).")
    parser.add_argument("--json", help="Write the raw timelines here.")
    parser.add_argument("--floor", help="Trace bench/floor/hello.py with this query instead.")
    parser.add_argument(
        "--cold", action="store_true", help="Trace each page's first load (empty browser cache)."
    )
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.page or p[1] in args.page]
    script = "serve.py"
    if args.floor is not None:
        pages, script = [(args.floor, "floor", "Go deeper")], "bench/floor/hello.py"
    port = free_port()
    server = start_app(args.url, port, log_name="trace", healthy_within=180, script=script)
    timelines = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for path, title, landmark in pages:
                    timelines[title] = trace(
                        f"http://127.0.0.1:{port}", path, landmark, browser, args.cold
                    )
                    print(f"== {title}\n{summarise(timelines[title])}\n")
            finally:
                browser.close()
    finally:
        stop_app(server)
    if args.json:
        Path(args.json).write_text(json.dumps(timelines) + "\n")


if __name__ == "__main__":
    main()
