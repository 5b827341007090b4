"""Browser fixtures: serve the app on a free port and drive it with Debian's chromium.

Chromium comes from `apt-get install chromium` (make test does it); Playwright's own
browser download cannot work on these machines. Without chromium the tests skip with a
printed reason, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.settle import wait_settled

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that is free right now."""
    return _free_port()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url} within {seconds:.0f} s")


def start_app(
    database_url: str,
    port: int,
    extra_args: tuple[str, ...] = (),
    log_name: str = "streamlit",
    healthy_within: float = 60,
    script: str = "app.py",
) -> subprocess.Popen:
    """Starts `streamlit run <script>` against `database_url` on `port`; returns the process.

    The one command line the browser tests and bench/bench_browser.py serve the app with
    (headless, no file watcher, no usage stats); `script` is app.py or serve.py (the
    hardened server); `extra_args` are more streamlit options
    (e.g. --secrets.files for sign-in). Output goes to artifacts/<log_name>-<port>.log.
    Returns once /_stcore/health answers; raises RuntimeError if it does not within
    `healthy_within` seconds (the process is then stopped).
    """
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / f"{log_name}-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / script),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *extra_args,
        ],
        cwd=ROOT,
        env={**os.environ, "SALESOPS_DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child keeps its own descriptor
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process, seconds=healthy_within)
    except RuntimeError:
        stop_app(process)
        raise
    return process


def stop_app(process: subprocess.Popen) -> None:
    """Stops a server started by `start_app` (terminate, then kill after 15 s)."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_app(
    database_url: str, port: int | None = None, extra_args: tuple[str, ...] = ()
) -> Iterator[str]:
    """Serves the app (`start_app`) on `port` (else a free one); yields the base URL.

    `extra_args` are more streamlit options (e.g. --secrets.files for sign-in).
    """
    port = port or _free_port()
    process = start_app(database_url, port, extra_args)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(process)


@pytest.fixture(scope="session")
def app_url(demo_url: str) -> Iterator[str]:
    """Returns the base URL of the app served on the small demo database."""
    (ROOT / "artifacts").mkdir(exist_ok=True)
    yield from serve_app(demo_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Returns a Playwright chromium browser (Debian's), or skips/fails if it is missing."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} not installed (make test installs it with apt-get)"
        if IN_CI:
            pytest.fail(f"CI requires chromium: {reason}")
        print(f"\nSKIP browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """Returns a fresh browser page (1400x2200, tall enough for whole pages)."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200})
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page: object, text: str, timeout_ms: int = 60_000) -> None:
    """Waits until `text` is on screen and the page has settled (see tests/e2e/settle.py).

    Fails (playwright TimeoutError) if the page keeps running, keeps a skeleton or stale
    elements, or keeps changing for `timeout_ms`.
    """
    page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    wait_settled(page, text, timeout_ms=timeout_ms)


def wait_for_metrics(page: object, *labels: str, timeout_ms: int = 60_000) -> str:
    """Waits until a metric tile shows each label; returns the text of every tile.

    Tiles can be redrawn after the last section appears (a rerun replaces them), so reading
    them right after `wait_for_app` can find none under load.
    """
    tiles = page.locator('[data-testid="stMetric"]')
    for label in labels:
        tiles.filter(has_text=label).first.wait_for(timeout=timeout_ms)
    return " ".join(tiles.all_inner_texts())


def wait_for_figures(page: object, *labels: str, timeout_ms: int = 60_000) -> str:
    """Waits until a figure table (salesops.ui.figure_table) shows each label; returns its text.

    A figure table is one Markdown element: the labels are its header, the values below.
    """
    tables = page.locator('[data-testid="stMarkdownContainer"] table')
    for label in labels:
        tables.filter(has_text=label).first.wait_for(timeout=timeout_ms)
    return " ".join(tables.all_inner_texts())


def wait_for_tiles(page: object, *labels: str, timeout_ms: int = 60_000) -> str:
    """Waits until an HTML tile (salesops.ui.kpis.tile_cell) shows each label; returns their text.

    Each tile is a group named by its label, inside st.html.
    """
    tiles = page.locator('[data-testid="stHtml"] [role="group"][aria-label]')
    for label in labels:
        tiles.and_(page.locator(f'[aria-label="{label}"]')).first.wait_for(timeout=timeout_ms)
    return " ".join(tiles.all_inner_texts())


def figure_values(page: object) -> dict[str, str]:
    """Returns every figure table's values by label (the first row under the header)."""
    values = {}
    for table in page.locator('[data-testid="stMarkdownContainer"] table').all():
        labels = [t.strip() for t in table.locator("thead th").all_inner_texts()]
        first = table.locator("tbody tr").first
        cells = [t.strip() for t in first.locator("td").all_inner_texts()]
        values.update(zip(labels, cells, strict=False))
    return values


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Returns save(page, name) -> the PNG path under artifacts/screenshots/."""

    def save(page: object, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
