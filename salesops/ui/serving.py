"""A new tab connects at once: the page's HTML tells Streamlit's client where the server is.

Streamlit's client does not know where the app's server root is, so on every new tab it first
probes for it: `GET <page path>/_stcore/health` (a 404 on any page but the Overview), ~100 ms
of back-off, then `GET /_stcore/health` and `/_stcore/host-config`, and only then opens the
websocket that runs the page. Its embedding settings (`window.__streamlit`, read by the
pinned Streamlit's client) can name the server root and the host configuration up front;
then it opens the websocket at once and pings in the background (measured on a small demo
at load ~8: the script starts 65 ms sooner on the Overview, 135 ms on a deep link).
`ConnectAtOnce` adds that script to the HTML Streamlit serves (serve.py). The root is the
page's URL less its last segment when that segment names one of the app's pages (as
Streamlit's own probe would find it, so it also holds behind a proxy that adds a prefix),
or "/" itself; any other URL (a mistyped page, the Overview under a prefix) is left to
Streamlit's probe.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Not HTML: Streamlit's own routes and its static files pass through untouched.
PASSED_PREFIXES = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")


def connect_script(page_paths: Iterable[str], allowed_origins: Iterable[str]) -> str:
    """Returns the <script> that sets window.__streamlit's server root and host config.

    `page_paths` are the app's page URL paths ("kpis", ...): a URL ending in one of them is
    that page of the app whose root is the rest. `allowed_origins` is Streamlit's
    client.allowedOrigins (what /_stcore/host-config would answer).
    """
    settings = json.dumps(
        {
            "pages": sorted(path for path in page_paths if path),
            "host": {"allowedOrigins": list(allowed_origins), "useExternalAuthToken": False},
        }
    )
    return (
        "<script>(() => {"
        f"const s = {settings};"
        "if (window.__streamlit) { return; }"
        "let path = window.location.pathname.replace(/\\/+$/, '');"
        "const last = path.slice(path.lastIndexOf('/') + 1);"
        "if (s.pages.includes(last)) { path = path.slice(0, path.lastIndexOf('/')); }"
        "else if (path) { return; }"  # not a page of the app at its root: let Streamlit probe
        "window.__streamlit = {BACKEND_BASE_URL: window.location.origin + path + '/',"
        " HOST_CONFIG: s.host};"
        "})();</script>"
    )


class ConnectAtOnce:
    """ASGI middleware: adds `script` at the top of every HTML page the app serves."""

    def __init__(self, app: App, script: str) -> None:
        """Wraps `app`; `script` is connect_script's answer."""
        self.app = app
        self.script = script.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on, holding an HTML answer back to add the script."""
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" or "/_stcore/" in path:
            await self.app(scope, receive, send)
            return
        if path.startswith(PASSED_PREFIXES):
            await self.app(scope, receive, send)
            return
        # Uncompressed (the page is 9 KB), so the script can be added to it.
        headers = [(n, v) for n, v in scope.get("headers", []) if n.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body: list[bytes] = []

        async def held(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _is_plain_html(message) and message.get("status") == 200:
                    start = message
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = self._with_script(b"".join(body))
            await send({**start, "headers": _headers_for(start, len(page))})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, held)

    def _with_script(self, page: bytes) -> bytes:
        """Returns the HTML with the script first in its <head> (unchanged if it has none)."""
        at = page.find(b"<head>")
        if at < 0:
            return page
        at += len(b"<head>")
        return page[:at] + self.script + page[at:]


def _is_plain_html(start: Message) -> bool:
    """Returns whether a response start says its body is HTML, not compressed."""
    headers = {bytes(n).lower(): bytes(v).lower() for n, v in start.get("headers", [])}
    plain = headers.get(b"content-encoding", b"identity") == b"identity"
    return plain and headers.get(b"content-type", b"").startswith(b"text/html")


def _headers_for(start: Message, length: int) -> list[tuple[bytes, bytes]]:
    """Returns the response's headers for the longer body: its length; no ETag to revalidate.

    A 304 would reuse a body cached with another server's script, so the page is always sent
    whole (7.9 KB, never cached).
    """
    dropped = {b"content-length", b"etag", b"last-modified"}
    headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in dropped]
    return [*headers, (b"content-length", str(length).encode("ascii"))]
