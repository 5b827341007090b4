"""Benchmark: import throughput (rows/s) and peak memory for a large opportunities CSV.

    python bench/bench_import.py --rows 1000000 \
        --url sqlite:////tmp/bench_import.db --url postgresql+psycopg://postgres@127.0.0.1/bench

Generates a Salesforce-style opportunities CSV (seeded, written in chunks so the generator
never holds it whole), then for each database URL imports it in a fresh subprocess (so the
peak RSS is the import's own): empty schema -> `import_files` (scan pass + validate-and-write
pass in one transaction + rollup refresh). A second, forced run of the same file measures the
re-import (upsert) path, where every row is checked and none changes. With
`--history-per-deal N` an OpportunityHistory export of N rows per deal is imported last
(it replaces the history the deals' import inferred). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from salesops.importing.report import ImportOutcome

HEADER = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Opportunity Owner",
    "Created Date",
    "Close Date",
    "Stage",
    "Amount",
]
STAGES = [
    "Prospecting",
    "Qualification",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]


def generate(path: Path, rows: int, seed: int = 7, chunk: int = 100_000) -> None:
    """Writes `rows` opportunities to `path` in chunks (1,000 accounts, 200 owners, 5 years)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-01")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            created = start + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
            close = created + pd.to_timedelta(rng.integers(5, 200, n), unit="D")
            frame = pd.DataFrame(
                {
                    "id": [f"006{offset + i:012d}" for i in range(n)],
                    "name": [f"Deal {offset + i}" for i in range(n)],
                    "account": [f"Account {a}" for a in rng.integers(0, 1000, n)],
                    "owner": [f"Rep {r}" for r in rng.integers(0, 200, n)],
                    "created": created.strftime("%m/%d/%Y"),
                    "close": close.strftime("%m/%d/%Y"),
                    "stage": rng.choice(STAGES, n, p=[0.05, 0.05, 0.05, 0.05, 0.3, 0.5]),
                    "amount": rng.integers(100, 200_000, n),
                }
            )
            frame.to_csv(out, header=False, index=False)


HISTORY_HEADER = ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate"]
OPEN_PATH = STAGES[:4]


def generate_history(deals_csv: Path, path: Path, per_deal: int = 5, chunk: int = 100_000) -> int:
    """Writes an OpportunityHistory export (API names, ISO times) for the deals of `deals_csv`.

    Each deal gets `per_deal` rows: the open stages in order from its created date, then its
    final stage at its close date (open deals stay in their stage). Returns the rows written.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(11)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HISTORY_HEADER) + "\n")
        for deals in pd.read_csv(deals_csv, chunksize=chunk, dtype=str):
            created = pd.to_datetime(deals["Created Date"], format="%m/%d/%Y")
            close = pd.to_datetime(deals["Close Date"], format="%m/%d/%Y")
            span = (close - created).dt.days.to_numpy()
            frames = []
            for step in range(per_deal):
                last = step == per_deal - 1
                offset = span if last else (span * step) // per_deal
                seconds = rng.integers(0, 86_400, len(deals))
                when = created + pd.to_timedelta(offset, unit="D")
                when += pd.to_timedelta(seconds, unit="s")
                stage = deals["Stage"] if last else OPEN_PATH[min(step, len(OPEN_PATH) - 1)]
                frames.append(
                    pd.DataFrame(
                        {
                            "id": [
                                f"008{written + step * len(deals) + i:012d}"
                                for i in range(len(deals))
                            ],
                            "deal": deals["Opportunity ID"].to_numpy(),
                            "at": when.dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                            "stage": stage,
                            "amount": deals["Amount"].to_numpy(),
                            "close": close.dt.strftime("%Y-%m-%d"),
                        }
                    )
                )
            rows = pd.concat(frames).sort_values(["deal", "at"], kind="stable")
            rows.to_csv(out, header=False, index=False)
            written += len(rows)
    return written


def import_csv(url: str, csv_path: str, mode: str) -> ImportOutcome:
    """Imports the CSV into `url` as the benchmark does; returns the import's outcome.

    `mode`: "first" (deals into an empty database), "force" (the same file again, every row
    checked, none changed) or "history" (an OpportunityHistory export of those deals).
    """
    from salesops.db.engine import init_schema, make_engine
    from salesops.importing.plan import ValidationContext
    from salesops.importing.reading import CsvInput, ReadSettings
    from salesops.importing.report import import_files

    engine = make_engine(url)
    init_schema(engine)
    history = mode == "history"
    # the deals' export is US-dated; the history export has ISO times (detected)
    settings = ReadSettings(
        max_bytes=None, max_rows=None, date_format=None if history else "%m/%d/%Y"
    )
    return import_files(
        engine,
        [CsvInput.from_path(csv_path)],
        "salesforce-opportunity-history" if history else "salesforce-opportunities",
        settings=settings,
        context=ValidationContext(),
        force=mode == "force",
    )


def own_peak_rss_mb() -> int:
    """Returns this process's peak resident memory in MiB, its own only.

    ru_maxrss is not: Linux carries the parent's resident size at fork across exec, so a
    child of the parent that generated the CSVs (~500 MiB of pandas) reported at least that
    much even for an import that read nothing. VmHWM is the new image's own high-water mark.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_one(url: str, csv_path: str, mode: str) -> dict:
    """Imports the CSV into `url` (this process, import_csv) and returns timings and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    thread_before = time.thread_time()
    started = time.perf_counter()
    outcome = import_csv(url, csv_path, mode)
    seconds = time.perf_counter() - started
    main_thread_cpu = time.thread_time() - thread_before
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rows = outcome.report.rows_read
    return {
        "written": outcome.written,
        "message": outcome.message,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds) if seconds else None,
        # this process's CPU (the import's; PostgreSQL's server work is not in it): on a
        # shared machine the wall time depends on the load, the CPU time much less
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime - cpu_before, 1),
        # the import's own thread's: with work in other threads beside it, the wall time on
        # an idle machine is about this (the other threads' CPU is in cpu_seconds too)
        "main_thread_cpu_seconds": round(main_thread_cpu, 1),
        "peak_rss_mb": own_peak_rss_mb(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def reset(url: str) -> None:
    """Empties the target database (drops every salesops table)."""
    from salesops.db import schema
    from salesops.db.engine import make_engine

    engine = make_engine(url)
    schema.metadata.drop_all(engine)
    engine.dispose()


def main() -> None:
    """Generates the CSV and imports it into each URL, printing one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--csv", default="/tmp/salesops_bench_opportunities.csv")
    parser.add_argument("--history-per-deal", type=int, default=0, help="then history rows")
    parser.add_argument("--modes", default="first,force", help="runs per URL, in order")
    parser.add_argument("--out", help="also write the runs to this JSON file (with the commit)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, csv_path, mode = args.child
        print(json.dumps(run_one(url, csv_path, mode)))
        return
    csv_path = Path(args.csv)
    if not csv_path.exists() or sum(1 for _ in csv_path.open()) - 1 != args.rows:
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(
            f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
    history_path = csv_path.with_name(csv_path.stem + "_history.csv")
    wanted = args.rows * args.history_per_deal
    if args.history_per_deal and not (
        history_path.exists() and sum(1 for _ in history_path.open()) - 1 == wanted
    ):
        started = time.perf_counter()
        rows = generate_history(csv_path, history_path, args.history_per_deal)
        print(f"generated {rows:,} history rows in {time.perf_counter() - started:.1f} s")
    modes = args.modes.split(",") + (["history"] if args.history_per_deal else [])
    runs: list[dict] = []
    for url in args.url:
        if modes[0] == "first":
            reset(url)
        for mode in modes:
            path = history_path if mode == "history" else csv_path
            result = subprocess.run(
                [sys.executable, __file__, "--url", url, "--child", url, str(path), mode],
                capture_output=True,
                text=True,
                check=False,
            )
            line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "{}"
            runs.append({"url": url.split("@")[-1], "run": mode, **json.loads(line)})
            print(json.dumps(runs[-1]), flush=True)
            if result.returncode:
                print(result.stderr[-2000:], file=sys.stderr)
    if args.out:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        document = {
            "what": __doc__.splitlines()[0],
            "rows": args.rows,
            "history_per_deal": args.history_per_deal,
            "commit": commit[:120],
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "runs": runs,
        }
        Path(args.out).write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
