"""Consistent empty states and database-error messages for every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from salesops.db.errors import DATABASE_FAILURES, DatabaseError, SchemaMissing, translate
from salesops.redact import mask_secrets
from salesops.ui.cache import clear_cache, last_refreshed, settings

EMPTY_HINT = "import a CSV on the **Data** page or run `salesops demo`"


def empty_state(what: str = "No opportunities yet") -> None:
    """Shows the standard empty-state message and stops the page."""
    st.info(f"{what}: {EMPTY_HINT}.", icon=":material/inbox:")
    st.stop()


def database_error(exc: DatabaseError) -> None:
    """Shows a database problem as one sentence with a retry button, then stops the page."""
    message = mask_secrets(str(exc))
    if isinstance(exc, SchemaMissing):
        st.warning(message, icon=":material/build:")
    else:
        st.error(message, icon=":material/power_off:")
        seen = last_refreshed()
        if seen is not None:
            st.caption(f"Data shown before this may be stale (last refreshed {seen:%H:%M}).")
    if st.button("Retry", key="states.retry"):
        clear_cache()
        st.rerun()
    st.stop()


@contextmanager
def database_guard() -> Iterator[None]:
    """Turns a DatabaseError raised inside the block into a clear message instead of a traceback."""
    try:
        yield
    except DatabaseError as exc:
        database_error(exc)
    except DATABASE_FAILURES as exc:
        database_error(translate(exc, settings().database_url))
