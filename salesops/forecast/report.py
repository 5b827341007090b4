"""The forecast report: every figure the Forecast page and `salesops forecast` show.

`forecast_report` reads the repository once (bookings, open pipeline, stage outcomes,
quotas, headcount), fits the chosen scope and, with `by`, every territory or segment
(worker processes + result cache, see salesops.forecast.series_forecast), and builds the
quarter view: pipeline-weighted forecast, Prophet forecast and quota. Where the scope's won
deals carry no amount (salesops.kpis.won_amounts) nothing is fitted: every bookings figure
is undefined with the reason. `what_if_view`
re-prices the fitted forecast under what-if assumptions without touching the database or
Prophet. Every default comes from `Settings` (section forecast).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from salesops.calendar import add_months
from salesops.capacity.ramp import RampModel
from salesops.capacity.report import company_ramp
from salesops.config import Settings
from salesops.definitions import define
from salesops.forecast.backtest import Backtest
from salesops.forecast.cache import DEFAULT_CACHE, ForecastCache
from salesops.forecast.frequency import MONTH, Frequency, frequency, period_start
from salesops.forecast.params import DEFAULT_PARAMS, ProphetParams
from salesops.forecast.pipeline import pipeline_weighted_forecast, stage_win_probabilities
from salesops.forecast.quarters import quarters_from
from salesops.forecast.quota import forecast_vs_quota
from salesops.forecast.series import series_by_scope
from salesops.forecast.series_forecast import ForecastResult, empty_components, forecast_many
from salesops.forecast.summary import json_number, summarise
from salesops.forecast.what_if import WhatIf, apply_what_if
from salesops.formatting import format_value
from salesops.kpis.won_amounts import ALL_PRICED, WonAmounts, won_amounts
from salesops.repository import EVERYTHING, Repository, Scope

BY_CHOICES = ("territory", "segment")


@dataclass(frozen=True)
class ForecastReport:
    """A fitted forecast of one scope, optional per-territory/segment forecasts, quarter view.

    `main` and `breakdown` values may be fitted beyond `horizon` so the quarter view
    reaches the end of its last quarter; `shown_points` trims to what the user asked for.
    """

    freq: str
    horizon: int
    by: str | None
    scope: Scope
    scope_label: str
    as_of: date
    main: ForecastResult
    breakdown: dict[str, ForecastResult]
    probabilities: pd.DataFrame
    pipeline: pd.DataFrame
    quotas: pd.DataFrame
    vs_quota: pd.DataFrame
    base_reps: int
    elapsed_seconds: float
    notes: list[str] = field(default_factory=list)
    ramp: RampModel | None = None
    overdue: dict[str, float] | None = None  # deals, amount overdue at as_of
    amounts: WonAmounts = ALL_PRICED  # won deals with and without an amount

    @property
    def bookings_reason(self) -> str | None:
        """Returns why bookings (so every forecast of them) are undefined, else None."""
        return self.amounts.reason

    def overdue_sentence(self, currency: str) -> str:
        """Returns the overdue deals in words, with the one definition (or "" without them)."""
        if self.overdue is None:
            return ""
        amount = format_value(self.overdue["amount"], "money", currency)
        return (
            f"Overdue as of {self.as_of:%d %b %Y}: {int(self.overdue['deals']):,} open deals, "
            f"{amount} (counted in the current quarter). "
            f"{define('overdue')}"
        )

    def shown_points(self, result: ForecastResult | None = None) -> pd.DataFrame:
        """Returns the points of `result` (default: main) with at most `horizon` future rows."""
        return _within_horizon((result or self.main).points, self.horizon)

    def forecast_table(self) -> pd.DataFrame:
        """Returns every shown point of every forecast, one row per scope and period.

        Columns: scope, method, ds, actual, yhat, yhat_lower, yhat_upper, is_future.
        """
        frames = []
        for label, result in [(self.scope_label, self.main), *self.breakdown.items()]:
            frame = self.shown_points(result)
            frame.insert(0, "method", result.method)
            frame.insert(0, "scope", label)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def quarter_table(self) -> pd.DataFrame:
        """Returns the quarter view: pipeline-weighted and Prophet forecasts next to quota.

        Columns: period, open_amount, weighted_amount, overdue_amount, won_to_date,
        pipeline_forecast, forecast, quota, attainment, gap, reason.
        """
        pipe = self.pipeline.rename(columns={"forecast": "pipeline_forecast"})
        vs = self.vs_quota.drop(columns=["pipeline_forecast"])
        return pipe.merge(vs, on="period", how="left")

    def to_dict(self) -> dict[str, Any]:
        """Returns the JSON-ready report (DESIGN.md `forecast` shape; undefined -> null)."""
        series = []
        for label, result in [(self.scope_label, self.main), *self.breakdown.items()]:
            shown = ForecastResult(
                scope=label,
                freq=result.freq,
                horizon=self.horizon,
                method=result.method,
                reason=result.reason,
                points=self.shown_points(result),
                components=result.components,
                backtest=result.backtest,
                notes=result.notes,
            )
            series.append(summarise(shown))
        return {
            "freq": self.freq,
            "horizon": self.horizon,
            "by": self.by,
            "as_of": self.as_of.isoformat(),
            "overdue": None
            if self.overdue is None
            else {**self.overdue, "as_of": self.as_of.isoformat()},
            "bookings": self.amounts.to_json(),
            "series": series,
            "pipeline_weighted": self._quarters_json(),
            "stage_probabilities": self._probabilities_json(),
            "notes": list(self.notes),
        }

    def _quarters_json(self) -> list[dict[str, Any]]:
        """Returns the quarter view's rows for JSON (amounts to cents, attainment to 4 places)."""
        return [
            {
                "period": row.period.date().isoformat(),
                "open_amount": json_number(row.open_amount),
                "weighted_amount": json_number(row.weighted_amount),
                "overdue_amount": json_number(row.overdue_amount),
                "won_to_date": json_number(row.won_to_date),
                "pipeline_forecast": json_number(row.pipeline_forecast),
                "prophet_forecast": json_number(row.forecast),
                "quota": json_number(row.quota),
                "attainment": None if pd.isna(row.attainment) else round(row.attainment, 4),
                "gap": json_number(row.gap),
                "reason": row.reason,
            }
            for row in self.quarter_table().itertuples(index=False)
        ]

    def _probabilities_json(self) -> list[dict[str, Any]]:
        """Returns the stage probabilities used, for JSON."""
        return [
            {
                "stage": row.stage,
                "probability": round(float(row.probability), 4),
                "source": row.source,
                "reached": int(row.reached),
                "won": int(row.won),
            }
            for row in self.probabilities.itertuples(index=False)
        ]


def _within_horizon(points: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Returns the history rows of `points` and at most `horizon` future rows."""
    future_rank = points["is_future"].cumsum()
    return points[~points["is_future"] | (future_rank <= horizon)].reset_index(drop=True)


def _periods_to_cover(
    last_history: pd.Timestamp, as_of: date, spec: Frequency, n_quarters: int
) -> int:
    """Returns how many periods after `last_history` reach the end of the quarter view."""
    view_end = pd.Timestamp(quarters_from(as_of, n_quarters)[-1].last_day)
    dates = pd.date_range(last_history, view_end, freq=spec.alias)
    return max(0, len(dates) - 1)


def _scope_label(scope: Scope, names: dict[int, str]) -> str:
    """Returns the scope in words: "All", or its territories, segments and rep count."""
    if scope.is_everything:
        return "All"
    parts = [names.get(t, str(t)) for t in scope.territory_ids] + list(scope.segments)
    if scope.rep_ids:
        parts.append(f"{len(scope.rep_ids)} rep(s)")
    return ", ".join(parts)


def stage_lookback_start(as_of: date, months: int = Settings.stage_lookback_months) -> date:
    """Returns the first day of the `months` calendar months, this one included, ending at as_of.

    Stage-to-win rates are measured on deals closed since then. Whole months let the
    query read only the stage-outcome rollup (a partial first month costs a join of
    history and deals: 1.4-4 s at the large scale).
    """
    return add_months(as_of.replace(day=1), 1 - months)


@dataclass(frozen=True)
class ForecastInputs:
    """Everything the forecast reads from the database for one frequency and scope.

    Fetched once by `forecast_inputs` (the slow part is `stage_outcomes` on a large
    history); `build_forecast_report` then works without the database, so the page
    caches the inputs and refits only what changed.
    """

    freq: str
    scope: Scope
    as_of: date
    names: dict[int, str]
    bookings: pd.DataFrame
    monthly_bookings: pd.DataFrame
    probabilities: pd.DataFrame
    open_pipeline: pd.DataFrame
    quotas: pd.DataFrame
    base_reps: int
    ramp: RampModel | None = None
    overdue: dict[str, float] | None = None  # deals, amount overdue at as_of (definitions)
    amounts: WonAmounts = ALL_PRICED  # won deals with and without an amount


def forecast_inputs(
    repo: Repository,
    freq: str,
    scope: Scope = EVERYTHING,
    as_of: date | None = None,
    with_pipeline: bool = True,
    settings: Settings | None = None,
) -> ForecastInputs:
    """Returns the forecast's inputs read from the repository (seven GROUP BY queries).

    `as_of` defaults to the last date with data, so a demo database looks current. Stage
    probabilities are measured on deals closed in the `stage_lookback_months` calendar
    months up to `as_of`. Without `with_pipeline` the open pipeline and the stage history
    are not read (the pipeline view is then empty; the Overview headline needs only
    forecast and quota). `settings` defaults to `Settings()`.
    """
    settings = settings or Settings()
    spec = frequency(freq)
    if as_of is None:
        as_of = repo.data_bounds()["last"] or date.today()
    territories = repo.territories()
    names = dict(zip(territories["id"].tolist(), territories["name"].tolist(), strict=True))
    bookings = _closed_history(repo.bookings_by_period(spec.code, scope), repo)
    monthly = (
        bookings
        if spec == MONTH
        else _closed_history(repo.bookings_by_period(MONTH.code, scope), repo)
    )
    outcomes, pipeline = _stage_outcomes_and_pipeline(repo, scope, as_of, with_pipeline, settings)
    probabilities = stage_win_probabilities(
        outcomes, repo.stages(), settings.min_stage_observations
    )
    quarters = quarters_from(as_of, settings.forecast_quarters)
    quota_rows = repo.quotas_by_month(quarters[0].start, quarters[-1].last_day, scope)
    return ForecastInputs(
        freq=spec.code,
        scope=scope,
        as_of=as_of,
        names=names,
        bookings=bookings,
        monthly_bookings=monthly[["ds", "y"]],
        probabilities=probabilities,
        open_pipeline=pipeline,
        quotas=quota_rows[["period_start", "amount"]],
        base_reps=int(repo.active_reps(as_of, scope)["reps"].sum()),
        ramp=company_ramp(repo, settings),
        overdue=repo.overdue_pipeline(as_of, scope) if with_pipeline else None,
        amounts=won_amounts(repo, scope),
    )


def _closed_history(bookings: pd.DataFrame, repo: Repository) -> pd.DataFrame:
    """Returns `bookings`, or zero bookings spanning the closed deals when none was won.

    A history of lost deals only is a history of zero bookings: the forecast is 0 with a
    low-data warning (salesops.forecast.history), not "nothing to forecast".
    """
    if not bookings.empty:
        return bookings
    bounds = repo.closed_bounds()
    if bounds["first"] is None:
        return bookings
    edges = pd.to_datetime(pd.Series([bounds["first"], bounds["last"]]))
    zeros = pd.DataFrame({"ds": edges, "y": 0.0, "deals": 0})
    return zeros.reindex(columns=bookings.columns).astype(
        {c: bookings[c].dtype for c in ("y", "deals") if c in bookings}
    )


def _stage_outcomes_and_pipeline(
    repo: Repository, scope: Scope, as_of: date, with_pipeline: bool, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (stage outcomes over the lookback, open pipeline); empty frames without pipeline."""
    if with_pipeline:
        since = stage_lookback_start(as_of, settings.stage_lookback_months)
        return repo.stage_outcomes(scope, since), repo.open_pipeline(scope)
    outcomes = pd.DataFrame({"stage": [], "reached": [], "won": []})
    pipeline = pd.DataFrame(
        {
            "expected_close": pd.Series([], dtype="datetime64[ns]"),
            "stage": [],
            "open_amount": [],
        }
    )
    return outcomes, pipeline


def build_forecast_report(
    inputs: ForecastInputs,
    horizon: int,
    by: str | None = None,
    backtest: bool = True,
    params: ProphetParams = DEFAULT_PARAMS,
    cache: ForecastCache | None = DEFAULT_CACHE,
    max_workers: int | None = None,
    settings: Settings | None = None,
) -> ForecastReport:
    """Returns the forecast report built from already-read inputs (no database access).

    Args:
        inputs: see `forecast_inputs`.
        horizon: future periods to show (the fit may reach further, to the end of the
            quarter view).
        by: None, "territory" or "segment": also forecast each one (small multiples).
        backtest: run the rolling-origin backtest for every forecast.
        params: Prophet settings.
        cache: forecast result cache (None fits every time).
        max_workers: worker processes for fitting many scopes (None: one per core).
        settings: backtest cutoffs and quarter view (default: `Settings()`).
    """
    started = time.perf_counter()
    settings = settings or Settings()
    spec = frequency(inputs.freq)
    if horizon < 1:
        raise ValueError("horizon must be at least 1 period.")
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"Unknown breakdown {by!r}: use territory or segment.")
    label = _scope_label(inputs.scope, inputs.names)
    if inputs.amounts.reason is not None:
        return _undefined_report(inputs, horizon, by, backtest, label, settings, started)
    scopes = _scope_series(inputs, spec, by, label)
    fit_horizon = max(horizon, _fit_horizon(scopes[label], inputs.as_of, spec, settings))
    fitted = forecast_many(
        scopes,
        spec,
        fit_horizon,
        params,
        backtest,
        settings.backtest_cutoffs,
        cache=cache,
        max_workers=max_workers,
    )
    main = fitted[label]
    breakdown = {k[1:]: replace(v, scope=k[1:]) for k, v in fitted.items() if k.startswith("\0")}
    pipeline = _pipeline_view(inputs, settings)
    vs_quota = forecast_vs_quota(
        main.points, inputs.quotas, inputs.as_of, spec, pipeline, settings.forecast_quarters
    )
    notes = []
    if fit_horizon > horizon:
        notes.append(
            f"fitted {fit_horizon} {spec.unit}s ahead so the quarter view reaches the end of "
            "next quarter"
        )
    return ForecastReport(
        freq=spec.code,
        horizon=horizon,
        by=by,
        scope=inputs.scope,
        scope_label=label,
        as_of=inputs.as_of,
        main=main,
        breakdown=breakdown,
        probabilities=inputs.probabilities,
        pipeline=pipeline,
        quotas=inputs.quotas,
        vs_quota=vs_quota,
        base_reps=inputs.base_reps,
        elapsed_seconds=time.perf_counter() - started,
        notes=notes,
        ramp=inputs.ramp,
        overdue=inputs.overdue,
        amounts=inputs.amounts,
    )


def _undefined_report(
    inputs: ForecastInputs,
    horizon: int,
    by: str | None,
    backtest: bool,
    label: str,
    settings: Settings,
    started: float,
) -> ForecastReport:
    """Returns the report where bookings are undefined: nothing fitted, every figure undefined.

    Won deals carry no amount, so a forecast of zeros would be a wrong number: the points are
    empty, won to date and every forecast are NaN (null in JSON), each quarter's reason says
    why; the open pipeline's amounts stand.
    """
    reason = str(inputs.amounts.reason)
    spec = frequency(inputs.freq)
    main = undefined_result(label, spec.code, horizon, reason, backtest)
    pipeline = _pipeline_view(inputs, settings)
    pipeline[["won_to_date", "forecast"]] = np.nan
    vs_quota = forecast_vs_quota(
        main.points, inputs.quotas, inputs.as_of, spec, pipeline, settings.forecast_quarters
    )
    vs_quota["reason"] = inputs.amounts.short_reason
    return ForecastReport(
        freq=spec.code,
        horizon=horizon,
        by=by,
        scope=inputs.scope,
        scope_label=label,
        as_of=inputs.as_of,
        main=main,
        breakdown={},
        probabilities=inputs.probabilities,
        pipeline=pipeline,
        quotas=inputs.quotas,
        vs_quota=vs_quota,
        base_reps=inputs.base_reps,
        elapsed_seconds=time.perf_counter() - started,
        ramp=inputs.ramp,
        overdue=inputs.overdue,
        amounts=inputs.amounts,
    )


def undefined_result(
    scope: str, freq: str, horizon: int, reason: str, backtest: bool
) -> ForecastResult:
    """Returns a forecast of nothing (method "none", no points) that says `reason`."""
    points = pd.DataFrame(
        {
            "ds": pd.Series([], dtype="datetime64[ns]"),
            **{
                c: pd.Series([], dtype="float64")
                for c in ("actual", "yhat", "yhat_lower", "yhat_upper")
            },
            "is_future": pd.Series([], dtype=bool),
        }
    )
    return ForecastResult(
        scope=scope,
        freq=freq,
        horizon=horizon,
        method="none",
        reason=reason,
        points=points,
        components=empty_components(),
        backtest=Backtest.not_run(horizon, f"no backtest: {reason}") if backtest else None,
    )


def _pipeline_view(inputs: ForecastInputs, settings: Settings) -> pd.DataFrame:
    """Returns the pipeline-weighted quarters, the overdue amount in the current one."""
    return pipeline_weighted_forecast(
        inputs.open_pipeline,
        inputs.probabilities,
        inputs.as_of,
        inputs.monthly_bookings,
        settings.forecast_quarters,
        overdue_amount=None if inputs.overdue is None else inputs.overdue["amount"],
    )


def _scope_series(
    inputs: ForecastInputs, spec: Frequency, by: str | None, label: str
) -> dict[str, pd.DataFrame]:
    """Returns the series to fit: the scope's total under `label`, each part NUL-prefixed.

    The NUL prefix keeps a part apart from the total even when a part has the same name.
    """
    totals = series_by_scope(
        inputs.bookings, spec, None, inputs.names, as_of=inputs.as_of, total_label=label
    )
    parts = (
        series_by_scope(inputs.bookings, spec, by, inputs.names, as_of=inputs.as_of) if by else {}
    )
    return {label: totals[label], **{f"\0{k}": v for k, v in parts.items()}}


def _fit_horizon(
    total_series: pd.DataFrame, as_of: date, spec: Frequency, settings: Settings
) -> int:
    """Returns the periods a fit must reach so the quarter view is covered."""
    last = (
        total_series["ds"].iloc[-1]
        if len(total_series)
        else period_start(pd.Series([pd.Timestamp(as_of)]), spec)[0] - spec.offset()
    )
    return _periods_to_cover(last, as_of, spec, settings.forecast_quarters)


def forecast_report(
    repo: Repository,
    freq: str,
    horizon: int,
    by: str | None = None,
    scope: Scope = EVERYTHING,
    backtest: bool = True,
    params: ProphetParams = DEFAULT_PARAMS,
    as_of: date | None = None,
    cache: ForecastCache | None = DEFAULT_CACHE,
    max_workers: int | None = None,
    settings: Settings | None = None,
) -> ForecastReport:
    """Returns the forecast report for a scope: `forecast_inputs` then `build_forecast_report`.

    See those two for the arguments; this is what the CLI and the benchmark call.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 period.")
    inputs = forecast_inputs(repo, freq, scope, as_of, settings=settings)
    return build_forecast_report(
        inputs, horizon, by, backtest, params, cache, max_workers, settings=settings
    )


def what_if_view(report: ForecastReport, what_if: WhatIf) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (adjusted points, adjusted forecast vs quota) for the main forecast.

    Array arithmetic on the fitted forecast (see `salesops.forecast.what_if.apply_what_if`):
    no query, no refit. The points are trimmed to the report's horizon; the quarter
    view uses the whole fitted horizon. Win-rate changes also scale the weighted pipeline.
    """
    adjusted = apply_what_if(report.main.points, report.freq, what_if, report.base_reps)
    pipeline = report.pipeline.copy()
    pipeline["forecast"] = pipeline["won_to_date"] + pipeline["weighted_amount"] * (
        1 + what_if.win_rate_change
    )
    vs_quota = forecast_vs_quota(
        adjusted, report.quotas, report.as_of, report.freq, pipeline, len(report.pipeline)
    )
    return _within_horizon(adjusted, report.horizon), vs_quota
