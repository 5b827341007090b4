"""Benchmark: what each rollup of `rebuild_rollups`' plan costs to rebuild in full.

    flock /tmp/bench.lock /usr/bin/time -v python bench/bench_rollup_steps.py \
        --url sqlite:////tmp/me/large.db

Runs every step of salesops.db.rollup_steps.plan() in order inside one transaction (as an
import does), timing each (wall seconds, and this process's CPU seconds: on PostgreSQL the
work is the server's, whose backend's CPU seconds are read from /proc when the server runs
on this machine), then rolls the transaction back: the database is left as it was, but run
it on a copy (it writes). Prints one JSON document: per step the table, the tables it reads,
rows, wall and CPU seconds (and the server's); the load average before and after. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesops.db import rollup_steps  # noqa: E402
from salesops.db.engine import make_engine  # noqa: E402
from salesops.importing.memory import postgres_work_mem  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu(conn) -> float | None:  # type: ignore[no-untyped-def]
    """Returns the PostgreSQL backend's CPU seconds so far (None: not PostgreSQL or not here)."""
    if conn.dialect.name != "postgresql":
        return None
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Times each rollup step and prints the measurements as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--only", nargs="*", help="rollup tables to time (default: all)")
    parser.add_argument("--cache-kib", type=int, default=65_536, help="SQLite page cache")
    args = parser.parse_args()
    engine = make_engine(args.url)
    steps = rollup_steps.plan()
    load_before = os.getloadavg()
    results = []
    with engine.connect() as conn:
        trans = conn.begin()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA cache_size=-{args.cache_kib}")  # an import: 65,536
        postgres_work_mem(conn)  # the memory refresh_rollups gives PostgreSQL (else 4 MB)
        for step in steps:
            if args.only and step.table.name not in args.only:
                continue
            started, cpu_started, server_started = time.perf_counter(), cpu(), server_cpu(conn)
            rows = rollup_steps.run_step(conn, step)
            server_now = server_cpu(conn)
            results.append(
                {
                    "table": step.table.name,
                    "reads": sorted(step.reads),
                    "rows": rows,
                    "seconds": round(time.perf_counter() - started, 2),
                    "cpu_seconds": round(cpu() - cpu_started, 2),
                    "server_cpu_seconds": None
                    if server_now is None or server_started is None
                    else round(server_now - server_started, 2),
                    "load": round(os.getloadavg()[0], 1),
                }
            )
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        trans.rollback()
    engine.dispose()
    print(
        json.dumps(
            {
                "url": args.url.split("@")[-1],
                "steps": results,
                "total_seconds": round(sum(r["seconds"] for r in results), 1),
                "load_before": [round(x, 1) for x in load_before],
                "load_after": [round(x, 1) for x in os.getloadavg()],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
