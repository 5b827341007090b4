"""The forecast report: every figure the Forecast page and `salesops forecast` show.

`forecast_report` reads the repository once (bookings, open pipeline, stage outcomes,
quotas, headcount), fits the chosen scope and, with `by`, every territory or segment
(worker processes + result cache, see salesops.forecast), and builds the quarter view:
pipeline-weighted forecast, Prophet forecast and quota. `what_if_view` re-prices the
fitted forecast under what-if assumptions without touching the database or Prophet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from salesops import forecast as fc
from salesops.calendar import add_months
from salesops.repository import EVERYTHING, Repository, Scope

BY_CHOICES = ("territory", "segment")
STAGE_LOOKBACK_MONTHS = 12
MIN_STAGE_OBSERVATIONS = 20


@dataclass(frozen=True)
class ForecastReport:
    """A fitted forecast of one scope, optional per-territory/segment forecasts, quarter view.

    `main` and `breakdown` values may be fitted beyond `horizon` so the quarter view
    reaches the end of next quarter; `shown_points` trims to what the user asked for.
    """

    freq: str
    horizon: int
    by: str | None
    scope: Scope
    scope_label: str
    as_of: date
    main: fc.ForecastResult
    breakdown: dict[str, fc.ForecastResult]
    probabilities: pd.DataFrame
    pipeline: pd.DataFrame
    quotas: pd.DataFrame
    vs_quota: pd.DataFrame
    base_reps: int
    elapsed_seconds: float
    notes: list[str] = field(default_factory=list)

    def shown_points(self, result: fc.ForecastResult | None = None) -> pd.DataFrame:
        """Returns the points of `result` (default: main) with at most `horizon` future rows."""
        points = (result or self.main).points
        future_rank = points["is_future"].cumsum()
        return points[~points["is_future"] | (future_rank <= self.horizon)].reset_index(drop=True)

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
            shown = fc.ForecastResult(
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
            series.append(fc.summarise(shown))
        quarters = []
        for row in self.quarter_table().itertuples(index=False):
            quarters.append(
                {
                    "period": row.period.date().isoformat(),
                    "open_amount": fc._num(row.open_amount),
                    "weighted_amount": fc._num(row.weighted_amount),
                    "overdue_amount": fc._num(row.overdue_amount),
                    "won_to_date": fc._num(row.won_to_date),
                    "pipeline_forecast": fc._num(row.pipeline_forecast),
                    "prophet_forecast": fc._num(row.forecast),
                    "quota": fc._num(row.quota),
                    "attainment": None if pd.isna(row.attainment) else round(row.attainment, 4),
                    "gap": fc._num(row.gap),
                    "reason": row.reason,
                }
            )
        probabilities = [
            {
                "stage": row.stage,
                "probability": round(float(row.probability), 4),
                "source": row.source,
                "reached": int(row.reached),
                "won": int(row.won),
            }
            for row in self.probabilities.itertuples(index=False)
        ]
        return {
            "freq": self.freq,
            "horizon": self.horizon,
            "by": self.by,
            "as_of": self.as_of.isoformat(),
            "series": series,
            "pipeline_weighted": quarters,
            "stage_probabilities": probabilities,
            "notes": list(self.notes),
        }


def _periods_to_cover(last_history: pd.Timestamp, as_of: date, spec: fc.Frequency) -> int:
    """Returns how many periods after `last_history` reach the end of next quarter."""
    next_quarter_end = fc.quarter_start(as_of) + pd.DateOffset(months=6) - pd.Timedelta(days=1)
    dates = pd.date_range(last_history, next_quarter_end, freq=spec.alias)
    return max(0, len(dates) - 1)


def _scope_label(scope: Scope, names: dict[int, str]) -> str:
    if scope.is_everything:
        return "All"
    parts = [names.get(t, str(t)) for t in scope.territory_ids] + list(scope.segments)
    if scope.rep_ids:
        parts.append(f"{len(scope.rep_ids)} rep(s)")
    return ", ".join(parts)


def stage_lookback_start(as_of: date) -> date:
    """Returns the first day of the 12 calendar months, this one included, ending at `as_of`.

    Stage-to-win rates are measured on deals closed since then. Whole months let the
    query read only the stage-outcome rollup (a partial first month costs a join of
    history and deals: 1.4-4 s at the large scale).
    """
    return add_months(as_of.replace(day=1), 1 - STAGE_LOOKBACK_MONTHS)


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


def forecast_inputs(
    repo: Repository,
    freq: str = "M",
    scope: Scope = EVERYTHING,
    as_of: date | None = None,
    with_pipeline: bool = True,
) -> ForecastInputs:
    """Returns the forecast's inputs read from the repository (seven GROUP BY queries).

    `as_of` defaults to the last date with data, so a demo database looks current. Stage
    probabilities are measured on deals closed in the 12 calendar months up to `as_of`. Without
    `with_pipeline` the open pipeline and the stage history are not read (the pipeline
    view is then empty; the Overview headline needs only forecast and quota).
    """
    spec = fc.frequency(freq)
    if as_of is None:
        as_of = repo.data_bounds()["last"] or date.today()
    territories = repo.territories()
    names = dict(zip(territories["id"].tolist(), territories["name"].tolist(), strict=True))
    bookings = repo.bookings_by_period(spec.code, scope)
    monthly = bookings if spec == fc.MONTH else repo.bookings_by_period("M", scope)
    if with_pipeline:
        outcomes = repo.stage_outcomes(scope, stage_lookback_start(as_of))
        pipeline = repo.open_pipeline(scope)
    else:
        outcomes = pd.DataFrame({"stage": [], "reached": [], "won": []})
        pipeline = pd.DataFrame(
            {
                "expected_close": pd.Series([], dtype="datetime64[ns]"),
                "stage": [],
                "open_amount": [],
            }
        )
    probabilities = fc.stage_win_probabilities(outcomes, repo.stages(), MIN_STAGE_OBSERVATIONS)
    q_start = fc.quarter_start(as_of).date()
    quota_rows = repo.quotas_by_month(q_start, q_start + timedelta(days=200), scope)
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
    )


def build_forecast_report(
    inputs: ForecastInputs,
    horizon: int = 6,
    by: str | None = None,
    backtest: bool = True,
    params: fc.ProphetParams = fc.DEFAULT_PARAMS,
    cache: fc.ForecastCache | None = fc.DEFAULT_CACHE,
    max_workers: int | None = None,
) -> ForecastReport:
    """Returns the forecast report built from already-read inputs (no database access).

    Args:
        inputs: see `forecast_inputs`.
        horizon: future periods to show (the fit may reach further, to the end of next quarter).
        by: None, "territory" or "segment": also forecast each one (small multiples).
        backtest: run the rolling-origin backtest for every forecast.
        params: Prophet settings.
        cache: forecast result cache (None fits every time).
        max_workers: worker processes for fitting many scopes (None: one per core).
    """
    started = time.perf_counter()
    spec = fc.frequency(inputs.freq)
    if horizon < 1:
        raise ValueError("horizon must be at least 1 period.")
    if by is not None and by not in BY_CHOICES:
        raise ValueError(f"Unknown breakdown {by!r}: use territory or segment.")
    as_of, names, bookings = inputs.as_of, inputs.names, inputs.bookings
    label = _scope_label(inputs.scope, names)
    totals = fc.series_by_scope(bookings, spec, None, names, as_of=as_of, total_label=label)
    parts = fc.series_by_scope(bookings, spec, by, names, as_of=as_of) if by else {}
    total_series = totals[label]
    last = (
        total_series["ds"].iloc[-1]
        if len(total_series)
        else fc.period_start(pd.Series([pd.Timestamp(as_of)]), spec)[0] - spec.offset()
    )
    fit_horizon = max(horizon, _periods_to_cover(last, as_of, spec))
    fitted = fc.forecast_many(
        {label: total_series, **{f"\0{k}": v for k, v in parts.items()}},
        spec,
        fit_horizon,
        params,
        backtest,
        cache=cache,
        max_workers=max_workers,
    )
    main = fitted[label]
    breakdown = {k[1:]: replace(v, scope=k[1:]) for k, v in fitted.items() if k.startswith("\0")}
    pipeline = fc.pipeline_weighted_forecast(
        inputs.open_pipeline, inputs.probabilities, as_of, won_to_date=inputs.monthly_bookings
    )
    vs_quota = fc.forecast_vs_quota(main.points, inputs.quotas, as_of, spec, pipeline=pipeline)
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
        as_of=as_of,
        main=main,
        breakdown=breakdown,
        probabilities=inputs.probabilities,
        pipeline=pipeline,
        quotas=inputs.quotas,
        vs_quota=vs_quota,
        base_reps=inputs.base_reps,
        elapsed_seconds=time.perf_counter() - started,
        notes=notes,
    )


def forecast_report(
    repo: Repository,
    freq: str = "M",
    horizon: int = 6,
    by: str | None = None,
    scope: Scope = EVERYTHING,
    backtest: bool = True,
    params: fc.ProphetParams = fc.DEFAULT_PARAMS,
    as_of: date | None = None,
    cache: fc.ForecastCache | None = fc.DEFAULT_CACHE,
    max_workers: int | None = None,
) -> ForecastReport:
    """Returns the forecast report for a scope: `forecast_inputs` then `build_forecast_report`.

    See those two for the arguments; this is what the CLI and the benchmark call.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 period.")
    inputs = forecast_inputs(repo, freq, scope, as_of)
    return build_forecast_report(inputs, horizon, by, backtest, params, cache, max_workers)


def what_if_view(report: ForecastReport, what_if: fc.WhatIf) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (adjusted points, adjusted forecast vs quota) for the main forecast.

    Array arithmetic on the fitted forecast (see `salesops.forecast.apply_what_if`):
    no query, no refit. The points are trimmed to the report's horizon; the quarter
    view uses the whole fitted horizon. Win-rate changes also scale the weighted pipeline.
    """
    adjusted = fc.apply_what_if(report.main.points, report.freq, what_if, report.base_reps)
    pipeline = report.pipeline.copy()
    pipeline["forecast"] = pipeline["won_to_date"] + pipeline["weighted_amount"] * (
        1 + what_if.win_rate_change
    )
    vs_quota = fc.forecast_vs_quota(
        adjusted, report.quotas, report.as_of, report.freq, pipeline=pipeline
    )
    future_rank = adjusted["is_future"].cumsum()
    shown = adjusted[~adjusted["is_future"] | (future_rank <= report.horizon)]
    return shown.reset_index(drop=True), vs_quota
