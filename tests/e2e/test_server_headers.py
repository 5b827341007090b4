"""Issue 20, the smaller cases: `streamlit run serve.py` sends X-Frame-Options."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.e2e.conftest import _free_port, _wait_healthy

ROOT = Path(__file__).resolve().parents[2]


def test_smaller_server_sends_x_frame_options_and_listens_on_127_0_0_1(demo_url):
    port = _free_port()
    env = {**os.environ, "SALESOPS_DATABASE_URL": demo_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process, seconds=120)
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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
