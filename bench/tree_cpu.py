"""CPU seconds of a process tree that never go backwards when processes in it exit.

Summing each live process's utime + stime (/proc/PID/stat) loses an exited process's whole
CPU: a chromium renderer that closes between two readings made a warm tab's "browser CPU"
negative (-0.46, -1.84 s). `TreeCpu` keeps, per process ever seen (pid and start time), its
last own reading, and adds what a parent's children's times (cutime + cstime: the CPU of
children it has waited for, chromium's zygote for its renderers) grew by beyond the exited
children already counted. Its reading is a sum of per-process maxima and of increments
clamped at zero, so it never decreases: a delta between two readings is >= 0.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    """One process's /proc/PID/stat fields this module uses (times in clock ticks)."""

    pid: int
    ppid: int
    start: int  # clock ticks after boot: with pid, tells a reused pid from the process before
    own: int  # utime + stime
    children: int  # cutime + cstime: the children it has waited for


def parse_stat(pid: int, text: str) -> Stat:
    """Returns the Stat in the text of /proc/PID/stat (the name may hold spaces and ')')."""
    fields = text.rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3 of proc(5)): field n is fields[n - 3]
    return Stat(
        pid=pid,
        ppid=int(fields[1]),
        start=int(fields[19]),
        own=int(fields[11]) + int(fields[12]),
        children=int(fields[13]) + int(fields[14]),
    )


def read_proc() -> list[Stat]:
    """Returns the Stat of every process running now (those that end meanwhile left out)."""
    stats = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats.append(parse_stat(int(path.parent.name), path.read_text()))
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return stats


def descendants(stats: Iterable[Stat], roots: Iterable[int], skip: int = -1) -> list[Stat]:
    """Returns the Stats of `roots` and all their descendants, `skip` and its own aside."""
    by_parent: dict[int, list[Stat]] = {}
    by_pid = {}
    for stat in stats:
        by_parent.setdefault(stat.ppid, []).append(stat)
        by_pid[stat.pid] = stat
    found: list[Stat] = []
    todo = [by_pid[pid] for pid in roots if pid in by_pid and pid != skip]
    while todo:
        stat = todo.pop()
        found.append(stat)
        todo.extend(child for child in by_parent.get(stat.pid, []) if child.pid != skip)
    return found


@dataclass
class _Seen:
    ppid: int
    own: int  # utime + stime, its highest reading
    children: int  # cutime + cstime, its highest reading
    alive: bool = True


@dataclass
class TreeCpu:
    """CPU seconds of a changing set of processes (those `tree()` returns), never decreasing.

    `tree` returns the Stats of the processes to count now (e.g. a server and its
    descendants). Each `seconds()` reads them once: own times of every process seen (an
    exited one's last reading kept), plus the growth of each one's children's times beyond
    the exited children it owes (their last own + children readings, counted already). What a
    child did after its last reading, or a child never seen (born and gone between two
    readings), shows up in that growth, but only once the parent has waited for it, which
    may be a reading later: `watch` reads every fraction of a second so that a process
    living longer than that is seen (its CPU then counted by its own readings, as it runs).
    """

    tree: Callable[[], list[Stat]]
    _seen: dict[tuple[int, int], _Seen] = field(default_factory=dict)
    _credited: int = 0  # children's times counted (growth beyond what was owed)
    _owed: dict[tuple[int, int], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ticks(self) -> int:
        """Returns the clock ticks counted so far (see the class)."""
        with self._lock:
            return self._read()

    def _read(self) -> int:
        now = {(s.pid, s.start): s for s in self.tree()}
        live = {key[0]: key for key in now}
        for key, seen in self._seen.items():
            if seen.alive and key not in now:
                seen.alive = False
                parent = live.get(seen.ppid)
                if parent is not None and parent in self._seen:
                    # its parent's children's times grow by its whole CPU once it is waited for
                    self._owed[parent] = self._owed.get(parent, 0) + seen.own + seen.children
        for key, stat in now.items():
            seen = self._seen.get(key)
            if seen is None:
                self._seen[key] = _Seen(ppid=stat.ppid, own=stat.own, children=stat.children)
                self._credited += stat.children
                continue
            grown = max(0, stat.children - seen.children)
            owed = self._owed.pop(key, 0)
            self._credited += max(0, grown - owed)
            if owed > grown:
                self._owed[key] = owed - grown
            seen.own = max(seen.own, stat.own)
            seen.children = max(seen.children, stat.children)
            seen.ppid = stat.ppid
        return sum(seen.own for seen in self._seen.values()) + self._credited

    def seconds(self) -> float:
        """Returns the CPU seconds (user + system) counted so far: `ticks()` in seconds."""
        return self.ticks() / TICKS

    def watch(self, interval: float, while_true: Callable[[], bool]) -> threading.Thread:
        """Reads the tree every `interval` s in a daemon thread while `while_true()`; returns it."""

        def loop() -> None:
            while while_true():
                self.ticks()
                time.sleep(interval)

        thread = threading.Thread(target=loop, name="tree cpu", daemon=True)
        thread.start()
        return thread
