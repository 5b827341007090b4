"""bench/tree_cpu.py: a process tree's CPU count never goes backwards when processes exit."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from tree_cpu import TICKS, Stat, TreeCpu, descendants, parse_stat, read_proc  # noqa: E402


def _stat(pid: int, ppid: int, own: int, children: int = 0, start: int = 1) -> Stat:
    return Stat(pid=pid, ppid=ppid, start=start, own=own, children=children)


def _scripted(*readings: list[Stat]) -> TreeCpu:
    frames = iter(readings)
    return TreeCpu(lambda: next(frames))


def test_parse_stat_reads_times_and_start_with_odd_names():
    text = "42 (a) b) c) S 7 1 1 0 -1 0 0 0 0 0 11 5 3 2 20 0 1 0 9999 0 0"
    assert parse_stat(42, text) == Stat(pid=42, ppid=7, start=9999, own=16, children=5)


def test_a_child_that_exits_keeps_its_cpu_and_its_reaping_is_not_counted_twice():
    zygote, renderer = 10, 11
    tree = _scripted(
        [_stat(zygote, 1, own=5), _stat(renderer, zygote, own=100)],
        [_stat(zygote, 1, own=6), _stat(renderer, zygote, own=180)],  # +81
        # the renderer burned 20 more ticks, exited and was waited for: the zygote's
        # children's times hold all its 200
        [_stat(zygote, 1, own=6, children=200)],  # +20
        [_stat(zygote, 1, own=7, children=200)],  # +1
    )
    assert [tree.ticks() for _ in range(4)] == [105, 186, 206, 207]


def test_the_renderer_reaped_after_it_was_missed_is_owed_not_added():
    """Read while the parent had not yet waited for it: the debt waits for the growth."""
    tree = _scripted(
        [_stat(10, 1, own=0), _stat(11, 10, own=50)],
        [_stat(10, 1, own=0, children=0)],  # gone from /proc before the parent's time grew
        [_stat(10, 1, own=0, children=60)],  # then its 60 (10 after the last reading)
    )
    assert [tree.ticks() for _ in range(3)] == [50, 50, 60]


def test_short_lived_children_never_seen_are_counted_by_their_parent():
    tree = _scripted(
        [_stat(10, 1, own=3)],
        [_stat(10, 1, own=3, children=40)],  # a child born and gone between readings
    )
    assert [tree.ticks() for _ in range(2)] == [3, 43]


def test_a_reused_pid_is_another_process():
    tree = _scripted(
        [_stat(10, 1, own=0), _stat(11, 10, own=50, start=100)],
        [_stat(10, 1, own=0, children=50), _stat(11, 10, own=2, start=200)],
    )
    assert [tree.ticks() for _ in range(2)] == [50, 52]


def test_an_orphan_that_leaves_the_tree_keeps_its_last_reading():
    """A process reaped outside the tree (its parent gone first): its last reading stays."""
    tree = _scripted(
        [_stat(10, 1, own=1), _stat(11, 10, own=30), _stat(12, 11, own=40)],
        [_stat(10, 1, own=1)],  # 11 and 12 gone, 11 not waited for by 10
    )
    assert [tree.ticks() for _ in range(2)] == [71, 71]


def test_watch_reads_the_tree_until_told_to_stop():
    readings: list[int] = []
    running = [True]

    def tree() -> list[Stat]:
        readings.append(1)
        return [_stat(10, 1, own=len(readings))]

    thread = TreeCpu(tree).watch(0.01, lambda: running[0])
    deadline = time.monotonic() + 10
    while len(readings) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    running[0] = False
    thread.join(timeout=10)
    assert len(readings) >= 3 and not thread.is_alive()


def test_descendants_follow_the_tree_and_skip_one_branch():
    stats = [_stat(2, 1, 0), _stat(3, 2, 0), _stat(4, 3, 0), _stat(5, 2, 0), _stat(6, 5, 0)]
    assert sorted(s.pid for s in descendants(stats, [2], skip=5)) == [2, 3, 4]


def _burner_cpu(parent: int) -> float:
    """Returns the CPU seconds of `parent`'s python child (the burner), or -1 once it has gone."""
    for stat in read_proc():
        try:
            if stat.ppid == parent and "python" in Path(f"/proc/{stat.pid}/comm").read_text():
                return stat.own / TICKS
        except OSError:  # it ended meanwhile
            continue
    return -1.0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_bench_browser_cpu_does_not_go_negative_when_a_process_of_the_tree_exits():
    """A real tree: a shell whose child burns CPU and exits while the shell lives on.

    Summing the live processes' own times (bench_browser before) lost the child's CPU once
    it had exited: the delta was about minus what it had burned at the first reading.
    """
    from bench_browser import _cpu

    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\n"
    shell = subprocess.Popen(["sh", "-c", f'{sys.executable} -c "{burn}"; sleep 5'])
    try:
        deadline = time.monotonic() + 30
        while _burner_cpu(shell.pid) < 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
        before, _ = _cpu(shell.pid)
        while _burner_cpu(shell.pid) >= 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        after, _ = _cpu(shell.pid)
    finally:
        shell.kill()
        shell.wait()
    assert after - before > 0.1  # the burner's last ~0.4 s, not minus its first 0.2 s
