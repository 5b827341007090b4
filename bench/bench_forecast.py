"""Benchmark the Forecast page's work at a given scale (not a test).

    python bench/bench_forecast.py --url sqlite:///path/large.db [--freq M] [--workers 1 2]

Measures: the repository queries; company + every territory with backtests, cold
(empty forecast cache) per thread count and cached (second call); the what-if slider
(`what_if_view`, no refit, no query). Targets (DESIGN.md): < 6 s cold for the company
and 20 territories with backtests, instant when cached, slider < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import timedelta

import numpy as np

from salesops import forecast as fc
from salesops.db import make_engine
from salesops.forecast_report import build_forecast_report, forecast_inputs, what_if_view
from salesops.repository import Repository


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--freq", default="M", choices=["M", "W"])
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--slider-moves", type=int, default=200)
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
        "stage_outcomes_1y": lambda: repo.stage_outcomes(closed_since=as_of - timedelta(365)),
        "quotas_by_month": lambda: repo.quotas_by_month(as_of - timedelta(60), as_of),
        "active_reps": lambda: repo.active_reps(as_of),
    }.items():
        frame, seconds = timed(call)
        queries[name] = {"seconds": round(seconds, 3), "rows": len(frame)}
    results["queries"] = queries

    inputs, seconds = timed(lambda: forecast_inputs(repo, args.freq))
    results["forecast_inputs_seconds"] = round(seconds, 2)
    cold = {}
    for workers in args.workers:
        cache = fc.ForecastCache()
        report, seconds = timed(
            lambda cache=cache, workers=workers: build_forecast_report(
                inputs, args.horizon, "territory", True, cache=cache, max_workers=workers
            )
        )
        cold[f"workers_{workers}"] = round(seconds, 2)
        _, cached_seconds = timed(
            lambda cache=cache: build_forecast_report(
                inputs, args.horizon, "territory", True, cache=cache
            )
        )
        cold[f"workers_{workers}_cached"] = round(cached_seconds, 3)
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
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
