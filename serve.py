"""Serves app.py with security headers: `streamlit run serve.py` (the way to deploy).

Streamlit's own server sends no X-Frame-Options; its ASGI wrapper (st.App, Streamlit
>= 1.56) takes Starlette middleware, which adds them to every HTTP response: the page
cannot be framed by another site (clickjacking), and no response is content-sniffed.
Its lifespan imports the app's modules before the server answers, so the first visitor
after a restart does not wait for them (salesops.ui.preload).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware

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
    """Imports the app's modules before the server answers (salesops.ui.preload)."""
    del app
    from salesops.ui.preload import preload

    preload()
    yield None


app = st.App("app.py", middleware=[Middleware(SecurityHeaders)], lifespan=preloaded)
