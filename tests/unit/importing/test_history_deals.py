"""The deals whose history spans an import recomputes: each once, in id order."""

from __future__ import annotations

import numpy as np

from salesops.importing.history import _distinct


def test_distinct_gives_each_id_once_sorted() -> None:
    ids = np.random.default_rng(3).integers(0, 500, 5_000)
    assert _distinct(ids).tolist() == sorted(set(ids.tolist()))
    assert _distinct(np.array([7, 7, 2], dtype="int64")).tolist() == [2, 7]
    assert _distinct(np.array([], dtype="int64")).tolist() == []
