"""Monotone smoothing: the non-decreasing curve nearest to noisy points (PAVA)."""

from __future__ import annotations

import numpy as np


def monotone_increasing(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Returns the weighted least-squares non-decreasing fit of `values` (isotonic regression).

    Pool-adjacent-violators: neighbouring points that decrease are replaced by their weighted
    mean until the sequence never decreases. NaN values are filled from their neighbours
    first (linear interpolation, the ends held flat); points with weight 0 count as weight 1e-9.
    """
    y = np.asarray(values, dtype="float64").copy()
    if len(y) == 0:
        return y
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype="float64").copy()
    missing = np.isnan(y)
    if missing.all():
        return y
    if missing.any():
        x = np.arange(len(y))
        y[missing] = np.interp(x[missing], x[~missing], y[~missing])
    w = np.where(w > 0, w, 1e-9)
    means: list[float] = []
    sizes: list[float] = []
    counts: list[int] = []
    for value, weight in zip(y, w, strict=True):
        means.append(float(value))
        sizes.append(float(weight))
        counts.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            total = sizes[-2] + sizes[-1]
            merged = (means[-2] * sizes[-2] + means[-1] * sizes[-1]) / total
            means[-2:] = [merged]
            sizes[-2:] = [total]
            counts[-2:] = [counts[-2] + counts[-1]]
    return np.repeat(np.array(means), counts)
