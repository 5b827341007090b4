"""Cached access to the repository for pages: one per URL and viewer, results per data version.

Every read goes through `repository()` or `cached_call`, which first ask
salesops.ui.auth.current_viewer (sign-in, "ask an admin" page) and then use a Repository
limited to the viewer's scope. Cache keys hold that scope, so a cached result is never
served to someone who sees less.

Cache keys also hold the database's data version (salesops.db.migrate.data_version), which
every load, import and rollup rebuild changes: results stay warm across sessions for as long
as the data is unchanged, and are never served once it has changed. The TTL
(Settings.cache_ttl_seconds) is only a backstop for writes made behind salesops' back.

When the database stops answering mid-session, results this session already read (for the
last data version it saw) are still shown, under a warning that says when they were read
and why the database is not answering (`_stale_badge`); anything not cached fails with the
page's one-sentence error, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from threading import Lock, Thread
from typing import Any

import streamlit as st

from salesops import typed_json
from salesops.config import Settings, load_settings
from salesops.db.errors import DATABASE_FAILURES, DatabaseError, DatabaseUnavailable, translate
from salesops.overview_store import result_key, stored_names
from salesops.redact import mask_secrets
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.ui.auth import current_viewer, read_engine

TTL_SECONDS = Settings().cache_ttl_seconds
VERSION_CHECK_SECONDS = Settings().data_version_check_seconds
STORED_NAMES = stored_names()  # the calls salesops.overview_store stores on load
BACKGROUND_DELAY_SECONDS = Settings().background_read_delay_seconds
BACKGROUND_NICENESS = Settings().background_read_niceness


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


_TOKENS: dict[tuple, str] = {}
_TOKENS_LOCK = Lock()
_TOKEN_NUMBERS = count()
MAX_TOKENS = 20_000


def _token(call: tuple) -> object:
    """Returns a short string standing for `call` in this process: equal calls, equal strings.

    Streamlit hashes every argument of a cached function on every call (each dataclass
    copied to a dict, each argument's name looked up in the signature): about 60 ms of the
    Overview's warm run over its 22 reads. Here the call is compared with `==` as a dict key,
    so Streamlit hashes one short string. A string is never given out twice (the numbers
    only grow), so forgetting them all past MAX_TOKENS only costs cache misses. A call that
    can't be a dict key (it holds a list) is returned as it is, for Streamlit to hash.
    Equality is Python's: 1, 1.0 and True are one argument, as they are to the functions.
    """
    with _TOKENS_LOCK:
        try:
            token = _TOKENS.get(call)  # hashes the call once: the dataclasses' hashes aren't kept
        except TypeError:
            return call
        if token is None:
            if len(_TOKENS) >= MAX_TOKENS:
                _TOKENS.clear()
            token = _TOKENS[call] = f"call {next(_TOKEN_NUMBERS)}"
    return token


def _cached(
    url: str,
    version: str | None,
    visible: Scope,
    team: Scope,
    name: str,
    args: tuple,
    kwargs: tuple,
) -> tuple[Any, datetime]:
    """Returns (CACHED_FUNCTIONS[name](the repository, *args, **kwargs), when it was read)."""
    call = (url, version, visible, team, name, args, kwargs)
    return _cached_result(_token(call), call)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _cached_result(key: object, _call: tuple) -> tuple[Any, datetime]:
    url, version, visible, team, name, args, kwargs = _call
    found, value = _stored(url, version, visible, team, (name, args, kwargs))
    if not found:
        fn: Callable = CACHED_FUNCTIONS[name]
        value = fn(_repository(url, visible, team), *args, **dict(kwargs))
    return value, datetime.now()


CACHED_FUNCTIONS: dict[str, Callable] = {}


def _derived(
    url: str,
    version: str | None,
    visible: Scope,
    team: Scope,
    name: str,
    sources: tuple[tuple[str, tuple, tuple], ...],
    args: tuple,
    kwargs: tuple,
    unhashed: tuple[tuple[str, Any], ...] = (),
) -> tuple[Any, datetime]:
    """Returns (CACHED_FUNCTIONS[name](*what the sources read, *args, **kwargs), when).

    `unhashed` keyword arguments are passed on but left out of the cache key.
    """
    call = (url, version, visible, team, name, sources, args, kwargs)
    return _derived_result(_token(call), call, unhashed)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _derived_result(
    key: object, _call: tuple, _unhashed: tuple[tuple[str, Any], ...]
) -> tuple[Any, datetime]:
    url, version, visible, team, name, sources, args, kwargs = _call
    found, value = _stored(url, version, visible, team, (name, sources, args, kwargs))
    if not found:
        values = [_cached(url, version, visible, team, *source)[0] for source in sources]
        fn: Callable = CACHED_FUNCTIONS[name]
        value = fn(*values, *args, **dict(kwargs), **dict(_unhashed))
    return value, datetime.now()


def _stored(
    url: str, version: str | None, visible: Scope, team: Scope, parts: tuple
) -> tuple[bool, Any]:
    """Returns (True, the result stored on load for this call), or (False, None) if none.

    Only the Overview's default calls for a viewer who sees everything are stored
    (salesops.overview_store); their key holds the data version, so a result is found only
    for the data it was computed on. Other calls are not looked up.
    """
    if version is None or parts[0] not in STORED_NAMES:
        return False, None
    if not (visible.is_everything and team.is_everything):
        return False, None
    key = result_key(version, parts, visible, team)
    text = _repository(url, EVERYTHING, EVERYTHING).stored_forecast(key)
    return (False, None) if text is None else typed_json.loads(text, url)


READ_FAILURES: tuple[type[BaseException], ...] = (DatabaseError, *DATABASE_FAILURES)
SEEN_VERSIONS = "salesops.seen_data_versions"  # {url: the last data version read}
THIS_RUN = "salesops.this_run"  # what this script run learnt (see _this_run)


def _this_run() -> dict[str, Any]:
    """Returns a dict kept for the current script run of this session only (new each run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    token = ctx.cursors if ctx is not None else None  # Streamlit makes a new dict every run
    run = st.session_state.get(THIS_RUN)
    if run is None or run["token"] is not token:
        run = {"token": token}
        st.session_state[THIS_RUN] = run
    return run


def _checked_version(url: str) -> tuple[str | None, DatabaseUnavailable | None]:
    """Returns (the data version, None), or (the last one seen, why) if the database is gone.

    The second form only when this session has read a version before and the database does
    not answer now; any other failure is raised. The version is asked once per run (every
    read in a run is for the same data), and a failed check is not repeated in the run.
    """
    run = _this_run()
    seen: dict[str, str | None] = st.session_state.setdefault(SEEN_VERSIONS, {})
    if run.get("failure") is not None and url in seen:
        return seen[url], run["failure"]
    checked: dict[str, str | None] = run.setdefault("versions", {})
    if url in checked:
        return checked[url], None
    try:
        version = _data_version(url)
    except READ_FAILURES as exc:
        failure = translate(exc, url)
        if url not in seen or not isinstance(failure, DatabaseUnavailable):
            raise failure from exc
        run["failure"] = failure
        return seen[url], failure
    seen[url] = checked[url] = version
    return version, None


def _stale_badge(read_at: datetime, failure: DatabaseError) -> None:
    """Shows, once per run, that results on the page were read at `read_at` and are not live.

    Later stale results in the same run move the time back to the oldest one shown.
    """
    run = _this_run()
    oldest = min(read_at, run.get("stale_since", read_at))
    if "badge" not in run:
        run["badge"] = st.empty()
    run["stale_since"] = oldest
    run["badge"].warning(
        f"Showing data as of {oldest:%d %b %Y %H:%M:%S}; the database is not answering: "
        f"{mask_secrets(str(failure))}",
        icon=":material/history:",
    )


@dataclass(frozen=True)
class _Entry:
    """Where a call's cached result is kept, besides its own arguments.

    The function's cache name, its sources' (name, arguments), the database, the data
    version and the viewer's scope; `failure` is why the database is not answering (the
    version is then the last one this session saw), or None.
    """

    name: str
    sources: tuple[tuple[str, tuple, tuple], ...]
    url: str
    version: str | None
    visible: Scope
    team: Scope
    failure: DatabaseUnavailable | None


def _entry(fn: Callable, sources: tuple[tuple[Callable, tuple], ...] = ()) -> _Entry:
    """Returns where fn's result for the current viewer and data version is cached."""
    viewer = current_viewer()
    url = settings().database_url
    version, failure = _checked_version(url)
    keys = tuple((_name(source), tuple(source_args), ()) for source, source_args in sources)
    return _Entry(_name(fn), keys, url, version, viewer.scope, viewer.team, failure)


@contextmanager
def _failing_as(entry: _Entry) -> Iterator[None]:
    """Raises why the database is not answering in place of a failed read, if it is not."""
    try:
        yield
    except READ_FAILURES as exc:
        if entry.failure is None:
            raise
        raise entry.failure from exc  # not cached: the page says why it can't be read


def _read(entry: _Entry, read: Callable[[], tuple[Any, datetime]]) -> Any:
    """Returns what `read` gives, recording when it was read and if it is stale.

    When the database has stopped answering, a result cached before is returned under a
    stale-data warning; one never read raises why the database can't be read.
    """
    with _failing_as(entry):
        value, read_at = read()
    if entry.failure is not None:
        _stale_badge(read_at, entry.failure)
    st.session_state["salesops.last_refreshed"] = read_at
    return value


def cached_call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Returns fn(repository, *args, **kwargs), cached per database, data version and args.

    `fn` is any function whose first argument is the Repository (a repository method such as
    `Repository.territories`, or a domain function such as `kpi_report`); it gets the
    repository limited to the viewer, and the cache key holds the viewer's scope. Arguments
    must be hashable (dates, tuples, dataclasses). Records when the data was read (see
    `last_refreshed`). When the database has stopped answering, a result this session read
    before is returned under a stale-data warning; one never read raises why.
    """
    e = _entry(fn)
    key = tuple(sorted(kwargs.items()))
    return _read(e, lambda: _cached(e.url, e.version, e.visible, e.team, e.name, args, key))


def whole_company_call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Returns `cached_call(fn, *args, **kwargs)` as a viewer who sees everything gets it.

    Outside any session (no script run, no sign-in): for the server's start, which fills the
    very cache entry a page's `cached_call` then reads for the local user, an admin or a
    leader (salesops.ui.preload.warm_shared_reads). Failures are raised, not cached.
    """
    url = settings().database_url
    key = tuple(sorted(kwargs.items()))
    return _cached(url, _data_version(url), EVERYTHING, EVERYTHING, _name(fn), args, key)[0]


def _name(fn: Callable) -> str:
    """Returns fn's cache name, registering it (the cache keys hold names, not functions)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    CACHED_FUNCTIONS.setdefault(name, fn)
    return name


def cached_from(
    fn: Callable,
    sources: tuple[tuple[Callable, tuple], ...],
    *args: Any,
    unhashed: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Returns fn(*what each source read, *args, **kwargs), cached like the reads themselves.

    For pure functions of cached reads (a territory report from its data, a forecast from
    its inputs): without this they would run again on every rerun and every new session.
    Each source is (repository function, its arguments), read through the same cache as
    `cached_call` (a page that already read it pays nothing more); the result is kept per
    database, data version, viewer scope and arguments. `unhashed` are keyword arguments
    left out of the key: only helpers that are the same for the same viewer (a fit cache).
    """
    e = _entry(fn, sources)
    key = tuple(sorted(kwargs.items()))
    held = tuple(sorted((unhashed or {}).items()))
    return _read(
        e,
        lambda: _derived(e.url, e.version, e.visible, e.team, e.name, e.sources, args, key, held),
    )


def _stored_once(
    url: str, version: str | None, visible: Scope, team: Scope, parts: tuple
) -> tuple[bool, Any]:
    """Returns `_stored(url, version, visible, team, parts)`, asked once (then cached)."""
    call = (url, version, visible, team, parts)
    return _stored_result(_token(call), call)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _stored_result(key: object, _call: tuple) -> tuple[bool, Any]:
    return _stored(*_call)


def stored_from(
    fn: Callable, sources: tuple[tuple[Callable, tuple], ...], *args: Any, **kwargs: Any
) -> Any | None:
    """Returns what `cached_from(fn, sources, *args, **kwargs)` would if it was stored on load.

    None when it was not (salesops.overview_store stores the pages' default views): nothing
    is computed, for a figure a page shows only when it costs a small read. Whether it was
    stored is asked once per data version and viewer.
    """
    e = _entry(fn, sources)
    parts = (e.name, e.sources, args, tuple(sorted(kwargs.items())))
    with _failing_as(e):
        found, value = _stored_once(e.url, e.version, e.visible, e.team, parts)
    return value if found else None


def cached_later(fn: Callable, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """Returns a function giving `cached_call(fn, *args, **kwargs)` when called later.

    For downloads built on click, which run outside the script (no session, no viewer): the
    viewer's scope, the database and its data version are taken now, so the click reads
    the same cache entry as the page (a list its tab already read costs nothing) and only
    what this viewer may see.
    """
    return _later(_entry(fn), args, tuple(sorted(kwargs.items())))


def _later(e: _Entry, args: tuple, key: tuple) -> Callable[[], Any]:
    """Returns a function giving the result cached at `e` for these arguments."""

    def later() -> Any:
        return _cached(e.url, e.version, e.visible, e.team, e.name, args, key)[0]

    return later


def cached_from_later(
    fn: Callable, sources: tuple[tuple[Callable, tuple], ...], *args: Any
) -> Callable[[], Any]:
    """Returns a function giving `cached_from(fn, sources, *args)` when called later.

    As `cached_later`, for a result derived from cached reads (a download built on click):
    the same cache entry as the page's, for this viewer and data version.
    """
    e = _entry(fn, sources)

    def later() -> Any:
        return _derived(e.url, e.version, e.visible, e.team, e.name, e.sources, args, ())[0]

    return later


def last_refreshed() -> datetime | None:
    """Returns when the newest cached result shown on this page was read from the database."""
    return st.session_state.get("salesops.last_refreshed")


def clear_cache() -> None:
    """Forgets cached query results and the engine, so the next run reconnects."""
    _cached_result.clear()
    _derived_result.clear()
    _stored_result.clear()
    _data_version.clear()
    _repository.clear()
    read_engine.clear()
    _STARTED.clear()


def prefetch(fn: Callable, *args: Any, **kwargs: Any) -> None:
    """Starts `cached_call(fn, *args, **kwargs)` in a background thread and returns at once.

    For a page whose sections read independently: started together at the top, the reads
    run side by side (SQLite releases the GIL while it reads; PostgreSQL works in its own
    processes) instead of one after another as the sections are drawn. The section's own
    `cached_call` then finds the result, or waits for it (Streamlit computes a cache entry
    once, whoever asks). A failure here is dropped: the section's own call meets it again
    and shows it as usual (so does a database that does not answer the version check).
    """
    _start(fn, args, kwargs, 0.0, 0)


def prefetch_after_paint(fn: Callable, *args: Any, **kwargs: Any) -> None:
    """Like `prefetch`, for a read the page shows only on a click (a tab, a download).

    The thread first waits BACKGROUND_DELAY_SECONDS (Settings.background_read_delay_seconds),
    while the browser draws the page, then reads at an OS priority BACKGROUND_NICENESS lower
    than the server's (Linux applies nice per thread: SQLite's work, done in this thread,
    yields to the browser and to other requests). A click that needs the result sooner
    reads it itself (the thread then finds it cached).
    """
    _start(fn, args, kwargs, BACKGROUND_DELAY_SECONDS, BACKGROUND_NICENESS)


def _lower_priority(niceness: int) -> None:
    """Adds `niceness` to the calling thread's OS niceness (Linux; elsewhere nothing)."""
    import os
    import threading

    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
    except OSError:  # only the timing changes: the work itself runs as usual
        return


def start_after_paint(target: Callable[[], Any], name: str) -> None:
    """Runs `target` in a daemon thread after the page is drawn, at a lower OS priority.

    Waits BACKGROUND_DELAY_SECONDS, then lowers the thread's priority by
    BACKGROUND_NICENESS (see `prefetch_after_paint`); `target`'s failures are its own.
    """
    _thread(target, name, BACKGROUND_DELAY_SECONDS, BACKGROUND_NICENESS).start()


def _thread(target: Callable[[], Any], name: str, delay: float, niceness: int) -> Thread:
    """Returns a daemon thread running `target` after `delay` s, `niceness` lower."""

    def run() -> None:
        if delay > 0:
            time.sleep(delay)
        _lower_priority(niceness)
        target()

    return Thread(target=run, name=name, daemon=True)


# (a call's cache entry: name, database, data version, scope, arguments) -> when this process
# last started reading it ahead (time.monotonic); forgotten with the cache (clear_cache)
_STARTED: dict[tuple, float] = {}
_STARTED_MOST = 10_000  # entries remembered before the memo starts afresh


def _started_before(e: _Entry, args: tuple, key: tuple) -> bool:
    """Returns whether this process started reading `e` ahead before, within the cache TTL.

    Its result is then cached (or being read): a warm page starts no thread for it. On the
    Overview's warm new tab, eight threads each copying a cached result while holding the
    GIL held the page's own reads back by 0.10-0.15 s (issue 21). Records this start
    otherwise. Not for a failed version check or arguments that cannot be a dict key.
    """
    if e.version is None or e.failure is not None:
        return False
    entry = (e.name, e.url, e.version, e.visible, e.team, args, key)
    try:
        started = _STARTED.get(entry)
    except TypeError:  # unhashable arguments (Streamlit's cache hashes them its own way)
        return False
    now = time.monotonic()
    if started is not None and now - started < TTL_SECONDS:
        return True
    if len(_STARTED) >= _STARTED_MOST:
        _STARTED.clear()
    _STARTED[entry] = now
    return False


def _start(fn: Callable, args: tuple, kwargs: dict, delay: float, niceness: int) -> None:
    """Starts fn's cached read in a daemon thread after `delay` s at `niceness` (see prefetch).

    Nothing is started for a read this process already started (`_started_before`).
    """
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    try:
        e = _entry(fn)
    except READ_FAILURES:
        return
    key = tuple(sorted(kwargs.items()))
    if _started_before(e, args, key):
        return
    later = _later(e, args, key)

    def read() -> None:
        try:
            later()
        except Exception:  # the section's own call meets it and reports it
            return

    thread = _thread(read, f"prefetch {_name(fn)}", delay, niceness)
    add_script_run_ctx(thread, get_script_run_ctx())
    thread.start()
