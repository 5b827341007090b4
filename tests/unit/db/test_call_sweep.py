"""The call snapshots' sweep gives the same sums however its spans are split into parts.

`_Grid.sweep` sums at most SWEEP_PAIRS (span, quarter) pairs at a time to bound its memory;
the parts' sums must add up to the sums of one pass over every span.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from salesops.db import rollups_call as rc


def _grid_after(spans: np.ndarray, group: np.ndarray, won: rc._Won) -> rc._Grid:
    quarters = rc.quarters_between(date(2024, 1, 1), date(2025, 6, 30))
    grid = rc._Grid(quarters, groups=3 * len(rc.BUCKETS))
    grid.sweep(spans, group, won)
    return grid


def test_a_sweep_in_parts_sums_to_the_sweep_in_one(monkeypatch):
    rng = np.random.default_rng(3)
    n = 400
    start = (date(2024, 1, 1) - rc.EPOCH).days
    vf = start + rng.integers(0, 500, n)
    vt = np.where(rng.random(n) < 0.2, rc.NEVER, vf + rng.integers(1, 300, n))
    due = np.where(rng.random(n) < 0.1, rc.NO_DUE, vf + rng.integers(-50, 400, n))
    spans = np.column_stack([rng.integers(1, 60, n), vf, vt, due, rng.integers(0, 10**7, n)])
    group = rng.integers(0, 3, n)
    won_rows = np.column_stack(
        [rng.integers(1, 60, 50), start + rng.integers(0, 540, 50), rng.integers(0, 10**6, 50)]
    )
    won = rc._Won(np.column_stack([won_rows, np.ones(50, dtype="int64")]))
    whole = _grid_after(spans, group, won)
    monkeypatch.setattr(rc, "SWEEP_PAIRS", 7)
    parts = _grid_after(spans, group, won)
    assert whole.values["deals"].any()
    for name in rc.MEASURES:
        np.testing.assert_array_equal(parts.values[name], whole.values[name])


def test_open_spans_kept_narrow_give_the_overlapping_rows_exactly():
    rng = np.random.default_rng(5)
    start = (date(2024, 1, 1) - rc.EPOCH).days
    n = 300
    vf = start + rng.integers(0, 500, n)
    vt = np.where(rng.random(n) < 0.2, rc.NEVER, vf + rng.integers(1, 300, n))
    rows = np.column_stack(
        [
            rng.integers(1, 60, n),
            vf,
            vt,
            np.full(n, rc.NO_DUE),
            rng.integers(0, 10**6, n),
            np.zeros(n, "int64"),
        ]
    )
    rows[-1, 4] = 2**40  # cents past int32: that chunk stays int64
    chunks = [rc.narrow_ints(rows[:150]), rc.narrow_ints(rows[150:])]
    assert chunks[0].dtype == np.int32 and chunks[1].dtype == np.int64
    spans = rc.OpenSpans([("Prospecting", None)], chunks, rc._Won(np.empty((0, 4), "int64")))
    quarters = rc.quarters_between(date(2024, 4, 1), date(2024, 9, 30))
    begin, end = ((q - rc.EPOCH).days for q in (quarters[0].start, quarters[-1].end))
    expected = rows[(rows[:, 1] < end) & (rows[:, 2] >= begin)]
    got = np.concatenate(list(spans.overlapping(quarters)))
    assert got.dtype == np.int64 and 0 < len(got) < n
    np.testing.assert_array_equal(got, expected)
