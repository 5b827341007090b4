"""KeyDates: the compact {external id: date} map imports look deals' and leads' dates up in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.importing.key_dates import KeyDates


def test_it_maps_like_a_dict_with_later_dates_winning():
    dates = KeyDates.of({"006A": date(2024, 1, 1), "006BB": date(2024, 2, 1)})
    dates.add(
        pd.Series(["006A", "Zürich-1"]), pd.Series(pd.to_datetime(["2025-01-01", "2025-03-03"]))
    )
    assert dict(dates) == {
        "006A": date(2025, 1, 1),
        "006BB": date(2024, 2, 1),
        "Zürich-1": date(2025, 3, 3),
    }
    assert "006A" in dates and "006" not in dates and dates.get("nope") is None
    assert len(dates) == 3


def test_lookup_gives_nat_for_unknown_missing_and_longer_keys():
    dates = KeyDates.of({"006A": date(2024, 1, 1), "006B": date(2024, 1, 2)})
    keys = pd.Series(["006B", None, "006A", "006AA", "00"], index=[10, 11, 12, 13, 14])
    found = dates.lookup(keys)
    assert list(found.index) == [10, 11, 12, 13, 14]
    assert found[10] == pd.Timestamp("2024-01-02") and found[12] == pd.Timestamp("2024-01-01")
    # a key longer than every held key is not cut down to one of them
    assert found[[11, 13, 14]].isna().all()


def test_a_copy_does_not_grow_with_the_original_and_update_merges():
    original = KeyDates.of({"a": date(2024, 1, 1)})
    copy = KeyDates.of(original)
    original.add(["b"], [date(2024, 1, 2)])
    assert "b" not in copy and "b" in original
    copy.update(original)
    assert dict(copy) == {"a": date(2024, 1, 1), "b": date(2024, 1, 2)}
    assert KeyDates.of({}).lookup(pd.Series(["a"])).isna().all()
