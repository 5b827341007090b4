"""Benchmark: a full rollup refresh (what a demo build ends with), with and without the helper.

    flock /tmp/bench.lock python bench/bench_refresh.py --url sqlite:////work/large/me.db \
        --modes alone,helper

Runs `refresh_rollups` on the database once per mode ("alone": one connection; "helper":
a second connection computes some rollups meanwhile, salesops.db.rollup_helper), printing
one JSON line per run: wall seconds, this process's CPU seconds (on PostgreSQL the work is
the server's), the load average before and after, and the seconds of each rollup as the
refresh logs them. It rewrites every rollup table: run it on a copy. Not a test.
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class _Seconds(logging.Handler):
    """Keeps the per-rollup seconds `rebuild_rollups` / `refresh_rollups` log."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Rollups rebuilt") and len(record.args or ()) >= 2:
            seconds = record.args[1]  # type: ignore[index]
            self.seconds = dict(seconds if isinstance(seconds, dict) else ast.literal_eval(seconds))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Refreshes the rollups once per mode and prints the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--modes", default="alone,helper")
    args = parser.parse_args()
    from salesops.db.engine import make_engine
    from salesops.db.rollups import refresh_rollups

    handler = _Seconds()
    logger = logging.getLogger("salesops.db.rollups")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    engine = make_engine(args.url)
    for mode in args.modes.split(","):
        load_before = [round(x, 2) for x in os.getloadavg()]
        started, cpu = time.perf_counter(), _cpu()
        refresh_rollups(engine, helper=mode == "helper")
        run = {
            "url": args.url.split("@")[-1],
            "mode": mode,
            "wall_s": round(time.perf_counter() - started, 1),
            "cpu_s": round(_cpu() - cpu, 1),
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "seconds": handler.seconds,
        }
        print(json.dumps(run), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
