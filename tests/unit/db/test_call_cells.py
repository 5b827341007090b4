"""The call rollups' cells, as columns, hold the rows a row-by-row reading of the grid gives."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesops.calendar import Quarter
from salesops.db import rollups_call_cells as cells
from salesops.db.rollups_call_cells import _copy_texts as copy_texts
from salesops.db.rollups_call_cells import cell_blocks

MEASURES = ("deals", "cents", "won", "won_deals")


class _FakeGrid:
    """Two quarters of running sums (day, group) with random cells, some empty."""

    def __init__(self, groups: int) -> None:
        rng = np.random.default_rng(3)
        self.quarters = [Quarter(date(2024, 1, 1)), Quarter(date(2024, 4, 1))]
        self.sums = [
            {n: rng.integers(0, 3, size=(94, groups)) * (n != "cents" or 137) for n in MEASURES}
            for _ in self.quarters
        ]

    def totals(self, index: int) -> dict[str, np.ndarray]:
        return self.sums[index]


def _row_by_row(grid: _FakeGrid, labels: list[tuple | None]) -> list[tuple]:
    """The rows as the rebuild wrote them before cells were columns: one loop per cell."""
    rows = []
    for index, quarter in enumerate(grid.quarters):
        totals = grid.totals(index)
        length = (quarter.end - quarter.start).days
        for day in range(length + 1):
            for group, label in enumerate(labels):
                n = int(totals["deals"][day, group])
                if n > 0 and label is not None:
                    rows.append(
                        (
                            quarter.start.isoformat(),
                            day,
                            *label,
                            n,
                            int(totals["cents"][day, group]) / 100.0,
                            int(totals["won"][day, group]) / 100.0,
                            int(totals["won_deals"][day, group]),
                        )
                    )
    return rows


@pytest.mark.parametrize("block", [1, 7, 10**6])
def test_cells_in_blocks_are_the_rows_cell_by_cell(monkeypatch, block):
    labels = [(None, "Prospecting", None, "none"), None, (4, "Won", "commit", "later")]
    grid = _FakeGrid(len(labels))
    monkeypatch.setattr(cells, "CELL_BLOCK", block)
    blocks = list(cell_blocks(grid, labels))
    rows = [row for columns in blocks for row in zip(*columns, strict=True)]
    expected = _row_by_row(grid, labels)
    assert rows == expected
    assert len(expected) > 50  # cells in both quarters, left-out group skipped
    assert max(len(columns[0]) for columns in blocks) <= block


def test_copy_text_escapes_labels_and_writes_missing_as_null():
    assert copy_texts(["a\tb", None, "c\\d", "e\nf"]) == ["a\\tb", "\\N", "c\\\\d", "e\\nf"]
    assert copy_texts([1, 22, 333]) == ["1", "22", "333"]
    assert copy_texts([0.1, 2.5]) == ["0.1", "2.5"]
    assert copy_texts([3, None]) == ["3", "\\N"]
