"""Sections that run only when the reader opens them (issue 21: pages draw fast when cold).

Streamlit runs an expander's content even while it is closed, unless the expander tracks
its state (`on_change="rerun"`): then opening it reruns the page and `.open` says it is
open. `lazy_expander` yields that, so a page computes a slow section only on demand; the
state is kept under `key` for the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st


@contextmanager
def lazy_expander(label: str, key: str, expanded: bool = False) -> Iterator[bool]:
    """Opens an expander and yields whether it is open (draw its content only then)."""
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun")
    with box:
        yield bool(box.open)
