"""Issue 20, the smaller cases: `streamlit run serve.py` sends X-Frame-Options."""

from __future__ import annotations

import subprocess
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
