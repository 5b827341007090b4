"""id_batches: the IN lists every rollup refresh splits its ids and dates into."""

from __future__ import annotations

from datetime import date, timedelta

from salesops.db.rollup_partitions import ID_BATCH, id_batches


def test_ids_come_in_order_in_lists_of_at_most_id_batch() -> None:
    ids = list(range(2 * ID_BATCH + 1))
    batches = list(id_batches(ids))
    assert [len(b) for b in batches] == [ID_BATCH, ID_BATCH, 1]
    assert [i for b in batches for i in b] == ids


def test_dates_and_nothing() -> None:
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(3)]
    assert list(id_batches(days)) == [days]
    assert list(id_batches([])) == []
