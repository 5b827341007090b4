"""A compact {external id: date} map for millions of keys (deals' and leads' created dates).

A dict of a million ids and dates holds ~300 MB of Python objects; `KeyDates` keeps the ids
as one sorted array of UTF-8 bytes and the dates as datetime64 days (~25 MB), and looks a
whole column up at once (`lookup`). Keys added later win over earlier ones, as with
`dict.update`; added pieces are merged on the next read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _encode(keys: pd.Series | Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Returns (keys as fixed-width UTF-8 bytes, their byte lengths)."""
    values = keys.to_numpy(dtype=object) if isinstance(keys, pd.Series) else list(keys)
    binary = pa.array(values, type=pa.string()).cast(pa.binary())
    lengths = np.asarray(pc.binary_length(binary).fill_null(0), dtype="int64")
    width = max(int(lengths.max()) if len(lengths) else 0, 1)
    encoded = np.asarray(binary.fill_null(b"").to_numpy(zero_copy_only=False), dtype=f"S{width}")
    return encoded, lengths


def _days(dates: pd.Series | Iterable[object]) -> np.ndarray:
    """Returns dates (date, Timestamp, ISO text or None) as datetime64[D] (NaT for none)."""
    values = pd.to_datetime(pd.Series(list(dates) if not isinstance(dates, pd.Series) else dates))
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


class KeyDates(Mapping[str, date]):
    """{key: date} held as sorted arrays; `lookup` maps a column of keys at once."""

    def __init__(self) -> None:
        self._keys = np.array([], dtype="S1")
        self._days = np.array([], dtype="datetime64[D]")
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    @classmethod
    def of(cls, mapping: Mapping[str, object] | None) -> KeyDates:
        """Returns `mapping` as KeyDates (a copy: adding to it leaves `mapping` as it was)."""
        result = cls()
        if isinstance(mapping, KeyDates):
            mapping._merge()
            result._keys, result._days = mapping._keys, mapping._days
        elif mapping:
            result.add(list(mapping.keys()), list(mapping.values()))
        return result

    def add(self, keys: pd.Series | Iterable[str], dates: pd.Series | Iterable[object]) -> None:
        """Adds keys with their dates (a key already held takes the new date)."""
        encoded, _ = _encode(keys)
        if len(encoded):
            self._pending.append((encoded, _days(dates)))

    def update(self, other: KeyDates) -> None:
        """Adds every key of `other` with its date (as dict.update: its dates win)."""
        other._merge()
        if len(other._keys):
            self._pending.append((other._keys, other._days))

    def _merge(self) -> None:
        """Folds the pieces added since the last read into the sorted arrays."""
        if not self._pending:
            return
        keys = np.concatenate([self._keys, *(k for k, _ in self._pending)])
        days = np.concatenate([self._days, *(d for _, d in self._pending)])
        self._pending = []
        order = np.argsort(keys, kind="stable")  # equal keys keep the order they came in
        keys, days = keys[order], days[order]
        last = np.ones(len(keys), dtype=bool)
        last[:-1] = keys[1:] != keys[:-1]  # the latest of equal keys wins
        self._keys, self._days = keys[last], days[last]

    def _positions(self, keys: pd.Series | Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Returns (index into the arrays, found) for each key."""
        self._merge()
        encoded, lengths = _encode(keys)
        if not len(self._keys) or not len(encoded):
            return np.zeros(len(encoded), dtype="int64"), np.zeros(len(encoded), dtype=bool)
        width = self._keys.dtype.itemsize
        fits = lengths <= width  # a longer key would be cut to a held one's width
        encoded = encoded.astype(f"S{width}")
        at = np.minimum(np.searchsorted(self._keys, encoded), len(self._keys) - 1)
        return at, fits & (self._keys[at] == encoded)

    def lookup(self, keys: pd.Series) -> pd.Series:
        """Returns each key's date as datetime64[ns] (NaT for keys not held or missing)."""
        at, found = self._positions(keys.fillna(""))
        found &= keys.notna().to_numpy()
        values = np.full(len(at), np.datetime64("NaT"), dtype="datetime64[ns]")
        values[found] = self._days[at[found]].astype("datetime64[ns]")
        return pd.Series(values, index=keys.index)

    def __getitem__(self, key: str) -> date:
        at, found = self._positions([key])
        if not found[0] or np.isnat(self._days[at[0]]):
            raise KeyError(key)
        return pd.Timestamp(self._days[at[0]]).date()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self._positions([key])[1][0])

    def __iter__(self) -> Iterator[str]:
        self._merge()
        return (k.decode("utf-8") for k in self._keys)

    def __len__(self) -> int:
        self._merge()
        return len(self._keys)
