"""Benchmark the Forecast page's work at a given scale (not a test).

    python bench/bench_forecast.py --url sqlite:///path/large.db [--freq M] [--workers 1 2]
                                   [--plain-prophet] [--repeat 3] [--out bench/results/x.json]

Measures: the repository queries; company + every territory with backtests, cold
(empty forecast cache) per worker-process count and cached (second call); the what-if
slider (`what_if_view`, no refit, no query). `--plain-prophet` also times the same work
with Prophet's own class and its default optimiser (Newton on short series) on one
worker, as the code fitted before, for the ratio; checks that plain Prophet with our
settings gives exactly FastProphet's forecasts; and reports how far Newton's forecasts
are from L-BFGS's. Wall seconds are the median of `--repeat` runs; CPU seconds
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
from dataclasses import replace
from datetime import timedelta

import numpy as np

from salesops.db.engine import make_engine
from salesops.forecast import prophet as prophet_model
from salesops.forecast.cache import ForecastCache
from salesops.forecast.params import DEFAULT_PARAMS
from salesops.forecast.report import (
    build_forecast_report,
    forecast_inputs,
    stage_lookback_start,
    what_if_view,
)
from salesops.forecast.what_if import WhatIf
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


def cold_fits(inputs, horizon: int, workers: int, repeat: int, params=DEFAULT_PARAMS) -> dict:
    """Median wall and CPU seconds of cold fits (fresh cache each run), then one cached call."""
    walls, cpus = [], []
    for _ in range(repeat):
        cache = ForecastCache()
        cpu_before = cpu_seconds()
        report, seconds = timed(
            lambda cache=cache: build_forecast_report(
                inputs, horizon, "territory", True, params, cache=cache, max_workers=workers
            )
        )
        walls.append(seconds)
        cpus.append(cpu_seconds() - cpu_before)
    _, cached_seconds = timed(
        lambda: build_forecast_report(inputs, horizon, "territory", True, params, cache=cache)
    )
    return {
        "wall_median": round(statistics.median(walls), 2),
        "wall_runs": [round(w, 2) for w in walls],
        "cpu_median": round(statistics.median(cpus), 2),
        "cached_seconds": round(cached_seconds, 3),
        "report": report,
    }


def plain_prophet_baseline(inputs, horizon: int, repeat: int, fast_report) -> dict:
    """Times plain Prophet with its default optimiser (Newton below 100 points) on one
    worker, as the code fitted before; checks that plain Prophet with our settings gives
    exactly FastProphet's forecasts; and reports how far Newton's forecasts are from
    L-BFGS's (largest gap over the future points, as a share of the scope's mean forecast).
    """
    from prophet import Prophet

    fast_class, prophet_model._prophet_class = prophet_model._prophet_class, Prophet
    try:
        newton = replace(DEFAULT_PARAMS, algorithm="Newton")
        measured = cold_fits(inputs, horizon, 1, repeat, newton)
        newton_report = measured.pop("report")
        same_settings = cold_fits(inputs, horizon, 1, 1).pop("report")
    finally:
        prophet_model._prophet_class = fast_class
    scopes = [fast_report.main, *fast_report.breakdown.values()]
    others = [newton_report.main, *newton_report.breakdown.values()]
    plain = [same_settings.main, *same_settings.breakdown.values()]
    gaps = []
    for ours, theirs in zip(scopes, others, strict=True):
        future = ours.points["is_future"].to_numpy()
        a, b = ours.points["yhat"].to_numpy()[future], theirs.points["yhat"].to_numpy()[future]
        gaps.append(float(np.max(np.abs(a - b)) / np.mean(np.abs(a))))
    return {
        "plain_prophet_newton_workers_1": measured,
        "plain_prophet_same_settings_equal_forecasts": all(
            p.points.equals(f.points) for p, f in zip(plain, scopes, strict=True)
        ),
        "newton_vs_lbfgs_max_future_gap_share_of_mean": round(max(gaps), 4),
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
    prophet_model.prophet_class()  # import Prophet once, outside the timings
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
        cold.update(plain_prophet_baseline(inputs, args.horizon, args.repeat, report))
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
        what_if = WhatIf(
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
