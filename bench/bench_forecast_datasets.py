"""Forecast accuracy on the real series in ../shared/datasets (not a test).

    python bench/bench_forecast_datasets.py [--out bench/results/forecast-datasets.json]

For every real monthly series (Prophet's example series, and won bookings by close month
from the Maven and Olist CRM exports) it runs `forecast_series` with the rolling-origin
backtest (4 cutoffs over the last year, 12-month horizon, 6 for the short CRM series) and
reports Prophet's and seasonal naive's MAPE and WAPE and the winner. With `--newton` it
also refits each series the way Prophet fits by default on short series (Newton instead
of L-BFGS), to show what the optimiser choice changes.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd

from salesops.forecast.params import ProphetParams
from salesops.forecast.series import regular_series
from salesops.forecast.series_forecast import ForecastResult, forecast_series

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


def example_series(name: str) -> pd.DataFrame:
    """Returns one of Prophet's example series (ds, y)."""
    return pd.read_csv(DATASETS / "prophet-example-series" / f"{name}.csv", parse_dates=["ds"])


def won_by_month(
    path: Path, date_column: str, amount_column: str | None, **filters
) -> pd.DataFrame:
    """Returns won amount (or deal count) per close month from a CRM export, on a full grid."""
    frame = pd.read_csv(path)
    for column, value in filters.items():
        frame = frame[frame[column] == value]
    amounts = frame[amount_column] if amount_column else pd.Series(1.0, index=frame.index)
    bookings = pd.DataFrame({"ds": pd.to_datetime(frame[date_column]), "y": amounts})
    return regular_series(bookings, "M")


def series_to_run() -> dict[str, tuple[pd.DataFrame, ProphetParams, int]]:
    """Returns name -> (series, Prophet settings, horizon)."""
    additive, multiplicative = (
        ProphetParams(),
        ProphetParams(seasonality_mode="multiplicative"),
    )
    maven = DATASETS / "maven-crm-sales-opportunities" / "sales_pipeline.csv"
    olist = DATASETS / "olist-marketing-funnel" / "olist_closed_deals_dataset.csv"
    return {
        "air passengers (multiplicative)": (
            example_series("example_air_passengers"),
            multiplicative,
            12,
        ),
        "air passengers (additive)": (example_series("example_air_passengers"), additive, 12),
        "retail sales (multiplicative)": (
            example_series("example_retail_sales"),
            multiplicative,
            12,
        ),
        "retail sales (additive)": (example_series("example_retail_sales"), additive, 12),
        "Maven CRM won value by month": (
            won_by_month(maven, "close_date", "close_value", deal_stage="Won"),
            additive,
            6,
        ),
        "Olist closed deals by month": (won_by_month(olist, "won_date", None), additive, 6),
    }


def accuracy(result: ForecastResult) -> dict:
    """Returns the backtest figures of one forecast as a JSON-ready dict."""
    b = result.backtest
    return {
        "points": int(result.points["actual"].notna().sum()),
        "method": result.method,
        "reason": result.reason or (b.reason if b else None),
        "prophet_mape": b.prophet_mape.value if b else None,
        "prophet_wape": b.prophet_wape.value if b else None,
        "naive_mape": b.naive_mape.value if b else None,
        "naive_wape": b.naive_wape.value if b else None,
        "winner": b.winner if b else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--newton", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = {}
    for name, (series, params, horizon) in series_to_run().items():
        row = accuracy(forecast_series(series, "M", horizon, params, backtest=True))
        if args.newton and row["method"] == "prophet":
            newton = forecast_series(
                series, "M", horizon, replace(params, algorithm="Newton"), backtest=True
            )
            row["newton"] = accuracy(newton)
        rows[name] = row

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    print(f"{'series':34} {'n':>4}  {'Prophet WAPE':>12} {'naive WAPE':>10}  winner")
    for name, row in rows.items():
        print(
            f"{name:34} {row['points']:>4}  {pct(row['prophet_wape']):>12} "
            f"{pct(row['naive_wape']):>10}  {row['winner'] or row['reason']}"
        )
    text = json.dumps(rows, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
