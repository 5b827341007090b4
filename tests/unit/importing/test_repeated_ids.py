"""The scan pass finds repeated ids by hash first, then by their text (exact)."""

from __future__ import annotations

import pandas as pd

from salesops.importing.plan import _repeated_ids


def test_repeated_ids_across_chunks_are_found_exactly():
    first = pd.Series(["a", "b", "", None, "c"], index=[2, 3, 4, 5, 6], dtype="str")
    second = pd.Series(["d", "b", "", "a", "a"], index=[7, 8, 9, 10, 11], dtype="str")
    repeated = _repeated_ids([first, second])
    assert sorted(zip(repeated.index, repeated, strict=True)) == [
        (2, "a"),
        (3, "b"),
        (8, "b"),
        (10, "a"),
        (11, "a"),
    ]
    assert _repeated_ids([pd.Series(["x", "y"], dtype="str")]).empty
