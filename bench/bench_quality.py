"""Benchmark: `salesops quality` on the large demo, as a user runs it (a new process each time).

    python bench/bench_quality.py --url sqlite:////path/large.db \
        --url postgresql+psycopg://postgres@127.0.0.1/salesops_large --out results.json

For each database:
- command: `python -m salesops quality --format json` (and the default table) in a fresh
  process, `--repeat` times: wall seconds, CPU seconds and peak RSS of that process;
- phases: one fresh process timing, in turn, importing pandas and SQLAlchemy, salesops's
  modules, opening the repository, the report (the checks, counts and trend) and the report
  again, so the command's time splits into what Python's libraries cost and what the checks do;
- floors, once per run: `python -c "import pandas, sqlalchemy"` and `python -m salesops --help`.

Every command run must print the same counts (the same answer each time). The machine's
load average and yardstick (bench_browser.yardstick_s) before and after are written with the
results. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import yardstick_s  # noqa: E402

PHASES = """
import json, sys, time
t0 = time.perf_counter()
import pandas, sqlalchemy
t1 = time.perf_counter()
from salesops.cli.common import open_repository
from salesops.config import load_settings
from salesops.quality.report import quality_report
t2 = time.perf_counter()
url = sys.argv[1]
repo = open_repository(url)
settings = load_settings(url)
t3 = time.perf_counter()
quality_report(repo, None, settings, row_limit=settings.quality_rows_listed)
t4 = time.perf_counter()
quality_report(repo, None, settings, row_limit=settings.quality_rows_listed)
t5 = time.perf_counter()
print(json.dumps({"import_pandas_sqlalchemy_s": t1 - t0, "import_salesops_s": t2 - t1,
                  "open_repository_s": t3 - t2, "report_first_s": t4 - t3,
                  "report_again_s": t5 - t4}))
"""


def _run(args: list[str]) -> tuple[float, float, float, str]:
    """Returns (wall s, CPU s, peak RSS MB, stdout) of one fresh process running `args`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this process's own CPU and peak RSS
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{tail}")
        text = out.read().decode()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def _summary(runs: list[float]) -> dict:
    """Returns the median, min and max of `runs` (seconds), rounded."""
    return {
        "median": round(statistics.median(runs), 3),
        "min": round(min(runs), 3),
        "max": round(max(runs), 3),
        "runs": [round(r, 3) for r in runs],
    }


def _command(url: str, fmt: str, repeat: int) -> dict:
    """Returns the command's wall and CPU seconds over `repeat` fresh processes, and its counts."""
    args = [sys.executable, "-m", "salesops", "quality", "--url", url, "--format", fmt]
    walls, cpus, rss, answers = [], [], 0.0, set()
    _run(args)  # once first: the OS's file cache and Python's bytecode, as a user's second run
    for _ in range(repeat):
        wall, cpu, peak, out = _run(args)
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
        if fmt == "json":
            report = json.loads(out)
            answers.add(json.dumps({c["key"]: c["count"] for c in report["checks"]}))
        else:
            answers.add(out)
    if len(answers) != 1:
        raise SystemExit(f"quality gave {len(answers)} different answers on {url}")
    result = {"wall_s": _summary(walls), "cpu_s": _summary(cpus), "peak_rss_mb": round(rss, 1)}
    if fmt == "json":
        result["counts"] = json.loads(answers.pop())
    return result


def _phases(url: str) -> dict:
    """Returns one fresh process's seconds per phase (imports, open, report, report again)."""
    _, _, _, out = _run([sys.executable, "-c", PHASES, url])
    return {k: round(v, 3) for k, v in json.loads(out).items()}


def _floors(repeat: int) -> dict:
    """Returns the wall seconds of importing pandas and SQLAlchemy, and of `salesops --help`."""
    floors = {
        "import_pandas_sqlalchemy": [sys.executable, "-c", "import pandas, sqlalchemy"],
        "salesops_help": [sys.executable, "-m", "salesops", "--help"],
    }
    return {name: _summary([_run(args)[0] for _ in range(repeat)]) for name, args in floors.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeat).")
    parser.add_argument("--repeat", type=int, default=5, help="Fresh processes per measure.")
    parser.add_argument("--out", help="Write the results as JSON to this file.")
    args = parser.parse_args()
    results: dict = {"load_average_before": os.getloadavg(), "yardstick_s_before": yardstick_s()}
    results["floors"] = _floors(args.repeat)
    print(f"floors: {json.dumps(results['floors'])}", flush=True)
    results["databases"] = {}
    for url in args.url:
        name = url.split(":")[0].split("+")[0]
        row = {
            "json": _command(url, "json", args.repeat),
            "table": _command(url, "table", args.repeat),
            "phases": _phases(url),
        }
        results["databases"][name] = row
        wall, cpu = row["json"]["wall_s"], row["json"]["cpu_s"]
        print(
            f"{name:10} quality --format json: wall {wall['median']:.2f} s "
            f"({wall['min']:.2f}-{wall['max']:.2f}), CPU {cpu['median']:.2f} s, "
            f"peak RSS {row['json']['peak_rss_mb']} MB; "
            f"table {row['table']['wall_s']['median']:.2f} s; phases {row['phases']}",
            flush=True,
        )
    results["load_average_after"] = os.getloadavg()
    results["yardstick_s_after"] = yardstick_s()
    load = (results["load_average_before"][0], results["load_average_after"][0])
    print(
        f"load {load[0]:.2f} -> {load[1]:.2f}, yardstick {results['yardstick_s_before']} s "
        f"before, {results['yardstick_s_after']} s after"
    )
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
