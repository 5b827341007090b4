"""Run CPU-bound jobs (Prophet fits) on forked worker processes, where the platform allows.

Prophet's fitting is mostly Python holding the GIL, so threads barely help; processes
do. Forked workers start in milliseconds with every module already imported, and they
need no `if __name__ == "__main__"` guard, which Streamlit scripts do not have (a
spawned or forkserver worker would re-run the page script). Where fork is not
available or safe (Windows, macOS), jobs run on a thread pool instead.

Workers only run the job function and exit with `os._exit`, so they never touch the
parent's server threads; `register_after_fork` hooks replace module locks a worker
may inherit held by one of those threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
_after_fork_hooks: list[Callable[[], None]] = []


def register_after_fork(hook: Callable[[], None]) -> None:
    """Remembers `hook` to run first thing in every forked worker (e.g. to renew a lock)."""
    if hook not in _after_fork_hooks:
        _after_fork_hooks.append(hook)


def _run_after_fork_hooks() -> None:
    for hook in _after_fork_hooks:
        hook()


def can_fork() -> bool:
    """Returns True where worker processes are forked (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def parallel_map(
    fn: Callable[[Item], Result], items: Iterable[Item], max_workers: int
) -> list[Result]:
    """Returns [fn(item) for item in items], computed on up to `max_workers` workers.

    `fn` must be a module-level function and items and results picklable (they cross
    a process boundary). With one worker or one item it runs in this process. If a
    worker process dies, the jobs are run again here, and a warning is logged.
    """
    jobs: Sequence[Item] = list(items)
    workers = min(max_workers, len(jobs))
    if workers <= 1:
        return [fn(job) for job in jobs]
    if not can_fork():
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="salesops") as pool:
            return list(pool.map(fn, jobs))
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_run_after_fork_hooks
        ) as pool:
            return list(pool.map(fn, jobs))
    except BrokenProcessPool as exc:
        logger.warning("A worker process died (%s); running the %d jobs here.", exc, len(jobs))
        return [fn(job) for job in jobs]
