"""Serves app.py with security headers: `streamlit run serve.py` (the way to deploy).

Streamlit's own server sends no X-Frame-Options; its ASGI wrapper (st.App, Streamlit
>= 1.56) takes Starlette middleware, which adds them to every HTTP response: the page
cannot be framed by another site (clickjacking), and no response is content-sniffed.
Its lifespan imports the app's modules before the server answers, so the first visitor
after a restart does not wait for them, then starts reading what every page reads first
(the schema's state, the filters' choices) in the background (salesops.ui.preload). Every
page's HTML tells the browser where the server is, so a new tab opens its websocket
without probing for it first (salesops.ui.serving).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from streamlit import config

from salesops.ui.nav import PAGES
from salesops.ui.serving import ConnectAtOnce, connect_script

SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds SECURITY_HEADERS to every HTTP response."""

    async def dispatch(self, request, call_next):  # type: ignore[no-untyped-def]
        """Returns the app's response with the security headers added."""
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


@asynccontextmanager
async def preloaded(app: st.App) -> AsyncIterator[None]:
    """Imports the app's modules before the server answers, then starts the shared reads."""
    del app
    from salesops.ui.preload import preload, start_warming

    preload()
    start_warming()  # the filters' reads, in the background: the server answers at once
    yield None


CONNECT = connect_script(
    (Path(page.path).stem for page in PAGES), config.get_option("client.allowedOrigins")
)
app = st.App(
    "app.py",
    middleware=[Middleware(SecurityHeaders), Middleware(ConnectAtOnce, script=CONNECT)],
    lifespan=preloaded,
)
