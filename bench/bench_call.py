"""Benchmark: the quarter call with 8 quarters of track record, cold and cached, and its
week-by-week evolution, for every way a user asks for it, at the large demo scale.

    flock /tmp/bench.lock /usr/bin/time -v python bench/bench_call.py \
        --url sqlite:////work/large/large.db \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/salesops_large \
        --out bench/results/call-large.json

Variants (each as `salesops call` and the pages ask for it, resolve_scope):
company    the whole company (no filter)
team       `--team T` / the team filter: the reps of the manager with the most reps
territory  `--territory ID` / the territory filter: the territory with the most reps
rep        the rep filter (a signed-in rep sees the same): the rep in post with the most
           deals (the slowest one-rep call); rep_median: the one with the median number
by_team, by_territory  `--by team|territory`: the company call with every unit's call and
           track record (the roll-up)

For each variant:
cold       call_report on a fresh Repository (engine created, first statement compiles included)
warm       the median of two more call_report calls on the same engine (a cache entry expired)
cached     what a page rerun does with the cached CallReport: the reconciled panel, the track
           record rows and the roll-up table (json: `--format json`'s report_json, for the CLI)
evolution  call_evolution (the call at every week of the quarter so far) on a fresh Repository
           (not for the roll-ups: the evolution is drawn for the page's scope)
Every timing has wall seconds, this process's CPU seconds and, on PostgreSQL, the server
backends' CPU seconds (from /proc: the server runs on this machine), and the load average
before it. --baseline also times the company call on the history spans alone (the rollups
bypassed, what the call cost before them). Reads only; the database is not changed. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICKS = os.sysconf("SC_CLK_TCK")


def _load() -> str:
    """Returns the 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


def _pid_cpu(pid: int) -> float:
    """Returns a process's user + system CPU seconds (0 when it is gone or unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


class _Engine:
    """A fresh read-only Repository whose PostgreSQL backends' CPU can be read from /proc."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import event

        from salesops.db.engine import make_engine
        from salesops.repository import Repository

        self.engine = make_engine(url, read_only=True)
        self.backends: list[int] = []
        if self.engine.dialect.name == "postgresql":

            @event.listens_for(self.engine, "connect")
            def _note(dbapi_conn, _record) -> None:
                self.backends.append(int(dbapi_conn.info.backend_pid))

        self.repo = Repository(self.engine)

    def server_cpu(self) -> float:
        """Returns the CPU seconds of every server backend this engine opened so far."""
        return sum(_pid_cpu(pid) for pid in self.backends)


def _timed(engine: _Engine, fn, *args, **kwargs) -> tuple[dict, object]:
    """Returns ({wall_s, cpu_s, server_cpu_s, load}, fn(*args, **kwargs))."""
    load, server = _load(), engine.server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    out = {
        "wall_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }
    if engine.backends:
        out["server_cpu_s"] = round(engine.server_cpu() - server, 3)
    out["load"] = load
    return out, value


def _scopes(url: str) -> dict[str, tuple[object, dict]]:
    """Returns each variant's (ReviewScope, call_report keywords)."""
    from salesops.pipeline_review.scope import COMPANY, resolve_scope

    repo = _Engine(url).repo
    reps, territories = repo.reps(), repo.territories()
    team = reps["manager"].value_counts().index[0]
    territory = int(reps["territory_id"].value_counts().index[0])
    ranked = _reps_by_deals(repo)
    return {
        "company": (COMPANY, {}),
        "team": (resolve_scope("team", team, reps, territories), {}),
        "territory": (resolve_scope("territory", territory, reps, territories), {}),
        "rep": (resolve_scope("rep", ranked[0], reps, territories), {}),
        "rep_median": (resolve_scope("rep", ranked[len(ranked) // 2], reps, territories), {}),
        "by_team": (COMPANY, {"by": "team"}),
        "by_territory": (COMPANY, {"by": "territory"}),
    }


def _reps_by_deals(repo) -> list[int]:
    """Returns the ids of the reps still in post, most deals first."""
    from sqlalchemy import func, select

    from salesops.db import schema as s

    o, r = s.opportunities.c, s.reps.c
    stmt = (
        select(o.rep_id)
        .where(o.rep_id.in_(select(r.id).where(r.end_date.is_(None))))
        .group_by(o.rep_id)
        .order_by(func.count().desc(), o.rep_id)
    )
    with repo.engine.connect() as conn:
        return [int(r) for r in conn.execute(stmt).scalars()]


def _variant(url: str, scope, kwargs: dict, evolution: bool) -> dict:
    """Returns one variant's timings and headline numbers."""
    from salesops.call.reconcile import ProphetView, reconciled_panel
    from salesops.call.report import call_evolution, call_report
    from salesops.call.summary import report_json, table_frame, track_rows

    args = {"scope": scope.repository_scope, "scope_label": scope.label, **kwargs}
    engine = _Engine(url)
    cold, report = _timed(engine, call_report, engine.repo, **args)
    warm = [_timed(engine, call_report, engine.repo, **args)[0] for _ in range(2)]

    def render():  # what the pages draw from the cached report
        reconciled_panel(report, ProphetView(None, None, None), "USD")
        track_rows(report.company.track)
        return table_frame(report)

    cached = statistics.median(_timed(engine, render)[0]["wall_s"] for _ in range(5))
    as_json = statistics.median(_timed(engine, report_json, report)[0]["wall_s"] for _ in range(5))
    out = {
        "scope": scope.label,
        "rep_ids": len(scope.rep_ids),
        "units": len(report.units),
        "call": report.company.call.projection,
        "mean_abs_error": report.company.mean_abs_errors(),
        "cold": cold,
        "warm_wall_s": statistics.median(w["wall_s"] for w in warm),
        "cached_wall_s": round(cached, 4),
        "json_wall_s": round(as_json, 4),
    }
    if evolution and not kwargs:
        fresh = _Engine(url)
        timing, frame = _timed(fresh, call_evolution, fresh.repo, scope=scope.repository_scope)
        out["evolution"] = timing | {"weeks": len(frame)}
    return out


def bench(url: str, evolution: bool, only: list[str] | None, baseline: bool = False) -> dict:
    """Returns every variant's timings on one database."""
    from salesops.call.report import call_report

    out: dict = {"url": url.split("@")[-1], "load_average_before": _load()}
    for name, (scope, kwargs) in _scopes(url).items():
        if only and name not in only:
            continue
        out[name] = _variant(url, scope, kwargs, evolution)
        print(name, json.dumps(out[name]), file=sys.stderr, flush=True)
    if baseline:
        engine = _Engine(url)
        spans = _SpansOnly(engine.repo)
        timing, slow = _timed(engine, call_report, spans)
        out["baseline_spans_only_company_cold"] = timing
        out["baseline_same_call"] = slow.company.call.projection == out["company"]["call"]
    out["load_average_after"] = _load()
    return out


class _SpansOnly:
    """Wraps a Repository so the call reads the history spans only (rollup=False)."""

    def __init__(self, repo) -> None:
        self._repo = repo

    def __getattr__(self, name: str):
        attr = getattr(self._repo, name)
        if name in ("call_snapshots", "call_won_by_day"):
            return lambda *a, **k: attr(*a, **k, rollup=False)
        return attr


def main() -> None:
    """Runs the benchmark on each --url and prints (or writes) the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--out")
    parser.add_argument("--only", action="append", help="variants to run (default: all)")
    parser.add_argument("--no-evolution", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    results = [bench(url, not args.no_evolution, args.only, args.baseline) for url in args.url]
    text = json.dumps(results, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
