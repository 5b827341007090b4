"""Benchmark: Territory page data, rebalancing, calibrated quotas and the plan's what-if at scale.

    python bench/bench_territory.py --url sqlite:////work/main/data/large.db \
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/salesops_large]

For each URL, in a fresh subprocess (cold: new engine, nothing cached):
- page:      territory_data (the queries and the capacity model) + the territory and rep
             tables, flags and balance indexes: what the page needs before drawing (< 0.5 s)
- proposal:  reading the per-account rows, then moves and swaps with the page defaults and
             with 1,000 moves (same segment or free)
- quotas:    the bookings outlook and calibrated quotas for every rep (< 1 s for 200 reps)
- plan:      plan_inputs once, then build_plan per what-if move (< 100 ms each; median and
             worst of 10 moves of the sliders)
- backtest:  reading the rolling-origin backtest's inputs once, then scoring it per move of
             the attainment slider (the Plan page re-scores it), and the shares it gives
Wall-clock and CPU seconds, peak RSS. Not a test: the machine is shared, so read CPU beside wall.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, *args, **kwargs):
    """Returns (result, wall seconds, cpu seconds) of one call."""
    w, c = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    return value, round(time.perf_counter() - w, 3), round(time.process_time() - c, 3)


def page(repo, as_of) -> tuple[dict, object]:
    """Measures the Territory page's data from cold; returns timings and the report."""
    from salesops.territory.report import build_report, territory_data

    def run():
        return build_report(territory_data(repo, as_of=as_of))

    report, wall, cpu = timed(run)
    flags = report.territories["flag"].value_counts().to_dict()
    return {
        "page_s": wall,
        "page_cpu_s": cpu,
        "accounts": int(report.territories["accounts"].sum()),
        "reps": len(report.reps),
        "territories": len(report.territories),
        "flags": flags,
        "load_cv": report.balance.cv,
        "ramp_months": report.capacity.ramp.months_to_ramp,
        "team_selling_share": report.capacity.team_selling_share.value,
    }, report


def proposals(repo, report) -> dict:
    """Measures reading the account rows and three proposals."""
    from salesops.config import Settings
    from salesops.territory.rebalance import Constraints, propose_moves
    from salesops.territory.report import proposal_accounts, proposal_rows

    defaults = Settings()
    rows, wall, _ = timed(proposal_accounts, repo)
    rows = proposal_rows(rows, report.hours)
    out: dict = {"proposal_accounts_read_s": wall}
    cases = {
        "proposal_default": Constraints.from_settings(
            defaults, max_share=defaults.rebalance_page_max_share
        ),
        "proposal_1000_free": Constraints.from_settings(
            defaults, same_segment=False, max_moves=1000, min_gain=0.0
        ),
        "proposal_1000_segment": Constraints.from_settings(defaults, max_moves=1000, min_gain=0.0),
    }
    for name, constraints in cases.items():
        p, wall, cpu = timed(propose_moves, rows, report.territories, constraints)
        out[name] = {
            "seconds": wall, "cpu": cpu, "status": p.status, "moves": len(p.moves),
            "swaps": len(p.swaps), "load_cv": [p.before.cv, p.after.cv],
            "potential_cv": [p.potential_before.cv, p.potential_after.cv],
        }  # fmt: skip
    return out


def plan(repo, as_of) -> dict:
    """Measures quotas, the plan's inputs, what-if moves and the backtest."""
    from dataclasses import replace

    from salesops.config import Settings
    from salesops.plan.backtest import backtest_inputs, score_backtest
    from salesops.plan.report import PlanChoices, build_plan, plan_inputs
    from salesops.territory.quotas import QuotaPolicy, calibrate_quotas

    inputs, wall, cpu = timed(plan_inputs, repo, as_of=as_of)
    out: dict = {"plan_inputs_s": wall, "plan_inputs_cpu_s": cpu}
    reps = inputs.reps.assign(rep_id=inputs.reps["id"], rep=inputs.reps["name"],
                              current_quota=inputs.reps["annual_quota"])  # fmt: skip
    policy = QuotaPolicy.from_settings(Settings())
    _, wall, cpu = timed(calibrate_quotas, inputs.outlook, reps, policy)
    out.update(quotas_calibrate_s=wall, quotas_calibrate_cpu_s=cpu, quota_reps=len(reps))
    moves = []
    for i in range(10):
        choices = PlanChoices(attainment_target=0.55 + 0.02 * i, target_utilisation=0.8 + 0.01 * i)
        report, wall, _ = timed(build_plan, inputs, choices)
        moves.append(wall)
    out.update(
        what_if_median_s=round(statistics.median(moves), 3),
        what_if_max_s=round(max(moves), 3),
        hires=report.hires_total,
        expected_share=report.quotas.expected_share_suggested,
    )
    past, wall, cpu = timed(backtest_inputs, repo, inputs.data.quota_year.start)
    scores = [timed(score_backtest, past, replace(policy, attainment_target=0.55 + 0.05 * i))
              for i in range(4)]  # fmt: skip
    record = timed(score_backtest, past, policy)[0]
    out["backtest"] = {
        "inputs_s": wall, "inputs_cpu_s": cpu,
        "score_median_s": round(statistics.median(s[1] for s in scores), 3),
        "score_max_s": max(s[1] for s in scores),
        **{k: v for k, v in record.to_json().items() if k not in ("notes", "sentence")},
    }  # fmt: skip
    return out


def measure(url: str) -> dict:
    """Runs every step once against `url` and returns the timings (seconds)."""
    from salesops.calendar import add_months, month_end
    from salesops.db.engine import make_engine
    from salesops.repository import Repository

    out: dict = {"url": url.split("@")[-1]}
    repo = Repository(make_engine(url, read_only=True))
    # The page gets as_of from the shared filters (data_bounds, cached for every page), so it is
    # read first and not counted; the default period ends on a month end (rollup path).
    last = repo.data_bounds()["last"]
    as_of = month_end(add_months(last.replace(day=1), -1))
    timings, report = page(repo, as_of)
    out.update(timings)
    out.update(proposals(repo, report))
    out.update(plan(repo, as_of))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    """Measures each URL in its own subprocess and prints one JSON line per URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.url[0]), default=str))
        return
    for url in args.url:
        result = subprocess.run(
            [sys.executable, __file__, "--child", "--url", url],
            capture_output=True,
            text=True,
            check=False,
        )
        print(result.stdout.strip() or result.stderr.strip())


if __name__ == "__main__":
    main()
