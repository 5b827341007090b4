"""Monotone smoothing (pool adjacent violators) by hand."""

from __future__ import annotations

import numpy as np
import pytest

from salesops.capacity.smoothing import monotone_increasing


def test_violators_are_pooled_with_their_weights():
    # 1, 3, 2 (weights 1, 1, 3) -> 3 and 2 pool to (3 + 6) / 4 = 2.25
    out = monotone_increasing(np.array([1.0, 3.0, 2.0]), np.array([1.0, 1.0, 3.0]))
    assert out.tolist() == pytest.approx([1.0, 2.25, 2.25])


def test_a_dip_pools_back_until_the_curve_never_falls():
    # 0, 10, 6, 5, 20 -> 10, 6, 5 pool to 7; then 0, 7, 7, 7, 20
    out = monotone_increasing(np.array([0.0, 10.0, 6.0, 5.0, 20.0]))
    assert out.tolist() == pytest.approx([0.0, 7.0, 7.0, 7.0, 20.0])
    assert np.all(np.diff(out) >= 0)


def test_missing_points_are_filled_from_their_neighbours():
    out = monotone_increasing(np.array([1.0, np.nan, 3.0]))
    assert out.tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert monotone_increasing(np.array([])).size == 0
