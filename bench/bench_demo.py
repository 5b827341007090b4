"""Benchmark: where the demo build's time goes, phase by phase (wall and CPU seconds).

    python bench/bench_demo.py --scale medium --url sqlite:////tmp/build/medium.db
    python bench/bench_demo.py --scale large --url postgresql+psycopg://postgres@127.0.0.1/x

Runs generate_demo and stamps every progress message (each starts a phase: generation
steps, one write per table, indexes, rollups, forecasts), each rollup statement and the
forecast fits, with wall and this process's CPU seconds. With --profile FILE a cProfile of
the whole build is written there. The database's content is replaced. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stamps:
    """Wall and CPU seconds between consecutive named marks."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self._label = "start"
        self._wall = time.perf_counter()
        self._cpu = _cpu()

    def mark(self, label: str) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        self.rows.append(
            {
                "phase": self._label,
                "wall_s": round(wall - self._wall, 2),
                "cpu_s": round(cpu - self._cpu, 2),
            }  # fmt: skip
        )
        self._label, self._wall, self._cpu = label, wall, cpu


MARKED = ("INSERT INTO rollup_", "CREATE INDEX", "CREATE TEMP")


def _watch_rollups(stamps: Stamps) -> None:
    """Marks each rollup statement (the INSERT … SELECT of each table) as its own phase."""
    from sqlalchemy import event

    from salesops.db import engine as engine_module

    original = engine_module.make_engine

    def make_engine(url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        eng = original(url, **kwargs)  # type: ignore[arg-type]

        @event.listens_for(eng, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            text = " ".join(statement.split())[:60]
            if text.startswith(MARKED):
                stamps.mark("sql: " + text)

        @event.listens_for(eng, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            # what runs between two marked statements (Python work, unmarked SQL) is its own
            # phase, not counted in the statement before it
            text = " ".join(statement.split())[:60]
            if text.startswith(MARKED):
                stamps.mark("after: " + text)

        return eng

    engine_module.make_engine = make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", required=True)
    parser.add_argument("--profile", help="write a cProfile of the build to this file")
    parser.add_argument("--out", help="write the phases as JSON to this file")
    parser.add_argument("--statements", action="store_true", help="mark each rollup statement")
    parser.add_argument(
        "--no-helper",
        action="store_true",
        help="rollups on one connection (the helper thread's statements would share the marks)",
    )
    parser.add_argument(
        "--log", action="store_true", help="log the refresh's rows and seconds per rollup"
    )
    args = parser.parse_args()
    if args.log:
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        logging.getLogger("salesops.db.rollups").setLevel(logging.INFO)

    stamps = Stamps()
    if args.no_helper:
        from salesops.db import rollup_helper

        rollup_helper.can_help = lambda engine: False
    if args.statements:
        _watch_rollups(stamps)
    from salesops.db import engine as engine_module
    from salesops.demo import generate_demo

    engine = engine_module.make_engine(args.url)
    started_wall, started_cpu = time.perf_counter(), _cpu()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    counts = generate_demo(engine, args.scale, args.seed, progress=lambda f, m: stamps.mark(m))
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    stamps.mark("end")
    total_wall, total_cpu = time.perf_counter() - started_wall, _cpu() - started_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in stamps.rows:
        share = 100 * float(row["wall_s"]) / total_wall  # type: ignore[arg-type]
        print(f"{row['wall_s']:>8} s wall {row['cpu_s']:>8} s cpu {share:5.1f}%  {row['phase']}")
    print(f"total {total_wall:.1f} s wall, {total_cpu:.1f} s cpu, peak {peak_mb:,.0f} MB")
    print(json.dumps(counts))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "url": args.url,
                    "wall_s": round(total_wall, 1),
                    "cpu_s": round(total_cpu, 1),
                    "peak_mb": round(peak_mb),
                    "phases": stamps.rows,
                },  # fmt: skip
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
