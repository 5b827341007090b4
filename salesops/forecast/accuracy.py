"""Forecast error measures, MAPE and WAPE, as fractions (0.12 = 12 %).

Each returns a `Figure`: the value, or None with the reason it is undefined.
`inputs["n"]` is the number of periods compared; MAPE also records
`inputs["skipped_zero_actuals"]`, the periods with actual 0 it had to leave out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.figures import Figure


def mape(actual: np.ndarray | pd.Series, predicted: np.ndarray | pd.Series) -> Figure:
    """Returns the mean absolute percentage error as a fraction, skipping zero actuals.

    A period with actual 0 has no percentage error; it is left out and counted in
    `inputs["skipped_zero_actuals"]` (the reason says so). None when every actual is 0.
    """
    a = np.asarray(actual, dtype="float64")
    p = np.asarray(predicted, dtype="float64")
    keep = a != 0
    skipped = int((~keep).sum())
    if not keep.any():
        return Figure.undefined(
            "every actual is 0: percentage error undefined", n=0, skipped_zero_actuals=skipped
        )
    value = float(np.mean(np.abs(p[keep] - a[keep]) / np.abs(a[keep])))
    reason = f"{skipped} period(s) with actual 0 left out" if skipped else None
    return Figure(value, reason, {"n": int(keep.sum()), "skipped_zero_actuals": skipped})


def wape(actual: np.ndarray | pd.Series, predicted: np.ndarray | pd.Series) -> Figure:
    """Returns the weighted absolute percentage error: sum|error| / sum|actual|, a fraction.

    None with a reason when the actuals sum to 0.
    """
    a = np.asarray(actual, dtype="float64")
    p = np.asarray(predicted, dtype="float64")
    denominator = float(np.abs(a).sum())
    if len(a) == 0:
        return Figure.undefined("no periods to compare", n=0)
    if denominator == 0:
        return Figure.undefined("actuals sum to 0: WAPE undefined", n=len(a))
    return Figure(float(np.abs(p - a).sum() / denominator), None, {"n": len(a)})


def skipped_zero_actuals(error: Figure) -> int:
    """Returns how many periods with actual 0 an error measure left out (0 when none)."""
    return int(error.inputs.get("skipped_zero_actuals") or 0)


def no_backtest() -> Figure:
    """Returns the undefined error of a backtest that did not run."""
    return Figure.undefined("no backtest", n=0)
