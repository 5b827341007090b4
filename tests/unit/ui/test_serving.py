"""serve.py's ConnectAtOnce: every page's HTML names the server root; nothing else changes."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from salesops.ui.serving import ConnectAtOnce, connect_script

PAGE = b"<!doctype html><html><head><title>x</title></head><body></body></html>"
SCRIPT = connect_script(["", "kpis", "pipeline_review"], ["https://example.test"])


def _serve(path: str, body: bytes, headers: list[tuple[bytes, bytes]], method: str = "GET"):
    """Returns (messages sent, request headers the app saw) for one request through it."""
    seen: dict = {}

    async def app(scope, receive, send):
        seen["headers"] = scope["headers"]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"accept-encoding", b"gzip"), (b"host", b"x")],
    }
    # In a thread of its own: a browser test may leave an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, ConnectAtOnce(app, SCRIPT)(scope, receive, send)).result()
    return sent, seen["headers"]


def _html_headers(length: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(length).encode()),
        (b"etag", b'"abc"'),
    ]


def test_a_page_gets_the_script_first_in_its_head_whole_and_uncompressed():
    sent, request_headers = _serve("/pipeline_review", PAGE, _html_headers(len(PAGE)))
    assert (b"accept-encoding", b"gzip") not in request_headers
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    assert body.startswith(b"<!doctype html><html><head><script>")
    assert body.endswith(PAGE[len(b"<!doctype html><html><head>") :])
    headers = dict(start["headers"])
    assert headers[b"content-length"] == str(len(body)).encode()
    assert b"etag" not in headers  # a 304 would bring back a page cached without the script


def test_other_answers_pass_unchanged():
    script = b"window.x = 1;"
    js = [(b"content-type", b"text/javascript"), (b"content-length", b"13")]
    for path, body, headers, method in [
        ("/static/js/index.js", script, js, "GET"),
        ("/_stcore/health", b"ok", [(b"content-type", b"text/plain")], "GET"),
        ("/kpis/_stcore/health", PAGE, _html_headers(len(PAGE)), "GET"),
        ("/kpis", PAGE, _html_headers(len(PAGE)), "HEAD"),
        ("/kpis", b"\x1f\x8b...", [*_html_headers(5), (b"content-encoding", b"gzip")], "GET"),
    ]:
        sent, _ = _serve(path, body, headers, method)
        assert b"".join(m.get("body", b"") for m in sent[1:]) == body, path
        assert sent[0]["headers"] == headers, path


def test_the_script_names_the_pages_and_the_host_config():
    settings = json.loads(SCRIPT.split("const s = ", 1)[1].split(";", 1)[0])
    assert settings == {
        "pages": ["kpis", "pipeline_review"],
        "host": {"allowedOrigins": ["https://example.test"], "useExternalAuthToken": False},
    }
    assert "window.__streamlit = {BACKEND_BASE_URL" in SCRIPT
