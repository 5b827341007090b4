"""Issue 20, the smaller cases: `streamlit run serve.py` sends X-Frame-Options."""

from __future__ import annotations

import subprocess
import time
import urllib.request

from tests.e2e.conftest import _free_port, start_app, stop_app


def test_smaller_server_sends_x_frame_options_and_listens_on_127_0_0_1(demo_url):
    port = _free_port()
    process = start_app(demo_url, port, healthy_within=120, script="serve.py")
    try:
        url = f"http://127.0.0.1:{port}"
        for path in ("/", "/_stcore/health"):
            with urllib.request.urlopen(url + path, timeout=10) as response:
                assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
                assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
                assert response.headers["X-Content-Type-Options"] == "nosniff"
        listening = subprocess.run(
            ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True
        )
        if listening.returncode == 0 and listening.stdout.strip():
            assert all("127.0.0.1:" in line for line in listening.stdout.strip().splitlines())
    finally:
        stop_app(process)


def test_the_server_imports_the_app_before_it_answers(demo_url):
    """serve.py's lifespan imports the app's modules (salesops.ui.preload) before /health."""
    from tests.e2e.conftest import ROOT

    port = _free_port()
    process = start_app(demo_url, port, healthy_within=120, script="serve.py")
    try:
        log = (ROOT / "artifacts" / f"streamlit-{port}.log").read_text()
        assert "Preloaded the app's modules" in log
    finally:
        stop_app(process)


def test_the_server_reads_the_filters_choices_once_it_answers(demo_url):
    """After the preload, serve.py reads the schema's state and filters' choices in the
    background (salesops.ui.preload.start_warming) and logs one line."""
    from tests.e2e.conftest import ROOT

    port = _free_port()
    process = start_app(demo_url, port, healthy_within=120, script="serve.py")
    try:
        log_file = ROOT / "artifacts" / f"streamlit-{port}.log"
        deadline = time.monotonic() + 60
        while "filters' choices" not in log_file.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Read the filters' choices and data bounds in" in log_file.read_text()
    finally:
        stop_app(process)


def test_a_deep_link_connects_without_probing_for_the_server(demo_url, page):
    """Issue 21: serve.py's pages name the server root, so a new tab skips the failing probe.

    Without it Streamlit's client asks `/kpis/_stcore/health` first (a 404), waits, then
    asks the root: ~0.1 s more before the page starts running.
    """
    from tests.e2e.settle import wait_settled

    port = _free_port()
    process = start_app(demo_url, port, healthy_within=120, script="serve.py")
    try:
        url = f"http://127.0.0.1:{port}"
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{url}/kpis", wait_until="commit")
        wait_settled(page, "Monthly trends", timeout_ms=120_000)
        assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{url}/"
        assert not [u for u in asked if "/kpis/_stcore/" in u]
        page.get_by_role("link", name="Forecast").first.click()  # the menu still routes
        page.wait_for_url(f"{url}/forecast**")
        wait_settled(page, "Every territory", timeout_ms=120_000)
        root = "() => window.__streamlit && window.__streamlit.BACKEND_BASE_URL"
        for path, expected in [("/", f"{url}/"), ("/kpis/", f"{url}/"), ("/no/such", None)]:
            page.goto(url + path, wait_until="domcontentloaded")
            assert page.evaluate(root) == expected, path
    finally:
        stop_app(process)
