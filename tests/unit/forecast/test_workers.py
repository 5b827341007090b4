from __future__ import annotations

import os

import pytest

from salesops.forecast import workers


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _die(x: int) -> int:
    if os.getpid() != PARENT:
        os._exit(3)  # a worker process dies abruptly
    return x + 1


PARENT = os.getpid()
_hook_calls: list[int] = []


def _mark_hook() -> None:
    _hook_calls.append(os.getpid())


def _hooks_seen(_: int) -> list[int]:
    return list(_hook_calls)


def test_results_keep_input_order_and_one_worker_stays_in_process():
    results = workers.parallel_map(_pid_and_square, range(6), max_workers=1)
    assert [square for _, square in results] == [0, 1, 4, 9, 16, 25]
    assert {pid for pid, _ in results} == {os.getpid()}
    assert workers.parallel_map(_pid_and_square, [], max_workers=4) == []


@pytest.mark.skipif(not workers.can_fork(), reason="worker processes are forked on Linux only")
def test_jobs_run_on_forked_workers_with_after_fork_hooks():
    workers.register_after_fork(_mark_hook)
    workers.register_after_fork(_mark_hook)  # registered once only
    results = workers.parallel_map(_pid_and_square, range(8), max_workers=2)
    assert [square for _, square in results] == [x * x for x in range(8)]
    assert os.getpid() not in {pid for pid, _ in results}
    seen = workers.parallel_map(_hooks_seen, range(2), max_workers=2)
    assert all(len(calls) == 1 and calls[0] != os.getpid() for calls in seen)
    assert _hook_calls == []  # the parent never ran the hook


@pytest.mark.skipif(not workers.can_fork(), reason="worker processes are forked on Linux only")
def test_a_dead_worker_means_the_jobs_run_here_with_a_warning(caplog):
    with caplog.at_level("WARNING", logger="salesops.forecast.workers"):
        assert workers.parallel_map(_die, [1, 2, 3], max_workers=2) == [2, 3, 4]
    assert "worker process died" in caplog.text
