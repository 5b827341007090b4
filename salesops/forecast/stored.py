"""Forecasts computed when the data is loaded, so no page visitor waits for a Prophet fit.

A forecast result is stored as JSON under its cache key (salesops.forecast.cache.cache_key:
a hash of the series values and every parameter), so a stored result can only ever be found
for exactly the series and settings it was fitted on: new data gives a new key, never a
stale answer. `precompute_forecasts` fits what the Overview and the Forecast page show by
default and hands each result to a writer (salesops.db.stored_forecasts); `StoredCache` is
the forecast cache pages use, which falls back to the stored results before fitting.

The JSON keeps every number exact (floats written with repr, dates as nanoseconds), so a
stored result equals a fresh fit value for value. JSON, not pickle: whoever can write to the
database cannot make the app run code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.figures import Figure
from salesops.forecast.backtest import Backtest
from salesops.forecast.cache import DEFAULT_CACHE, ForecastCache
from salesops.forecast.frequency import MONTH
from salesops.forecast.params import page_params
from salesops.forecast.series_forecast import ForecastResult
from salesops.repository import EVERYTHING, Repository

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

FORMAT = 1
logger = logging.getLogger(__name__)


def _frame_json(frame: pd.DataFrame) -> dict[str, Any]:
    """Returns a frame as JSON-ready columns with their dtypes (datetimes as int ns)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        dtype = str(series.dtype)
        if dtype.startswith("datetime64"):
            values = series.to_numpy().view("int64").tolist()
        else:
            values = [None if v is pd.NaT else v for v in series.tolist()]
        columns.append({"name": name, "dtype": dtype, "values": values})
    return {"columns": columns, "length": len(frame)}


def _frame_from(data: dict[str, Any]) -> pd.DataFrame:
    """Returns the frame `_frame_json` wrote (same columns, dtypes and values, RangeIndex)."""
    columns = {}
    for column in data["columns"]:
        dtype, values = column["dtype"], column["values"]
        if dtype.startswith("datetime64"):
            columns[column["name"]] = pd.Series(np.array(values, dtype="int64").view(dtype))
        elif dtype == "object":
            columns[column["name"]] = pd.Series(values, dtype=object)
        else:
            columns[column["name"]] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(columns, index=pd.RangeIndex(data["length"]))


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {"value": figure.value, "reason": figure.reason, "inputs": dict(figure.inputs)}


def _figure_from(data: dict[str, Any]) -> Figure:
    return Figure(data["value"], data["reason"], data["inputs"])


def _backtest_json(backtest: Backtest | None) -> dict[str, Any] | None:
    if backtest is None:
        return None
    return {
        "cutoffs": [pd.Timestamp(c).value for c in backtest.cutoffs],
        "horizon": backtest.horizon,
        "errors": {
            name: _figure_json(getattr(backtest, name))
            for name in ("prophet_mape", "prophet_wape", "naive_mape", "naive_wape")
        },
        "winner": backtest.winner,
        "reason": backtest.reason,
        "details": _frame_json(backtest.details),
    }


def _backtest_from(data: dict[str, Any] | None) -> Backtest | None:
    if data is None:
        return None
    errors = {name: _figure_from(value) for name, value in data["errors"].items()}
    return Backtest(
        cutoffs=[pd.Timestamp(c) for c in data["cutoffs"]],
        horizon=data["horizon"],
        winner=data["winner"],
        reason=data["reason"],
        details=_frame_from(data["details"]),
        **errors,
    )


def result_to_json(result: ForecastResult) -> str:
    """Returns the forecast result as JSON text (`result_from_json` reads it back equal)."""
    return json.dumps(
        {
            "format": FORMAT,
            "scope": result.scope,
            "freq": result.freq,
            "horizon": result.horizon,
            "method": result.method,
            "reason": result.reason,
            "points": _frame_json(result.points),
            "components": _frame_json(result.components),
            "backtest": _backtest_json(result.backtest),
            "notes": list(result.notes),
            "elapsed_seconds": result.elapsed_seconds,
        }
    )


def result_from_json(text: str) -> ForecastResult | None:
    """Returns the forecast result stored as `text`, or None if it has another format."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        return None
    return ForecastResult(
        scope=data["scope"],
        freq=data["freq"],
        horizon=data["horizon"],
        method=data["method"],
        reason=data["reason"],
        points=_frame_from(data["points"]),
        components=_frame_from(data["components"]),
        backtest=_backtest_from(data["backtest"]),
        notes=data["notes"],
        elapsed_seconds=data["elapsed_seconds"],
    )


class StoredCache(ForecastCache):
    """The in-process forecast cache, falling back to results stored in the database.

    `lookup(key)` returns the stored JSON or None (a read-only repository's
    `stored_forecast`); `store(key, text)`, when given, also writes each new result.
    Results live in `memory` (default: the process's DEFAULT_CACHE).
    """

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        store: Callable[[str, str], None] | None = None,
        memory: ForecastCache = DEFAULT_CACHE,
    ) -> None:
        super().__init__(memory.maxsize)
        self.memory, self.lookup, self.store = memory, lookup, store

    def get(self, key: str) -> ForecastResult | None:
        """Returns the result from memory, else from the database (then kept in memory)."""
        hit = self.memory.get(key)
        if hit is not None:
            return hit
        text = self.lookup(key)
        result = None if text is None else result_from_json(text)
        if result is not None:
            self.memory.put(key, result)
        return result

    def put(self, key: str, result: ForecastResult) -> None:
        """Keeps `result` in memory (and writes it to the database when a store is given)."""
        self.memory.put(key, result)
        if self.store is not None:
            self.store(key, result_to_json(result))


def precompute_forecasts(repo: Repository, cache: ForecastCache, settings: Settings) -> int:
    """Fits what the pages show first for the whole company into `cache`; returns the fits.

    The Overview's monthly forecast (the quarter call's Prophet view is the same fit) and the
    Forecast page's default forecast with its backtest, called exactly as the pages call them
    (`settings` gives the frequency, horizon and model options the pages start with). A
    viewer limited to part of the company, or other choices on the page, are fitted when
    first asked.
    """
    from salesops.forecast.report import build_forecast_report, forecast_inputs

    monthly = forecast_inputs(repo, MONTH.code, EVERYTHING, None, False)
    build_forecast_report(monthly, settings.forecast_horizon, backtest=False, cache=cache)
    page = (
        monthly
        if settings.forecast_freq == MONTH.code
        else forecast_inputs(repo, settings.forecast_freq, EVERYTHING, None, False)
    )
    build_forecast_report(
        page, settings.forecast_horizon, None, True, page_params(settings), cache=cache
    )
    return 2


def refresh_stored_forecasts(engine: Engine, settings: Settings) -> int:
    """Fits the pages' default forecasts on `engine`'s data and stores them; returns how many.

    Run after every load, import, undo and `db upgrade` (after the data's own transaction:
    a result is only found for the series it was fitted on, so it cannot be stale). Fitted
    afresh (not from this process's cache), so every result is written.
    """
    from salesops.db.stored_forecasts import replace_stored_forecasts

    fitted: dict[str, str] = {}
    cache = StoredCache(
        lambda key: None, lambda key, text: fitted.__setitem__(key, text), ForecastCache()
    )
    precompute_forecasts(Repository(engine), cache, settings)
    return replace_stored_forecasts(engine, fitted)


def store_page_forecasts(engine: Engine, settings: Settings) -> tuple[bool, str]:
    """Refreshes what pages read precomputed after a write; returns (stored, a sentence).

    The stored forecasts, then the Overview's default results (salesops.overview_store,
    whose monthly forecast reads them). The write itself has committed by then, so a
    failure here does not undo it: the sentence says what was not stored and why (pages
    then compute it when first opened), and it is logged as a warning.
    """
    from salesops.overview_store import refresh_stored_overview

    try:
        count = refresh_stored_forecasts(engine, settings)
    except Exception as exc:  # the data is written; say what failed instead of failing it
        logger.warning("Forecasts not stored: %s", exc, exc_info=True)
        return False, f"Forecasts not stored (pages will fit them when first opened): {exc}"
    try:
        results = refresh_stored_overview(engine, settings)
    except Exception as exc:
        logger.warning("Overview results not stored: %s", exc, exc_info=True)
        return False, (
            f"Stored {count} forecasts for the Overview and the Forecast page; the Overview's "
            f"other results not stored (it will compute them when first opened): {exc}"
        )
    return True, (
        f"Stored {count} forecasts for the Overview and the Forecast page, and "
        f"{results} Overview results."
    )
