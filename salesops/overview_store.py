"""Pages' default results, computed after every load and import and stored by data version.

A cold Overview read seven reports (KPIs, bookings against quota, the quarter call, the
monthly forecast's inputs, territory data, rep time, this week's waterfall, cash) and
built two more from them: 2 s of CPU at 1M deals. A cold Pipeline review read its week's
review (0.9 s CPU at 1M deals); the stale list and the meeting pack's cash section, read
when asked, take 2 s CPU together. The KPIs, Order to cash and Plan pages' first reads are
stored too (`page_calls`). After each load, import, undo and
`db upgrade` (beside the stored forecasts: salesops.forecast.stored.store_page_forecasts)
they are computed once, exactly as the pages ask for them with their default filters for a
viewer who sees everything (`stored_calls`), and kept as exact JSON (salesops.typed_json)
beside the stored forecasts (salesops.db.stored_results). The pages' cache
(salesops.ui.cache) looks a stored result up before computing one.

Never stale: a result's key hashes the data version with the call (`result_key`), and every
writer of rows records a new data version in the transaction that writes them
(salesops.db.migrate.bump_data_version), so a result is found only for the very data it
was computed on. Results are written only if the data version is still the one they were
computed on, replacing every result of older data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from salesops import typed_json
from salesops.calendar import COMPARISONS, PERIOD_PRESETS, comparison_period, preset_period
from salesops.config import Settings
from salesops.repository import EVERYTHING, Repository, Scope

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

WHOLE_COMPANY = "Whole company"  # the default filters' scope label (ui.filter_state)


def call_name(fn: Callable) -> str:
    """Returns the name a cached call is known by (as salesops.ui.cache names it)."""
    return f"{fn.__module__}.{fn.__qualname__}"


@dataclass(frozen=True)
class Call:
    """One cached call of the page: fn(repo, *args, **kwargs), or fn of its sources' results.

    `sources` (for a derived result, ui.cache.cached_from) are the calls whose results are
    fn's first arguments; `kwargs` are sorted (name, value) pairs, as the cache keys them.
    `fits`: fn also takes the forecast fit cache as `cache` (unhashed, as the page gives it).
    """

    fn: Callable
    args: tuple = ()
    kwargs: tuple = ()
    sources: tuple[Call, ...] = ()
    fits: bool = False

    @property
    def parts(self) -> tuple:
        """Returns what identifies the call in the page's cache (its name and arguments)."""
        name = call_name(self.fn)
        if not self.sources:
            return (name, self.args, self.kwargs)
        sources = tuple((call_name(c.fn), c.args, ()) for c in self.sources)
        return (name, sources, self.args, self.kwargs)


def _keyed(value: Any) -> Any:
    """Returns `value` with every Settings' database URL blanked (the same data, any URL)."""
    if isinstance(value, Settings):
        return dataclasses.replace(value, database_url="")
    if isinstance(value, tuple):
        return tuple(_keyed(v) for v in value)
    return value


def result_key(version: str, parts: tuple, visible: Scope, team: Scope) -> str:
    """Returns the stored key of a call (`Call.parts`) on data `version` for a viewer's scopes.

    "overview:" and 55 hex digits of a SHA-256 (220 bits): 64 characters, as the table's keys.
    """
    from salesops.db.stored_results import PREFIX

    canonical = json.dumps(typed_json.encode((_keyed(parts), visible, team)), sort_keys=True)
    digest = hashlib.sha256(f"{version}\n{canonical}".encode()).hexdigest()
    return PREFIX + digest[: 64 - len(PREFIX)]


def stored_names(page: str | None = None) -> frozenset[str]:
    """Returns the names of the calls stored for `page` (a file name in pages/, or "overview").

    Without `page`, those of every page: the pages' cache looks up only calls of these names.
    """
    fns = _page_fns()
    chosen = [fns.get(page, ())] if page is not None else list(fns.values())
    return frozenset(call_name(fn) for page_fns in chosen for fn in page_fns)


def _page_fns() -> dict[str, tuple[Callable, ...]]:
    """Returns the functions of each page's stored calls (see `stored_calls`)."""
    from salesops.call.report import call_report
    from salesops.cash.report import cash_report
    from salesops.forecast.report import build_forecast_report, forecast_inputs
    from salesops.kpis.attainment import bookings_vs_quota
    from salesops.kpis.report import kpi_report
    from salesops.plan.backtest import backtest_inputs
    from salesops.plan.report import plan_inputs
    from salesops.territory.report import build_report, territory_data
    from salesops.time_allocation.report import time_report

    overview: tuple[Callable, ...] = (
        call_report, build_forecast_report, forecast_inputs, bookings_vs_quota, kpi_report,
        build_report, territory_data, time_report, *_headline_fns(),
    )  # fmt: skip
    return {
        "overview": overview,
        "pipeline_review": _review_fns(),
        "kpis": (kpi_report,),
        "cash": (cash_report,),
        "plan": (plan_inputs, backtest_inputs),
        "forecast": (forecast_inputs, build_forecast_report),
    }


def _headline_fns() -> tuple[Callable, ...]:
    from salesops.cash.headline import cash_headline
    from salesops.pipeline_review.report import review_waterfall

    return (cash_headline, review_waterfall)


def _review_fns() -> tuple[Callable, ...]:
    from salesops.cash.pack import pack_cash_report
    from salesops.pipeline_review.report import (
        pack_review,
        review_list,
        review_stale,
        review_summary,
        stale_figures,
    )

    return (review_summary, review_list, pack_review, review_stale, stale_figures, pack_cash_report)


def default_period(
    settings: Settings, last: date, first_closed: date | None = None
) -> tuple[Any, Any]:
    """Returns the default filters' (period, comparison period) for data ending on `last`."""
    preset = settings.default_period_preset
    preset = preset if preset in PERIOD_PRESETS and preset != "custom" else "trailing"
    compare = settings.default_comparison
    compare = compare if compare in COMPARISONS else "previous"
    period = preset_period(preset, last, settings.default_period_months, first_closed)
    previous = comparison_period(period, preset, compare) or period.previous()
    return period, previous


def overview_calls(repo: Repository, settings: Settings, today: date) -> list[Call]:
    """Returns the Overview's cached calls with its default filters, as the page makes them.

    tests/app/test_overview_stored.py holds this list to the page: once stored, a cold
    Overview computes none of them.
    """
    from salesops.call.report import call_report
    from salesops.cash.headline import cash_headline
    from salesops.forecast.frequency import MONTH
    from salesops.forecast.report import build_forecast_report, forecast_inputs
    from salesops.kpis.attainment import bookings_vs_quota
    from salesops.kpis.report import kpi_report
    from salesops.pipeline_review.report import current_week, review_waterfall
    from salesops.territory.report import build_report, territory_data
    from salesops.time_allocation.report import time_report

    bounds = repo.data_bounds()
    last = bounds["last"]
    if last is None:
        return []
    period, previous = default_period(settings, last, bounds["first_closed"])
    scope = Scope()
    inputs = Call(forecast_inputs, (MONTH.code, scope, None, False))
    territory = Call(territory_data, (scope, period.end))
    calls = [
        Call(kpi_report, (period, scope, settings, 12, ()), (("previous", previous),)),
        Call(bookings_vs_quota, (last, scope)),
        Call(call_report, (None, None, None, Scope(), WHOLE_COMPANY)),
        inputs,
        Call(
            build_forecast_report,
            (settings.forecast_horizon,),
            (("backtest", False),),
            (inputs,),
            fits=True,
        ),
        territory,
        Call(build_report, sources=(territory,)),
        Call(time_report, (period, scope, settings, settings.time_trend_freq)),
    ]
    history_last = repo.history_bounds()["last"]
    if history_last is not None:
        calls.append(Call(review_waterfall, (current_week(today, history_last)[0],)))
    orders_last = repo.order_bounds()["last"]
    if orders_last is not None:
        calls.append(Call(cash_headline, (last, scope, settings)))
    return calls


def review_calls(repo: Repository, settings: Settings, today: date) -> list[Call]:
    """Returns the Pipeline review's cached calls with its default choice, as the page makes them.

    The default week for the whole company with the default thresholds: the week's
    summary (all the page draws first: a few kB), and what the page reads only when asked:
    each deal list (its tab), the review the meeting pack reads and its cash section (a
    pack's download), the stale list (its tab) and its count and amount (the summary's
    stale row, shown only when stored). The summary, lists and pack's review are derived
    from the whole review (15.7 MB of JSON at 1M deals), which is computed for them but not
    stored: nothing on the default view reads it. tests/app/test_pipeline_review_stored.py
    holds this to the page.
    """
    from salesops.cash.pack import pack_cash_report
    from salesops.pipeline_review.deal_lists import LIST_NAMES
    from salesops.pipeline_review.report import (
        default_week,
        pack_review,
        review_list,
        review_report,
        review_stale,
        review_summary,
        stale_figures,
    )
    from salesops.pipeline_review.scope import COMPANY

    last = repo.history_bounds()["last"]
    if last is None:
        return []
    week = default_week(today, last)
    # As the page's inputs give them (ui.pipeline_review.review_controls)
    thresholds = dataclasses.replace(
        settings, stale_days=int(settings.stale_days), big_change=float(settings.big_change)
    )
    report = Call(review_report, (week, COMPANY, thresholds, False))  # without the stale list
    # Each list's tab but the stale list's, which the review is read without
    lists = [Call(review_list, (n,), sources=(report,)) for n in LIST_NAMES if n != "stale"]
    stale = Call(review_stale, (week, COMPANY, thresholds))
    return [
        Call(review_summary, sources=(report,)),
        *lists,
        Call(pack_review, sources=(report,)),
        stale,
        Call(stale_figures, sources=(stale,)),
        Call(pack_cash_report, (week, COMPANY.repository_scope, settings)),
    ]


def page_calls(repo: Repository, settings: Settings) -> list[Call]:
    """Returns the KPIs', Order to cash's, Plan's and Forecast's first cached calls by default.

    As the pages make them with their default filters and choices
    (tests/app/test_pages_stored.py holds them to the pages): the KPI report, the cash
    report, the plan's inputs and its track record's, the forecast's inputs and report.
    """
    from salesops.cash.report import cash_report
    from salesops.forecast.params import page_params
    from salesops.forecast.report import build_forecast_report, forecast_inputs
    from salesops.kpis.report import kpi_report
    from salesops.plan.backtest import backtest_inputs
    from salesops.plan.report import plan_inputs
    from salesops.territory.report import periods_for

    bounds = repo.data_bounds()
    if bounds["last"] is None:
        return []
    period, previous = default_period(settings, bounds["last"], bounds["first_closed"])
    scope = Scope()
    calls = [
        Call(kpi_report, (period, scope, settings), (("previous", previous),)),
        Call(plan_inputs, (scope, period.end)),
        Call(backtest_inputs, (periods_for(period.end)[1].start, scope)),
    ]
    # The Forecast page's pickers and model options as they start (ui.forecast.pickers)
    inputs = Call(forecast_inputs, (settings.forecast_freq, scope))
    horizon = int(settings.forecast_horizon)
    report = Call(
        build_forecast_report,
        (horizon, None, True, page_params(settings)),
        sources=(inputs,),
        fits=True,
    )
    calls += [inputs, report]
    if repo.order_bounds()["first"] is not None:
        calls.append(Call(cash_report, (period, scope, settings)))
    return calls


def stored_calls(repo: Repository, settings: Settings, today: date) -> list[Call]:
    """Returns every call whose default result is stored: the Overview's, then other pages'."""
    return (
        overview_calls(repo, settings, today)
        + review_calls(repo, settings, today)
        + page_calls(repo, settings)
    )


def compute_overview(repo: Repository, settings: Settings, today: date) -> dict[tuple, Any]:
    """Returns each stored call's result (`stored_calls`), keyed by `Call.parts`.

    A source of derived calls that is not itself listed (the Pipeline review's whole
    review) is computed once for them and left out.
    """
    from salesops.forecast.cache import ForecastCache
    from salesops.forecast.stored import StoredCache

    fits = StoredCache(repo.stored_forecast, None, ForecastCache())
    results: dict[tuple, Any] = {}

    def result(call: Call) -> Any:
        if call.parts not in results:
            kwargs = dict(call.kwargs, **({"cache": fits} if call.fits else {}))
            if call.sources:
                values = [result(source) for source in call.sources]
                results[call.parts] = call.fn(*values, *call.args, **kwargs)
            else:
                results[call.parts] = call.fn(repo, *call.args, **kwargs)
        return results[call.parts]

    calls = stored_calls(repo, settings, today)
    return {call.parts: result(call) for call in calls}


def refresh_stored_overview(engine: Engine, settings: Settings, today: date | None = None) -> int:
    """Computes the pages' default results (`stored_calls`) on `engine`'s data and stores them.

    Returns how many were stored: none when the data changed meanwhile (its own refresh
    stores them) or before any data. Run after the data's transaction (and after the stored
    forecasts, which the monthly forecast reads).
    """
    from salesops.db.stored_results import replace_stored_results

    repo = Repository(engine)
    version = repo.data_version()
    if version is None:
        return 0
    today = today or datetime.now(UTC).date()
    results = compute_overview(repo, settings, today)
    rows = {
        result_key(version, parts, EVERYTHING, EVERYTHING): typed_json.dumps(value)
        for parts, value in results.items()
    }
    return replace_stored_results(engine, version, rows)
