"""Small frames the forecast unit tests build their cases from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
DATASETS = ROOT / ".." / "shared" / "datasets"
if not DATASETS.exists():  # a worktree sits one level deeper than the main checkout
    DATASETS = Path("/work/shared/datasets")


def monthly(values, start="2022-01-01") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="MS").astype("datetime64[ns]")
    return pd.DataFrame({"ds": ds, "y": np.asarray(values, dtype="float64")})


def weekly(values, start="2022-01-03") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="W-MON").astype("datetime64[ns]")
    return pd.DataFrame({"ds": ds, "y": np.asarray(values, dtype="float64")})


def synthetic_monthly(n=48, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    truth = 1000.0 + 10.0 * t + 200.0 * np.sin(2 * np.pi * t / 12)
    return monthly(truth + rng.normal(0, 10, n)), truth


def quarter_points():
    ds = pd.date_range("2026-01-01", periods=9, freq="MS").astype("datetime64[ns]")
    actual = [10.0, 20.0, 30.0, 40.0] + [np.nan] * 5
    yhat = [11.0, 19.0, 31.0, 39.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    return pd.DataFrame(
        {
            "ds": ds,
            "actual": actual,
            "yhat": yhat,
            "yhat_lower": yhat,
            "yhat_upper": yhat,
            "is_future": [False] * 4 + [True] * 5,
        }
    )
