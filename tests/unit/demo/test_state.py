"""Helpers every demo generator shares."""

from __future__ import annotations

import numpy as np

from salesops.demo.state import positions_in_groups


def test_positions_in_groups_count_from_one_within_each_group():
    assert positions_in_groups(np.array([2, 0, 3])).tolist() == [1, 2, 1, 2, 3]
    assert positions_in_groups(np.array([0, 0])).tolist() == []
