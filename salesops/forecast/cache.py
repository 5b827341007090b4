"""The forecast result cache: a fit is reused while the series and every parameter match.

Keys hash the series values and the forecast's parameters; results live in a thread-safe
LRU, optionally persisted as pickles in a directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from salesops.config import Settings
from salesops.forecast.frequency import Frequency, frequency
from salesops.forecast.params import ProphetParams

if TYPE_CHECKING:
    from salesops.forecast.series_forecast import ForecastResult

logger = logging.getLogger(__name__)

# 3: backtest errors are Figures and ProphetParams carries min_cycles (issue 13).
CACHE_VERSION = 3


def cache_key(
    series: pd.DataFrame,
    freq: str | Frequency,
    horizon: int,
    params: ProphetParams,
    backtest: bool,
    n_cutoffs: int,
    nonnegative: bool = True,
) -> str:
    """Returns a sha256 hex key of the series values and every parameter of the forecast."""
    digest = hashlib.sha256()
    digest.update(series["ds"].astype("datetime64[ns]").to_numpy().view("int64").tobytes())
    digest.update(series["y"].to_numpy(dtype="float64").tobytes())
    settings = {
        "version": CACHE_VERSION,
        "freq": frequency(freq).code,
        "horizon": horizon,
        "params": asdict(params),
        "backtest": backtest,
        "n_cutoffs": n_cutoffs,
        "nonnegative": nonnegative,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


class ForecastCache:
    """A thread-safe LRU of forecast results, optionally persisted as pickles in a directory.

    Only use a directory you own: pickles are trusted input.
    """

    def __init__(
        self, maxsize: int = Settings.forecast_cache_size, directory: str | Path | None = None
    ) -> None:
        self.maxsize = maxsize
        self.directory = Path(directory) if directory is not None else None
        self._items: OrderedDict[str, ForecastResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> ForecastResult | None:
        """Returns the cached result for `key`, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        path = self._path(key)
        if path is not None and path.exists():
            try:
                with path.open("rb") as handle:
                    result = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
                logger.warning("Ignoring unreadable forecast cache file %s: %s", path, exc)
            else:
                self._remember(key, result)
                with self._lock:
                    self.hits += 1
                return result
        with self._lock:
            self.misses += 1
        return None

    def put(self, key: str, result: ForecastResult) -> None:
        """Stores `result` under `key` (and on disk when a directory is set)."""
        self._remember(key, result)
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            with partial.open("wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)

    def clear(self) -> None:
        """Empties the in-memory cache (files on disk stay)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _remember(self, key: str, result: ForecastResult) -> None:
        """Keeps `result` in memory, dropping the least recently used beyond maxsize."""
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        """Returns the pickle file of `key`, or None without a directory."""
        return None if self.directory is None else self.directory / f"forecast-{key}.pkl"


DEFAULT_CACHE = ForecastCache()


# The result cache the page, the CLI and the benchmark share within one process.
DEFAULT_CACHE = ForecastCache()
