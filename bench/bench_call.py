"""Benchmark: the quarter call with 8 quarters of track record, cold and cached, and its
week-by-week evolution, at the large demo scale.

    python bench/bench_call.py --url sqlite:////work/large/large.db \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/salesops_large \
        --out bench/results/call-large.json

cold:   call_report on a fresh Repository (engine created, first statement compiles included)
warm:   the median of three more call_report calls on the same engine (what a page pays when
        its cache entry has expired)
cpu_s:  this process's CPU seconds of the same calls (the machine is shared: wall times
        include waiting for a core; on PostgreSQL the server's work is not in it)
cached: what a page rerun does with the cached CallReport: the reconciled panel and the JSON
evolution: call_evolution (the call at every week of the quarter so far)
rollup_by_territory: call_report(by="territory"), the roll-up with each territory's track record
rollup_by_team: call_report(by="team"), the same per manager
--baseline also times the company call on the history spans alone (the rollups bypassed, what
the call cost before them). The load average is recorded before and after each database.
Reads only; the database is not changed. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


CPU: dict[str, float] = {}  # process CPU seconds of the last _timed call per label


def _timed(fn, *args, label: str = "", **kwargs) -> tuple[float, object]:
    started, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    CPU[label] = round(time.process_time() - cpu, 3)
    return time.perf_counter() - started, value


def _load() -> str:
    """Returns the 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


class _SpansOnly:
    """Wraps a Repository so the call reads the history spans only (rollup=False)."""

    def __init__(self, repo) -> None:
        self._repo = repo

    def __getattr__(self, name: str):
        attr = getattr(self._repo, name)
        if name in ("call_snapshots", "call_won_by_day"):
            return lambda *a, **k: attr(*a, **k, rollup=False)
        return attr


def bench(url: str, evolution: bool, baseline: bool = False) -> dict:
    """Returns the timings and the call's headline numbers on one database."""
    from salesops.call.reconcile import ProphetView, reconciled_panel
    from salesops.call.report import call_evolution, call_report
    from salesops.call.summary import report_json
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    load_before = _load()
    repo = Repository(make_engine(url, read_only=True))
    cold, report = _timed(call_report, repo, label="cold")
    warm = statistics.median(_timed(call_report, repo)[0] for _ in range(3))
    cached = statistics.median(
        _timed(
            lambda: (
                reconciled_panel(report, ProphetView(None, None, None), "USD"),
                report_json(report),
            )
        )[0]
        for _ in range(5)
    )
    rollup, _ = _timed(call_report, repo, by="territory", label="rollup_by_territory")
    team, _ = _timed(call_report, repo, by="team", label="rollup_by_team")
    out = {
        "url": url.split("@")[-1],
        "quarter": report.quarter.label,
        "as_of": report.as_of.isoformat(),
        "day": report.day,
        "call": report.company.call.projection,
        "mean_abs_error": report.company.mean_abs_errors(),
        "cold_s": round(cold, 3),
        "warm_s": round(warm, 3),
        "cached_s": round(cached, 4),
        "rollup_by_territory_s": round(rollup, 3),
        "rollup_by_team_s": round(team, 3),
    }
    if evolution:
        seconds, frame = _timed(call_evolution, repo, label="evolution")
        out["evolution_s"] = round(seconds, 3)
        out["evolution_weeks"] = len(frame)
    if baseline:
        spans = _SpansOnly(Repository(make_engine(url, read_only=True)))
        seconds, slow = _timed(call_report, spans)
        out["baseline_spans_only_cold_s"] = round(seconds, 3)
        out["baseline_same_call"] = slow.company.call.projection == report.company.call.projection
    timed = ("cold", "rollup_by_territory", "rollup_by_team", "evolution")
    out["cpu_s"] = {k: CPU[k] for k in timed if k in CPU}
    out["load_average_before"] = load_before
    out["load_average_after"] = _load()
    return out


def main() -> None:
    """Runs the benchmark on each --url and prints (or writes) the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--out")
    parser.add_argument("--no-evolution", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    results = [bench(url, not args.no_evolution, args.baseline) for url in args.url]
    text = json.dumps(results, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
