"""Benchmark the Forecast page's work at a given scale (not a test).

    python bench/bench_forecast.py --url sqlite:///path/large.db [--freq M] [--workers 1 2]
                                   [--plain-prophet] [--repeat 3] [--out bench/results/x.json]

Measures: the repository queries; company + every territory with backtests, cold
(empty forecast cache) per worker-process count and cached (second call); the what-if
slider (`what_if_view`, no refit, no query). `--plain-prophet` also times the same work
with Prophet's own class instead of FastProphet, on one worker (what the code did
before), for the ratio. Wall seconds are the median of `--repeat` runs; CPU seconds
(this process + its workers and cmdstan children) are reported beside them because
they do not depend on what else the machine is doing. Targets (DESIGN.md): < 6 s cold
for the company and 20 territories with backtests, instant when cached, slider < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from datetime import timedelta

import numpy as np

from salesops import forecast as fc
from salesops.db import make_engine
from salesops.forecast_report import (
    build_forecast_report,
    forecast_inputs,
    stage_lookback_start,
    what_if_view,
)
from salesops.repository import Repository


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (workers, cmdstan)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cold_fits(inputs, horizon: int, workers: int, repeat: int) -> dict:
    """Median wall and CPU seconds of cold fits (fresh cache each run), then one cached call."""
    walls, cpus = [], []
    for _ in range(repeat):
        cache = fc.ForecastCache()
        cpu_before = cpu_seconds()
        report, seconds = timed(
            lambda cache=cache: build_forecast_report(
                inputs, horizon, "territory", True, cache=cache, max_workers=workers
            )
        )
        walls.append(seconds)
        cpus.append(cpu_seconds() - cpu_before)
    _, cached_seconds = timed(
        lambda: build_forecast_report(inputs, horizon, "territory", True, cache=cache)
    )
    return {
        "wall_median": round(statistics.median(walls), 2),
        "wall_runs": [round(w, 2) for w in walls],
        "cpu_median": round(statistics.median(cpus), 2),
        "cached_seconds": round(cached_seconds, 3),
        "report": report,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--freq", default="M", choices=["M", "W"])
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--slider-moves", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plain-prophet", action="store_true")
    parser.add_argument("--out", help="also write the results JSON here")
    args = parser.parse_args()
    repo = Repository(make_engine(args.url, read_only=True))
    fc._prophet()  # import Prophet once, outside the timings
    results: dict[str, object] = {"url": args.url, "freq": args.freq, "horizon": args.horizon}

    as_of = repo.data_bounds()["last"]
    queries = {}
    for name, call in {
        "bookings_by_period_M": lambda: repo.bookings_by_period("M"),
        "bookings_by_period_W": lambda: repo.bookings_by_period("W"),
        "open_pipeline": repo.open_pipeline,
        "stage_outcomes_12_months": lambda: repo.stage_outcomes(
            closed_since=stage_lookback_start(as_of)
        ),
        "quotas_by_month": lambda: repo.quotas_by_month(as_of - timedelta(60), as_of),
        "active_reps": lambda: repo.active_reps(as_of),
    }.items():
        frame, seconds = timed(call)
        queries[name] = {"seconds": round(seconds, 3), "rows": len(frame)}
    results["queries"] = queries

    inputs, seconds = timed(lambda: forecast_inputs(repo, args.freq))
    results["forecast_inputs_seconds"] = round(seconds, 2)
    cold = {}
    results["load_average_before"] = os.getloadavg()
    for workers in args.workers:
        measured = cold_fits(inputs, args.horizon, workers, args.repeat)
        report = measured.pop("report")
        cold[f"workers_{workers}"] = measured
    if args.plain_prophet:
        from prophet import Prophet

        fast_class, fc._prophet_class = fc._prophet_class, Prophet
        try:
            measured = cold_fits(inputs, args.horizon, 1, args.repeat)
        finally:
            fc._prophet_class = fast_class
        plain = measured.pop("report")
        cold["plain_prophet_workers_1"] = measured
        same = all(
            plain.breakdown[k].points["yhat"].equals(report.breakdown[k].points["yhat"])
            for k in report.breakdown
        )
        cold["plain_prophet_same_forecasts"] = same
    results["load_average_after"] = os.getloadavg()
    results["fits_company_plus_territories_with_backtest"] = cold
    results["scopes"] = 1 + len(report.breakdown)
    methods = [r.method for r in report.breakdown.values()]
    results["territory_methods"] = {m: methods.count(m) for m in set(methods)}
    winners = [r.backtest.winner for r in report.breakdown.values() if r.backtest]
    results["territory_backtest_winners"] = {w: winners.count(w) for w in set(winners)}
    main = report.main.backtest
    results["company_backtest"] = {
        "prophet_wape": main.prophet_wape.value,
        "naive_wape": main.naive_wape.value,
        "prophet_mape": main.prophet_mape.value,
        "naive_mape": main.naive_mape.value,
        "winner": main.winner,
    }

    rng = np.random.default_rng(0)
    slider = []
    for _ in range(args.slider_moves):
        what_if = fc.WhatIf(
            float(rng.uniform(-0.5, 0.5)),
            float(rng.uniform(-60, 60)),
            int(rng.integers(-10, 11)),
            float(rng.integers(0, 13)),
            float(rng.uniform(-0.5, 0.5)),
        )
        _, seconds = timed(lambda what_if=what_if: what_if_view(report, what_if))
        slider.append(seconds * 1000)
    results["slider_ms"] = {
        "median": round(statistics.median(slider), 2),
        "p95": round(float(np.percentile(slider, 95)), 2),
        "max": round(max(slider), 2),
    }
    text = json.dumps(results, indent=2, default=str)
    print(text)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()
