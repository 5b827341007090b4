"""Where an import's memory goes: RSS sampled with the code running, phase by phase.

    python bench/import_rss.py sqlite:////tmp/x.db /tmp/opportunities.csv first

Runs one import in this process (modes as bench/bench_import.py: first, force, history)
while a thread samples, every 0.25 s, the RSS, the C heap in use and free (glibc's
mallinfo2), SQLite's own allocations, Arrow's pool (pandas' text columns) and the main
thread's innermost salesops frames. Prints the highest RSS per code location and a
timeline. No tracer: the import runs at its usual speed. Linux with glibc only. Not a test.
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import sys
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INTERVAL = 0.25


_MALLINFO2 = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
              "fordblks", "keepcost")  # fmt: skip


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2]


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Sampler:
    """Samples memory and the main thread's salesops frames until stopped."""

    def __init__(self) -> None:
        self.libc = ctypes.CDLL("libc.so.6")
        self.libc.mallinfo2.restype = _MallInfo2
        self.sqlite = ctypes.CDLL("libsqlite3.so.0")
        self.sqlite.sqlite3_memory_used.restype = ctypes.c_int64
        self.samples: list[tuple[float, float, list[str], str]] = []
        self.main = threading.main_thread().ident
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _parts(self) -> str:
        import pyarrow

        heap = self.libc.mallinfo2()
        return (
            f"arrow={pyarrow.default_memory_pool().bytes_allocated() / 1e6:.0f} "
            f"heap_used={(heap.uordblks + heap.hblkhd) / 1e6:.0f} "
            f"heap_free={heap.fordblks / 1e6:.0f} "
            f"sqlite={self.sqlite.sqlite3_memory_used() / 1e6:.0f}"
        )

    def _run(self) -> None:
        while not self.stopped.is_set():
            frame = sys._current_frames().get(self.main or 0)
            stack = traceback.extract_stack(frame) if frame else []
            ours = [
                f"{Path(f.filename).name}:{f.name}:{f.lineno}"
                for f in stack
                if "salesops" in f.filename
            ]
            self.samples.append((time.perf_counter(), _rss_mb(), ours[-3:], self._parts()))
            time.sleep(INTERVAL)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def report(self, started: float, every: float = 2.0) -> None:
        """Prints the highest RSS per code location, then the timeline every `every` s."""
        by_place: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for _, rss, frames, _ in self.samples:
            place = " < ".join(reversed(frames))
            by_place[place][0] += INTERVAL
            by_place[place][1] = max(by_place[place][1], rss)
        for place, (seconds, rss) in sorted(by_place.items(), key=lambda kv: -kv[1][1])[:20]:
            print(f"{rss:7.0f} MB {seconds:6.1f} s  {place}")
        last = -every
        for at, rss, frames, parts in self.samples:
            if at - last >= every:
                print(
                    f"t={at - started:6.1f} rss={rss:6.0f} {parts} {frames[-1] if frames else ''}"
                )
                last = at


def main() -> None:
    """Imports the file into the database with the sampler running, then prints its report."""
    url, csv_path, mode = sys.argv[1:4]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from bench_import import import_csv  # the benchmark's own import of the file

    started = time.perf_counter()
    with Sampler() as sampler:
        outcome = import_csv(url, csv_path, mode)
    print(outcome.message)
    sampler.report(started)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"wall {time.perf_counter() - started:.1f} s, cpu {usage.ru_utime + usage.ru_stime:.1f} s,"
        f" peak RSS {usage.ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
