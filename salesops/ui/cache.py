"""Cached access to the repository for pages: one engine per URL, query results with a TTL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import streamlit as st

from salesops.config import Settings, load_settings
from salesops.db.engine import make_engine
from salesops.repository import Repository

TTL_SECONDS = Settings().cache_ttl_seconds


@st.cache_resource(show_spinner=False)
def _repository(url: str) -> Repository:
    return Repository(make_engine(url, read_only=True))


def settings() -> Settings:
    """Returns the settings with the database URL resolved for this process."""
    return load_settings()


def repository() -> Repository:
    """Returns the shared read-only repository for the configured database."""
    return _repository(settings().database_url)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _cached(url: str, name: str, args: tuple, kwargs: tuple) -> tuple[Any, datetime]:
    fn: Callable = CACHED_FUNCTIONS[name]
    return fn(_repository(url), *args, **dict(kwargs)), datetime.now()


CACHED_FUNCTIONS: dict[str, Callable] = {}


def cached_call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Returns fn(repository, *args, **kwargs), cached for TTL_SECONDS per database and args.

    `fn` is any function whose first argument is the Repository (a repository method such as
    `Repository.territories`, or a domain function such as `kpi_report`). Arguments must be
    hashable (dates, tuples, dataclasses). Records when the data was read (see `last_refreshed`).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    CACHED_FUNCTIONS.setdefault(name, fn)
    value, read_at = _cached(settings().database_url, name, args, tuple(sorted(kwargs.items())))
    st.session_state["salesops.last_refreshed"] = read_at
    return value


def last_refreshed() -> datetime | None:
    """Returns when the newest cached result shown on this page was read from the database."""
    return st.session_state.get("salesops.last_refreshed")


def clear_cache() -> None:
    """Forgets cached query results and the engine, so the next run reconnects."""
    _cached.clear()
    _repository.clear()
