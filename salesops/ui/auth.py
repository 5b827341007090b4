"""Sign-in for the app: who is looking, the sign-in and "ask an admin" pages, the sidebar line.

With an `[auth]` section in .streamlit/secrets.toml every page requires sign-in through
Streamlit's OIDC (st.login / st.user / st.logout), and the signed-in email is looked up in
the users table (salesops.access). Without it the app runs for one local person, as an
admin of their own laptop, and says so in the sidebar. `current_viewer` is called by the
cache module before any data is read, so no page can skip it.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import streamlit as st
from sqlalchemy import Engine

from salesops.access import LOCAL_VIEWER, AccessRefused, Viewer, resolve_viewer
from salesops.config import Settings, load_settings
from salesops.db.engine import make_engine
from salesops.ui.markdown import md

logger = logging.getLogger(__name__)

RECHECK_SECONDS = Settings().access_recheck_seconds
PROVIDER_TIMEOUT_SECONDS = 3


def auth_section() -> Mapping[str, Any] | None:
    """Returns the [auth] section of the secrets, or None when sign-in is not configured."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: Streamlit raises rather than returning None
        return None
    return section if isinstance(section, Mapping) and section else None


def providers(section: Mapping[str, Any]) -> dict[str | None, str]:
    """Returns the configured providers: name (None for the unnamed one) -> metadata URL."""
    found: dict[str | None, str] = {}
    if "client_id" in section:
        found[None] = str(section.get("server_metadata_url", ""))
    for name, value in section.items():
        if isinstance(value, Mapping) and "client_id" in value:
            found[str(name)] = str(value.get("server_metadata_url", ""))
    return found


@st.cache_resource(show_spinner=False)
def read_engine(url: str) -> Engine:
    """Returns the one read-only engine for `url` (pages and the users lookup share it)."""
    return make_engine(url, read_only=True)


@st.cache_data(ttl=RECHECK_SECONDS, show_spinner=False)
def _resolve(url: str, email: str) -> Viewer | tuple[str, str]:
    """Returns the viewer for `email`, or (kind, message) when they may see nothing."""
    try:
        return resolve_viewer(read_engine(url), email)
    except AccessRefused as refused:
        return refused.kind, str(refused)


@st.cache_data(ttl=30, show_spinner=False)
def provider_problem(metadata_url: str) -> str | None:
    """Returns why the provider's discovery document cannot be read, or None when it can."""
    host = urlparse(metadata_url).netloc or metadata_url
    try:
        with urllib.request.urlopen(metadata_url, timeout=PROVIDER_TIMEOUT_SECONDS) as answer:
            if answer.status == 200:
                return None
            status = f"it answered HTTP {answer.status}"
    except Exception as exc:  # DNS, refused, timeout, TLS, HTTP error: one sentence for all
        logger.warning("Sign-in provider %s unreachable: %s", host, type(exc).__name__)
        status = "it does not answer"
    return (
        f"The sign-in provider ({host}) cannot be reached: {status}. Try again in a minute; "
        "if it persists, ask an admin to check the [auth] settings."
    )


def current_viewer() -> Viewer:
    """Returns who is looking; draws the sign-in or refusal page and stops when no one may be.

    Called before every data read (salesops.ui.cache), so every page requires sign-in when
    [auth] is configured. A signed-in email is looked up again after RECHECK_SECONDS, so a
    user removed or deactivated while signed in loses access at their next step.
    """
    section = auth_section()
    if section is None:
        return LOCAL_VIEWER
    if not st.user.is_logged_in:
        sign_in_page(section)
        st.stop()
    email = st.user.get("email")
    outcome = _resolve(load_settings().database_url, str(email or ""))
    if isinstance(outcome, tuple):
        refusal_page(*outcome)
        st.stop()
    return outcome


def sign_in_page(section: Mapping[str, Any]) -> None:
    """Draws the sign-in page: one button per provider, or why the provider can't be reached."""
    st.title("salesops")
    st.write("Sign in to see your team's pipeline, forecast and KPIs.")
    configured = providers(section)
    if not configured:
        st.error(
            "Sign-in is switched on but no provider is configured: an admin must add "
            "client_id, client_secret and server_metadata_url to [auth] in secrets.toml."
        )
        return
    for name, metadata_url in configured.items():
        problem = provider_problem(metadata_url)
        label = f"Sign in with {name}" if name else "Sign in"
        if problem:
            st.error(problem, icon=":material/cloud_off:")
            if st.button("Try again", key=f"auth.retry_{name or 'default'}"):
                provider_problem.clear()
                st.rerun()
            continue
        if st.button(label, type="primary", key=f"auth.sign_in_{name or 'default'}"):
            st.login(name) if name else st.login()


def refusal_page(kind: str, message: str) -> None:
    """Draws the "ask an admin" page: why there is no data, and a way to sign out."""
    st.title("No access to salesops")
    st.warning(message, icon=":material/lock:")
    email = st.user.get("email")
    if email:
        st.caption(f"Signed in as {md(email)}.")
    if st.button("Sign out", key="auth.sign_out_refused"):
        st.logout()
    logger.info("Access refused (%s)", kind)


def sidebar_identity(viewer: Viewer) -> None:
    """Draws who is signed in and a sign-out button, or the single-user note, in the sidebar."""
    if not viewer.signed_in:
        st.sidebar.caption(
            "Single-user mode: sign-in is off (no [auth] in .streamlit/secrets.toml)."
        )
        return
    st.sidebar.caption(f"Signed in as {md(viewer.label)}")
    if st.sidebar.button("Sign out", key="auth.sign_out", icon=":material/logout:"):
        st.logout()
