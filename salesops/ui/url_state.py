"""URL state: the one reader and writer of st.query_params every page uses.

A copied URL reproduces the view. Each reader validates what the link says and, when it is
unknown or malformed, records a problem (shown once as a warning) and gives the default;
nothing from the URL reaches SQL except as a validated, bound value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import TypeVar

import streamlit as st

from salesops.numbers import parse_id
from salesops.ui.markdown import md_list

T = TypeVar("T")


class UrlReader:
    """Reads validated values from st.query_params and collects what it had to ignore."""

    def __init__(self, params: Mapping[str, str] | None = None) -> None:
        self.params = st.query_params if params is None else params
        self.problems: list[str] = []

    def has(self, name: str) -> bool:
        """Returns True when the URL names `name`."""
        return name in self.params

    def _all(self, name: str) -> list[str]:
        return _values(self.params, name)

    def ints(self, name: str, known: Collection[int], what: str | None = None) -> list[int]:
        """Returns the ids under `name` that are in `known`; records every other value."""
        chosen = []
        for text in self._all(name):
            value = parse_id(text)
            if value is not None and value in known:
                chosen.append(value)
            else:
                self.problems.append(f"unknown {what or name} {text!r}")
        return chosen

    def int_value(
        self, name: str, default: int, low: int, high: int, what: str | None = None
    ) -> int:
        """Returns the integer under `name` if it lies in [low, high], else `default`."""
        if name not in self.params:
            return default
        text = self.params.get(name) or ""
        value = parse_id(text)
        if value is None or not low <= value <= high:
            self.problems.append(f"{what or name} {text!r}")
            return default
        return value

    def choices(self, name: str, allowed: Collection[str], what: str | None = None) -> list[str]:
        """Returns the values under `name` that are in `allowed`; records the others."""
        values = self._all(name)
        self.problems += [f"unknown {what or name} {v!r}" for v in values if v not in allowed]
        return [v for v in values if v in allowed]

    def choice(self, name: str, allowed: Collection[T], default: T, what: str | None = None) -> T:
        """Returns the value under `name` if it is one of `allowed` (compared as text)."""
        if name not in self.params:
            return default
        text = self.params.get(name)
        for option in allowed:
            if str(option) == text:
                return option
        self.problems.append(f"{what or name} {text!r}")
        return default

    def text(self, name: str) -> str | None:
        """Returns the raw text under `name` (None when absent): validate before use."""
        return self.params.get(name)

    def date(self, name: str) -> date | None:
        """Returns the ISO date under `name`, or None when absent or not a date."""
        return parse_date(self.params.get(name))

    def note(self, problem: str) -> None:
        """Records a problem found by the caller's own validation."""
        self.problems.append(problem)


def parse_date(text: str | None) -> date | None:
    """Returns the ISO date in `text`, or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def warn_ignored(problems: Iterable[str]) -> None:
    """Shows one warning listing what the link held that could not be used."""
    shown = list(problems)
    if shown:
        st.warning("Ignored " + md_list(shown) + " in the link; showing defaults.")


def write_params(params: Mapping[str, str | list[str]]) -> None:
    """Writes `params` into the URL (an empty list removes a key); other keys are kept.

    Moving to another page clears the URL, so the keys kept are the page's own (a page's
    pickers) and the shared filters (ui/filters.py writes them on every page): nothing is
    dropped between the filters and a page's pickers. The URL is only rewritten on a change.
    """
    current = {key: list(_values(st.query_params, key)) for key in st.query_params}
    wanted = dict(current)
    for key, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        if values:
            wanted[key] = values
        else:
            wanted.pop(key, None)
    if wanted != current:
        st.query_params.from_dict(wanted)


def _values(params: Mapping[str, str], key: str) -> list[str]:
    """Returns every value of `key` (a repeated parameter has several)."""
    getter = getattr(params, "get_all", None)
    if getter is not None:
        return list(getter(key))
    value = params.get(key)
    return [] if value is None else [value]


def keep_across_pages(*keys: str) -> None:
    """Keeps these widgets' values when the user visits another page and comes back.

    Streamlit forgets a widget's value after a run that does not draw it (any other page);
    call this before drawing the widgets: it remembers the current values, or restores
    the remembered ones when Streamlit has forgotten them.
    """
    for key in keys:
        kept = f"{key}.kept"
        if key in st.session_state:
            st.session_state[kept] = st.session_state[key]
        elif kept in st.session_state:
            st.session_state[key] = st.session_state[kept]
