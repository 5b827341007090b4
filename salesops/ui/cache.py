"""Cached access to the repository for pages: one per URL and viewer, results per data version.

Every read goes through `repository()` or `cached_call`, which first ask
salesops.ui.auth.current_viewer (sign-in, "ask an admin" page) and then use a Repository
limited to the viewer's scope. Cache keys hold that scope, so a cached result is never
served to someone who sees less.

Cache keys also hold the database's data version (salesops.db.migrate.data_version), which
every load, import and rollup rebuild changes: results stay warm across sessions for as long
as the data is unchanged, and are never served once it has changed. The TTL
(Settings.cache_ttl_seconds) is only a backstop for writes made behind salesops' back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import streamlit as st

from salesops.config import Settings, load_settings
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.ui.auth import current_viewer, read_engine

TTL_SECONDS = Settings().cache_ttl_seconds
VERSION_CHECK_SECONDS = Settings().data_version_check_seconds


@st.cache_resource(show_spinner=False)
def _repository(url: str, visible: Scope, team: Scope) -> Repository:
    return Repository(read_engine(url), visible=visible, team=team)


def settings() -> Settings:
    """Returns the settings with the database URL resolved for this process."""
    return load_settings()


def repository() -> Repository:
    """Returns the read-only repository for the configured database, limited to the viewer."""
    viewer = current_viewer()
    return _repository(settings().database_url, viewer.scope, viewer.team)


@st.cache_data(ttl=VERSION_CHECK_SECONDS, show_spinner=False)
def _data_version(url: str) -> str | None:
    """Returns the database's data version, asked at most every VERSION_CHECK_SECONDS."""
    return _repository(url, EVERYTHING, EVERYTHING).data_version()


def data_version() -> str | None:
    """Returns the data version cached results are kept for (None before any load)."""
    return _data_version(settings().database_url)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _cached(
    url: str,
    version: str | None,
    visible: Scope,
    team: Scope,
    name: str,
    args: tuple,
    kwargs: tuple,
) -> tuple[Any, datetime]:
    del version  # part of the cache key only: a new data version is a new entry
    fn: Callable = CACHED_FUNCTIONS[name]
    return fn(_repository(url, visible, team), *args, **dict(kwargs)), datetime.now()


CACHED_FUNCTIONS: dict[str, Callable] = {}


def cached_call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Returns fn(repository, *args, **kwargs), cached per database, data version and args.

    `fn` is any function whose first argument is the Repository (a repository method such as
    `Repository.territories`, or a domain function such as `kpi_report`); it gets the
    repository limited to the viewer, and the cache key holds the viewer's scope. Arguments
    must be hashable (dates, tuples, dataclasses). Records when the data was read (see
    `last_refreshed`).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    CACHED_FUNCTIONS.setdefault(name, fn)
    viewer = current_viewer()
    key = tuple(sorted(kwargs.items()))
    url = settings().database_url
    version = _data_version(url)
    value, read_at = _cached(url, version, viewer.scope, viewer.team, name, args, key)
    st.session_state["salesops.last_refreshed"] = read_at
    return value


def last_refreshed() -> datetime | None:
    """Returns when the newest cached result shown on this page was read from the database."""
    return st.session_state.get("salesops.last_refreshed")


def clear_cache() -> None:
    """Forgets cached query results and the engine, so the next run reconnects."""
    _cached.clear()
    _data_version.clear()
    _repository.clear()
    read_engine.clear()
