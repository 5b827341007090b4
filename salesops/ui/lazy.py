"""Sections that run only when the reader opens them (issue 21: pages draw fast when cold).

Streamlit runs an expander's or a tab's content even while it is closed, unless it tracks
its state (`on_change="rerun"`): then opening it reruns and `.open` says it is open.
`lazy_expander` yields that, so a page computes a slow section only on demand;
`lazy_tabs` draws a page's lower sections as tabs of which only the open one is drawn (the
browser draws one section's grids and charts at first paint, not every section's). The
state is kept under `key` for the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

import streamlit as st

Choices = TypeVar("Choices")

# (label, key) -> a section yielding whether it is open: lazy_expander or lazy_toggle
Opener = Callable[[str, str], AbstractContextManager[bool]]


@contextmanager
def lazy_expander(
    label: str, key: str, expanded: bool = False, icon: str | None = None
) -> Iterator[bool]:
    """Opens an expander and yields whether it is open (draw its content only then)."""
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun", icon=icon)
    with box:
        yield bool(box.open)


def kept_choices(
    label: str,
    key: str,
    kept: str,
    defaults: Choices,
    draw: Callable[[Choices], Choices],
    icon: str | None = None,
) -> Choices:
    """Returns a page's settings, whose widgets `draw` shows only inside an opened expander.

    Closed, the widgets are not drawn (their scripts and drawing cost a cold new tab), so
    what they last said is kept in the session under `kept`, not under the widgets' own
    keys, which Streamlit forgets in a run that does not draw them; `defaults` until they
    are first drawn. `draw(choices)` draws the widgets from `choices` and returns theirs.
    The expander's state is kept under `key` (lazy_expander).
    """
    chosen = st.session_state.get(kept) or defaults
    with lazy_expander(label, key, icon=icon) as opened:
        if opened:
            chosen = draw(chosen)
            st.session_state[kept] = chosen
    return chosen


@contextmanager
def lazy_toggle(label: str, key: str) -> Iterator[bool]:
    """Draws a toggle and yields whether it is on (draw the section below it only then).

    A lazy_expander for where an expander should not go: inside another expander
    (Streamlit's guidance is not to nest them; releases before 1.46 refuse to). Its state
    is kept under `key`, as lazy_expander's.
    """
    yield st.toggle(label, key=key)


@st.fragment
def lazy_tabs(sections: Mapping[str, Callable[[], object]], key: str) -> None:
    """Draws one tab per section (title -> draw function), calling only the open tab's.

    The first tab is open on a first visit; switching tab reruns this fragment alone, which
    calls the newly opened section's function. Widgets inside a section rerun the fragment
    too, so a section reads what it needs itself (or from values the page computed before).
    """
    tabs = st.tabs(list(sections), key=key, on_change="rerun")
    for tab, draw in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()
