"""When is a Streamlit page really drawn? Shared by the browser tests and bench/bench_browser.py.

Streamlit's status widget (`stStatusWidget`) is not a usable signal: with the minimal toolbar
it was never seen in about 100 page loads, so waiting for it to vanish returned at once. A page
counts as settled when, after its landmark text is on screen:

- the app says its script is not running (`data-test-script-state="notRunning"` on stApp,
  the attribute Streamlit's own browser tests read);
- no running icon, skeleton or spinner is shown, and no element is marked stale (Streamlit
  sets `data-stale="true"` on elements of the previous run until the new run replaces them);
- every chart has drawn (a vega-embed holds a canvas or svg);
- nothing in the DOM has changed for `quiet_ms` (a MutationObserver records the last change).

`wait_settled` raises playwright's TimeoutError if that does not happen within the timeout,
so a page that keeps changing, or keeps a spinner, fails the test instead of passing early.
"""

from __future__ import annotations

from typing import Any

# Installs (once per document) a MutationObserver that records the time of the last change
# in performance.now() units, i.e. milliseconds since the navigation started.
OBSERVE_JS = """
() => {
  if (window.__salesopsSettle) { return; }
  const state = { last: performance.now(), changes: 0 };
  window.__salesopsSettle = state;
  const start = () => {
    new MutationObserver(() => { state.last = performance.now(); state.changes += 1; })
      .observe(document.documentElement,
               { subtree: true, childList: true, attributes: true, characterData: true });
  };
  if (document.documentElement) { start(); }
  else { document.addEventListener('DOMContentLoaded', start); }
}
"""

BUSY_SELECTOR = ", ".join(
    [
        '[data-testid="stStatusWidgetRunningIcon"]',
        '[data-testid="stSkeleton"]',
        '[data-testid="stAppSkeleton"]',
        '[data-testid="stSpinner"]',
        '[data-stale="true"]',
    ]
)

SETTLED_JS = r"""
([landmark, quietMs, busySelector]) => {
  const state = window.__salesopsSettle;
  if (!state) { return false; }
  const text = (document.body ? document.body.innerText : '').replace(/\s+/g, ' ');
  if (!text.toLowerCase().includes(landmark.toLowerCase())) { return false; }
  if (document.querySelector(busySelector)) { return false; }
  const app = document.querySelector('[data-testid="stApp"]');
  if (app && app.dataset.testScriptState !== 'notRunning') { return false; }
  for (const chart of document.querySelectorAll('.vega-embed')) {
    if (!chart.querySelector('canvas, svg')) { return false; }
  }
  return performance.now() - state.last >= quietMs;
}
"""

STATE_JS = r"""
([landmark, busySelector]) => ({
  landmark: document.body.innerText.replace(/\s+/g, ' ').toLowerCase()
    .includes(landmark.toLowerCase()),
  busy: Array.from(document.querySelectorAll(busySelector)).slice(0, 5)
    .map(e => e.outerHTML.slice(0, 160)),
  scriptState: (document.querySelector('[data-testid="stApp"]') || {dataset: {}})
    .dataset.testScriptState,
  undrawnCharts: Array.from(document.querySelectorAll('.vega-embed'))
    .filter(c => !c.querySelector('canvas, svg')).length,
  msSinceLastChange: Math.round(performance.now() - window.__salesopsSettle.last),
  changes: window.__salesopsSettle.changes,
})
"""

QUIET_MS = 750


def observe(page: Any) -> None:
    """Installs the change recorder in the current document (idempotent)."""
    page.evaluate(OBSERVE_JS)


def install_on_every_document(context: Any) -> None:
    """Makes every page of a browser context record DOM changes from its first moment."""
    context.add_init_script(f"({OBSERVE_JS})()")


def wait_settled(
    page: Any, landmark: str, timeout_ms: int = 60_000, quiet_ms: int = QUIET_MS
) -> float:
    """Waits until `landmark` is shown and the page has settled; returns when it last changed.

    The returned time is in milliseconds since the document's navigation started (for a page
    loaded with goto, that is the time to fully drawn). Raises playwright's TimeoutError if
    the page does not settle within `timeout_ms`.
    """
    observe(page)
    try:
        page.wait_for_function(
            SETTLED_JS,
            arg=[landmark, quiet_ms, BUSY_SELECTOR],
            timeout=timeout_ms,
            polling=100,
        )
    except Exception as exc:  # playwright's TimeoutError: say what kept the page busy
        state = page.evaluate(STATE_JS, [landmark, BUSY_SELECTOR])
        raise type(exc)(f"{exc}\nNot settled: {state}") from exc
    return float(page.evaluate("() => window.__salesopsSettle.last"))
