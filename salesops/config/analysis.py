"""The settings behind the reports: the app, access, KPIs, forecast and the call.

Each class is one theme of Settings (salesops.config), which joins them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.config.fields import setting


@dataclass(frozen=True)
class GeneralSettings:
    """Money, calendar and the app."""

    currency: str = setting("USD", "The one currency every amount in the database is in.")
    cache_ttl_seconds: int = setting(86_400, "Most seconds a result is cached (new data: at once).")
    data_version_check_seconds: int = setting(5, "Seconds between data-version checks.")
    background_read_delay_seconds: float = setting(
        2.0,
        "Seconds a page's background reads (for what it shows only on a click, such as the "
        "Pipeline review's stale list and meeting pack) wait after the page is drawn, so "
        "they do not compete with the browser drawing it.",
    )
    background_read_niceness: int = setting(
        10,
        "How much lower the OS priority of those background reads is (Linux nice, added to "
        "the server's): the browser and other requests go first.",
    )
    static_table_rows: int = setting(
        25,
        "A page's summary table with at most this many rows is drawn as static text; a larger "
        "one as a sortable grid (a grid costs a new tab ~0.5 s in the browser).",
    )
    static_table_columns: int = setting(
        8,
        "A summary table drawn as text shows at most this many columns (its key ones); every "
        "column is in a grid under it, drawn when opened.",
    )
    change_noise_pp: float = setting(
        0.5,
        "A rate's change smaller than this many percentage points is shown grey on a tile, "
        "not red or green.",
    )
    change_noise_share: float = setting(
        0.02,
        "Any other figure's change smaller than this share of the previous value is shown "
        "grey on a tile, not red or green.",
    )
    pdf_browser: str = setting(
        "chromium",
        "The headless Chromium (a command on PATH or a path) that prints the meeting pack "
        "to PDF; without one the pack is offered as HTML only.",
    )
    working_weeks_per_year: float = setting(
        46.0,
        "Working weeks in a rep's year (52 minus leave and public holidays); loaded hourly "
        "cost = annual_cost / (weekly_capacity_hours x working weeks).",
    )
    default_period_preset: str = setting(
        "trailing",
        "The app's period when a link names none: trailing (the last default_period_months "
        "whole months), this-quarter, qtd, last-quarter, ytd or last-year, counted from the "
        "data's latest day.",
    )
    default_comparison: str = setting(
        "previous",
        "What a period is compared with unless chosen: previous (the period before; a "
        "quarter or year to date against the same stretch of the one before) or year (the "
        "same dates a year earlier).",
    )


@dataclass(frozen=True)
class AccessSettings:
    """Sign-in, roles and the audit log."""

    access_recheck_seconds: int = setting(
        5,
        "How long a signed-in person's role and scope are remembered before the users table "
        "is read again (seconds): a user removed or changed loses access within this time.",
        "access",
    )
    audit_rows_listed: int = setting(
        200, "How many audit-log entries the Data page lists for admins (newest first).", "access"
    )


@dataclass(frozen=True)
class KpiSettings:
    """KPIs: CAC, LTV, win rate, cycle, the default period."""

    default_gross_margin: float = setting(
        0.65, "Gross margin used for LTV when an order carries no gross_margin amount.", "kpis"
    )
    ltv_horizon_months: int = setting(
        60,
        "Cap on expected customer lifetime (months) when little or no churn is observed.",
        "kpis",
    )
    churn_inactive_months: int = setting(
        6, "A customer with no order for this many months counts as churned.", "kpis"
    )
    ltv_to_cac_benchmark: float = setting(3.0, "Common LTV:CAC benchmark (3:1).", "kpis")
    default_period_months: int = setting(
        12, "The default period: the last N whole months of data.", "kpis"
    )
    trend_months: int = setting(12, "Months drawn on each KPI's monthly trend.", "kpis")
    min_sample_to_rank: int = setting(
        20,
        "Breakdown rankings: a row needs at least this many deals behind its rate (closed "
        "deals for win rate, won deals for cycle, leads for lead-to-opportunity) to be ranked.",
        "kpis",
    )


@dataclass(frozen=True)
class ForecastSettings:
    """The forecast: frequency, horizon, Prophet, the backtest."""

    forecast_freq: str = setting(
        "M",
        "Forecast frequency unless asked: M (calendar months) or W (weeks from Monday).",
        "forecast",
    )
    forecast_horizon: int = setting(
        6, "Periods forecast ahead unless the page or `--horizon` says otherwise.", "forecast"
    )
    forecast_max_horizon: int = setting(
        104, "Longest forecast horizon the page and the CLI accept (periods).", "forecast"
    )
    forecast_min_cycles: int = setting(
        2,
        "Yearly cycles of history Prophet needs (24 months, 104 weeks); a shorter history gets "
        "the seasonal-naive baseline, and a backtest cutoff needs as much training history.",
        "forecast",
    )
    backtest_cutoffs: int = setting(
        4, "Rolling-origin backtest cutoffs, spread evenly over the last year.", "forecast"
    )
    forecast_interval_width: float = setting(
        0.8, "Coverage of the forecast's uncertainty band (0.8 = 80%).", "forecast"
    )
    forecast_quarterly_seasonality: bool = setting(
        True, "Add a quarterly seasonality (period 91.3125 days) to the yearly one.", "forecast"
    )
    forecast_seasonality_mode: str = setting(
        "additive",
        "Prophet's seasonality: additive, or multiplicative (swings grow with the level).",
        "forecast",
    )
    changepoint_prior_scale: float = setting(
        0.05,
        "Prophet's trend flexibility: larger lets the trend bend more often (Prophet's default).",
        "forecast",
    )
    prophet_uncertainty_samples: int = setting(
        300, "Simulated paths Prophet draws for the uncertainty band.", "forecast"
    )
    prophet_seed: int = setting(
        42, "Seed of the band's sampling: the same history always gives the same band.", "forecast"
    )
    prophet_algorithm: str = setting(
        "LBFGS",
        "Prophet's optimiser (LBFGS, Newton or BFGS). Prophet itself picks Newton below 100 "
        "points (every monthly series): several times the CPU for forecasts within about 1% "
        "of L-BFGS's (bench/bench_forecast.py --plain-prophet); it retries with Newton should "
        "L-BFGS fail.",
        "forecast",
    )
    stage_lookback_months: int = setting(
        12,
        "Calendar months (this one included) of closed deals the stage-to-win rates use.",
        "forecast",
    )
    min_stage_observations: int = setting(
        20,
        "Closed deals that must have passed a stage before its measured win rate replaces the "
        "stage table's probability.",
        "forecast",
    )
    forecast_quarters: int = setting(
        2,
        "Quarters in the forecast's quarter view (this one and the next): the fit reaches the "
        "end of the last one.",
        "forecast",
    )
    forecast_cache_size: int = setting(
        256, "Fitted forecasts kept in memory (least recently used dropped first).", "forecast"
    )
    forecast_max_workers: int = setting(
        4, "Most worker processes fitting forecasts in parallel (never more than CPUs).", "forecast"
    )
    forecast_wape_warning: float = setting(0.3, "A backtest WAPE above this warns.", "forecast")


@dataclass(frozen=True)
class CallSettings:
    """The quarter call and its track record."""

    call_training_quarters: int = setting(8, "Past quarters the call's rates come from.", "call")
    call_min_quarters: int = setting(4, "Past quarters the call needs (else: stage view).", "call")
    call_track_quarters: int = setting(8, "Past quarters in the call's track record.", "call")
    call_min_deals: int = setting(30, "Deals a group needs for its own in-quarter rate.", "call")
    call_range: tuple = setting((0.1, 0.9), "Error quantiles of the call's low-high.", "call")
