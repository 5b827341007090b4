"""Settings: where the database is, and the business assumptions behind the numbers.

The database URL resolves in this order: the `SALESOPS_DATABASE_URL` environment
variable, then `[connections.salesops] url` in `.streamlit/secrets.toml`, then the
embedded SQLite file `data/salesops.db`. This is the only module that reads the
environment.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesops.redact import mask_secrets

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "salesops.db"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
ENV_URL = "SALESOPS_DATABASE_URL"


SECTIONS = {
    "general": "Money, calendar and the app",
    "kpis": "KPIs (CAC, LTV, win rate, cycle)",
    "forecast": "Forecast",
    "call": "The quarter call and its track record",
    "capacity": "Capacity: selling hours, the new-rep ramp, utilisation",
    "territory": "Territory balance and rebalancing",
    "plan": "Plan: quotas calibrated to attainment, hires",
    "time_allocation": "Rep time allocation",
    "pipeline_review": "Weekly pipeline review",
    "cash": "Order to cash",
    "importing": "Imports, data quality and the demo company",
    "access": "Sign-in, roles and the audit log",
}


def _setting(default: object, help: str, section: str = "general") -> Any:
    return field(default=default, metadata={"help": help, "section": section})


@dataclass(frozen=True)
class Settings:
    """Every default and business assumption behind the numbers, each with its help text.

    This is the only place a default is written: features take their assumptions from a
    Settings (or from arguments a caller filled from one). `salesops settings` prints them.
    """

    database_url: str = _setting(
        f"sqlite:///{DEFAULT_SQLITE_PATH}", "SQLAlchemy URL of the sales database."
    )

    # -- general
    currency: str = _setting("USD", "The one currency every amount in the database is in.")
    cache_ttl_seconds: int = _setting(
        86_400, "Most seconds a result is cached (new data: at once)."
    )
    data_version_check_seconds: int = _setting(5, "Seconds between data-version checks.")
    change_noise_pp: float = _setting(
        0.5,
        "A rate's change smaller than this many percentage points is shown grey on a tile, "
        "not red or green.",
    )
    change_noise_share: float = _setting(
        0.02,
        "Any other figure's change smaller than this share of the previous value is shown "
        "grey on a tile, not red or green.",
    )
    pdf_browser: str = _setting(
        "chromium",
        "The headless Chromium (a command on PATH or a path) that prints the meeting pack "
        "to PDF; without one the pack is offered as HTML only.",
    )
    # -- access
    access_recheck_seconds: int = _setting(
        5,
        "How long a signed-in person's role and scope are remembered before the users table "
        "is read again (seconds): a user removed or changed loses access within this time.",
        "access",
    )
    audit_rows_listed: int = _setting(
        200, "How many audit-log entries the Data page lists for admins (newest first).", "access"
    )
    working_weeks_per_year: float = _setting(
        46.0,
        "Working weeks in a rep's year (52 minus leave and public holidays); loaded hourly "
        "cost = annual_cost / (weekly_capacity_hours x working weeks).",
    )

    # -- kpis
    default_gross_margin: float = _setting(
        0.65, "Gross margin used for LTV when an order carries no gross_margin amount.", "kpis"
    )
    ltv_horizon_months: int = _setting(
        60,
        "Cap on expected customer lifetime (months) when little or no churn is observed.",
        "kpis",
    )
    churn_inactive_months: int = _setting(
        6, "A customer with no order for this many months counts as churned.", "kpis"
    )
    ltv_to_cac_benchmark: float = _setting(3.0, "Common LTV:CAC benchmark (3:1).", "kpis")
    default_period_months: int = _setting(
        12, "The default period: the last N whole months of data.", "kpis"
    )
    trend_months: int = _setting(12, "Months drawn on each KPI's monthly trend.", "kpis")
    min_sample_to_rank: int = _setting(
        20,
        "Breakdown rankings: a row needs at least this many deals behind its rate (closed "
        "deals for win rate, won deals for cycle, leads for lead-to-opportunity) to be ranked.",
        "kpis",
    )
    default_period_preset: str = _setting(
        "trailing",
        "The app's period when a link names none: trailing (the last default_period_months "
        "whole months), this-quarter, qtd, last-quarter, ytd or last-year, counted from the "
        "data's latest day.",
    )
    default_comparison: str = _setting(
        "previous",
        "What a period is compared with unless chosen: previous (the period before; a "
        "quarter or year to date against the same stretch of the one before) or year (the "
        "same dates a year earlier).",
    )

    # -- forecast
    forecast_freq: str = _setting(
        "M",
        "Forecast frequency unless asked: M (calendar months) or W (weeks from Monday).",
        "forecast",
    )
    forecast_horizon: int = _setting(
        6, "Periods forecast ahead unless the page or `--horizon` says otherwise.", "forecast"
    )
    forecast_max_horizon: int = _setting(
        104, "Longest forecast horizon the page and the CLI accept (periods).", "forecast"
    )
    forecast_min_cycles: int = _setting(
        2,
        "Yearly cycles of history Prophet needs (24 months, 104 weeks); a shorter history gets "
        "the seasonal-naive baseline, and a backtest cutoff needs as much training history.",
        "forecast",
    )
    backtest_cutoffs: int = _setting(
        4, "Rolling-origin backtest cutoffs, spread evenly over the last year.", "forecast"
    )
    forecast_interval_width: float = _setting(
        0.8, "Coverage of the forecast's uncertainty band (0.8 = 80%).", "forecast"
    )
    forecast_quarterly_seasonality: bool = _setting(
        True, "Add a quarterly seasonality (period 91.3125 days) to the yearly one.", "forecast"
    )
    forecast_seasonality_mode: str = _setting(
        "additive",
        "Prophet's seasonality: additive, or multiplicative (swings grow with the level).",
        "forecast",
    )
    changepoint_prior_scale: float = _setting(
        0.05,
        "Prophet's trend flexibility: larger lets the trend bend more often (Prophet's default).",
        "forecast",
    )
    prophet_uncertainty_samples: int = _setting(
        300, "Simulated paths Prophet draws for the uncertainty band.", "forecast"
    )
    prophet_seed: int = _setting(
        42, "Seed of the band's sampling: the same history always gives the same band.", "forecast"
    )
    prophet_algorithm: str = _setting(
        "LBFGS",
        "Prophet's optimiser (LBFGS, Newton or BFGS). Prophet itself picks Newton below 100 "
        "points (every monthly series): several times the CPU for forecasts within about 1% "
        "of L-BFGS's (bench/bench_forecast.py --plain-prophet); it retries with Newton should "
        "L-BFGS fail.",
        "forecast",
    )
    stage_lookback_months: int = _setting(
        12,
        "Calendar months (this one included) of closed deals the stage-to-win rates use.",
        "forecast",
    )
    min_stage_observations: int = _setting(
        20,
        "Closed deals that must have passed a stage before its measured win rate replaces the "
        "stage table's probability.",
        "forecast",
    )
    forecast_quarters: int = _setting(
        2,
        "Quarters in the forecast's quarter view (this one and the next): the fit reaches the "
        "end of the last one.",
        "forecast",
    )
    forecast_cache_size: int = _setting(
        256, "Fitted forecasts kept in memory (least recently used dropped first).", "forecast"
    )
    forecast_max_workers: int = _setting(
        4, "Most worker processes fitting forecasts in parallel (never more than CPUs).", "forecast"
    )

    forecast_wape_warning: float = _setting(0.3, "A backtest WAPE above this warns.", "forecast")
    # -- call
    call_training_quarters: int = _setting(8, "Past quarters the call's rates come from.", "call")
    call_min_quarters: int = _setting(4, "Past quarters the call needs (else: stage view).", "call")
    call_track_quarters: int = _setting(8, "Past quarters in the call's track record.", "call")
    call_min_deals: int = _setting(30, "Deals a group needs for its own in-quarter rate.", "call")
    call_range: tuple = _setting((0.1, 0.9), "Error quantiles of the call's low-high.", "call")
    # -- capacity
    default_weekly_hours: float = _setting(
        40.0,
        "Weekly hours of a rep whose weekly_capacity_hours is missing (shown as assumed); a "
        "rep with 0 weekly hours has no capacity.",
        "capacity",
    )
    default_selling_share: float = _setting(
        1 / 3,
        "Share of a rep's hours spent selling when no time is logged at all (shown as "
        "assumed); with time logs the measured share is used.",
        "capacity",
    )
    min_logged_hours: float = _setting(
        160.0,
        "Hours a rep must have logged in the 12 months to the analysis date for their own "
        "selling share to count; below that the team's measured share is used.",
        "capacity",
    )
    default_ramp_months: int = _setting(
        6,
        "Months a new rep takes to reach full productivity (linear) when the data holds too "
        "few hires to measure the ramp; otherwise the measured ramp curve is used everywhere.",
        "capacity",
    )
    min_ramp_hires: int = _setting(
        3,
        "Reps hired within the data needed to measure the ramp (observed in their hire "
        "month); with fewer the default linear ramp is used and labelled.",
        "capacity",
    )
    account_hours: tuple[tuple[str, float], ...] = _setting(
        (),
        "Yearly selling hours an account needs, by segment, as (segment, hours) pairs. Empty "
        "(the default) or a segment left out: measured, the selling hours the segment's reps "
        "logged in the 12 months to the analysis date / its accounts.",
        "capacity",
    )
    default_account_hours: float = _setting(
        10.0,
        "Yearly selling hours an account needs when its segment has neither stated hours nor "
        "time logs to measure them.",
        "capacity",
    )
    utilisation_over: float = _setting(
        1.10,
        "Utilisation (workload hours / selling capacity hours) above which a territory or a "
        "rep is over-loaded.",
        "capacity",
    )
    utilisation_under: float = _setting(
        0.70,
        "Utilisation below which a territory or a rep is under-loaded.",
        "capacity",
    )

    # -- territory
    balance_even_cv: float = _setting(
        0.15,
        "Overview: a balance index (CV of utilisation) at or below this reads 'even'.",
        "territory",
    )
    balance_uneven_cv: float = _setting(
        0.3,
        "Overview: a balance index above this reads 'uneven'; between the two, 'somewhat uneven'.",
        "territory",
    )
    peer_group: str = _setting(
        "segment",
        "Whom a territory's potential per selling hour is compared with in the balance index: "
        "'segment' (its segment's median, so the segment mix does not count as imbalance) "
        "or 'team' (one median for everybody).",
        "territory",
    )
    rebalance_max_moves: int = _setting(
        25, "Most account moves a rebalancing proposal makes.", "territory"
    )
    rebalance_max_swaps: int = _setting(
        10,
        "Most account swaps a rebalancing proposal makes (accounts of one segment exchanged "
        "between territories: workloads stay, potential per selling hour evens out).",
        "territory",
    )
    rebalance_max_share: float | None = _setting(
        None,
        "Most accounts a rebalancing proposal may move, as a fraction of all accounts "
        "(None: only rebalance_max_moves caps it).",
        "territory",
    )
    rebalance_page_max_share: float = _setting(
        0.05,
        "The Territory page's starting cap on the share of accounts moved, so a first look "
        "moves few accounts.",
        "territory",
    )
    rebalance_same_segment: bool = _setting(
        True, "A proposal moves accounts only to territories of their own segment.", "territory"
    )
    rebalance_same_region: bool = _setting(
        False, "A proposal moves accounts only within their region.", "territory"
    )
    rebalance_keep_largest: int = _setting(
        0, "A proposal keeps each territory's N largest accounts where they are.", "territory"
    )
    rebalance_min_gain: float = _setting(
        1e-4,
        "Smallest drop of a balance index (CV) worth one account move or swap, so a proposal "
        "stops instead of making many tiny ones.",
        "territory",
    )
    rebalance_time_limit_s: float = _setting(
        10.0,
        "Seconds a proposal may search; when they run out it keeps the best moves found.",
        "territory",
    )
    rebalance_auto_accounts: int = _setting(
        20_000,
        "Above this many accounts the Territory page proposes moves only when asked (a "
        "proposal reads every account).",
        "territory",
    )

    # -- plan
    attainment_target: float = _setting(
        0.65,
        "Share of reps expected to reach 100% of quota that quota suggestions aim for "
        "(common practice: 60-70%).",
        "plan",
    )
    quota_change_cap: float = _setting(
        0.25,
        "Most a suggested quota may differ from the rep's current quota, as a fraction "
        "(0.25 = within -25% and +25%); reps without a current quota are not capped.",
        "plan",
    )
    quota_shrink_months: float = _setting(
        6.0,
        "Ramped months of a rep's own bookings that weigh as much as their segment's average "
        "in their expected bookings (reps with less history lean on the segment).",
        "plan",
    )
    quota_tolerance: float = _setting(
        0.15,
        "A current quota more than this fraction off its suggestion is flagged over- or "
        "under-assigned.",
        "plan",
    )
    plan_target_utilisation: float = _setting(
        0.9,
        "Utilisation the hiring plan staffs each territory to (workload / selling capacity).",
        "plan",
    )
    plan_hiring_lead_months: int = _setting(
        2,
        "Months from the analysis date until a planned hire starts (time to recruit); their "
        "ramp starts then.",
        "plan",
    )
    plan_max_hires: int = _setting(
        1000, "Most hires a plan proposes (it says so when the target needs more).", "plan"
    )
    quota_backtest_origins: int = _setting(
        12,
        "Monthly origins the quota backtest pools: quotas set at the start of each of the "
        "last N months whose year ahead is fully observed, scored against what was booked "
        "(one year of one team is too few reps to judge a share by).",
        "plan",
    )

    # -- time_allocation
    selling_share_benchmark: float = _setting(
        1 / 3,
        "Benchmark share of rep hours spent selling (about one hour in three).",
        "time_allocation",
    )
    time_trend_freq: str = _setting(
        "W",
        "Selling-share trend bucket shown first: W (weeks, from Monday) or M (months).",
        "time_allocation",
    )
    furthest_reps_shown: int = _setting(
        5,
        "Reps listed furthest below and furthest above the benchmark (each side).",
        "time_allocation",
    )
    what_if_shift_share: float = _setting(
        0.25,
        "What-if: share of the chosen back-office activities' hours moved to sales ops.",
        "time_allocation",
    )
    what_if_selling_conversion: float = _setting(
        0.5,
        "What-if: share of the rep hours freed that actually become selling hours.",
        "time_allocation",
    )
    what_if_sales_ops_cost_ratio: float = _setting(
        0.5,
        "What-if: starting sales-ops hourly cost as a share of the reps' mean loaded hourly cost.",
        "time_allocation",
    )
    what_if_sales_ops_hourly_cost: float = _setting(
        40.0,
        "What-if: sales-ops hourly cost when no rep's loaded hourly cost is known.",
        "time_allocation",
    )
    what_if_sales_ops_time_factor: float = _setting(
        1.0,
        "What-if: sales-ops hours needed per rep hour moved (below 1: specialists are faster).",
        "time_allocation",
    )
    what_if_elasticity: float = _setting(
        0.6,
        "What-if: exponent b of revenue = R0 x (S / S0)^b; below 1 (the default) gives "
        "diminishing returns, 1 keeps the observed revenue per selling hour for every hour.",
        "time_allocation",
    )
    what_if_release_unconverted: bool = _setting(
        False,
        "What-if: count the cost of freed hours that do not become selling as released.",
        "time_allocation",
    )
    literature_revenue_lift: tuple[float, float] = _setting(
        (0.10, 0.20),
        "Revenue lift (low, high) the literature reports from sales-operations excellence.",
        "time_allocation",
    )
    literature_sga_reduction: tuple[float, float] = _setting(
        (0.20, 0.30),
        "SG&A reduction (low, high) the literature reports from sales-operations excellence.",
        "time_allocation",
    )
    middle_share: float = _setting(
        0.6,
        "Moving the middle: share of ranked reps in the middle (the rest split evenly between "
        "bottom and top).",
        "time_allocation",
    )
    middle_basis: str = _setting(
        "per_selling_hour",
        "Moving the middle: rank reps by bookings per_selling_hour or by bookings per_rep.",
        "time_allocation",
    )
    middle_lift: float = _setting(
        0.10,
        "Moving the middle: productivity lift applied to the middle reps and the top performer.",
        "time_allocation",
    )
    ramped_from_month: int = _setting(
        13,
        "Ramp: tenure month from which a rep counts as fully ramped (month 1 = hire month). "
        "The one measured ramp serves Rep time, Territory capacity, the Forecast what-if and "
        "the plan.",
        "capacity",
    )
    ramp_max_tenure_months: int = _setting(
        24,
        "Ramp: tenure months drawn on the curve (reps hired longer than this before the "
        "first closed deal never appear on it).",
        "capacity",
    )
    ramp_threshold: float = _setting(
        0.9,
        "Ramp: share of the ramped level a tenure month must reach to count as ramped.",
        "capacity",
    )
    ramp_months_shorter: int = _setting(
        1, "Ramp what-if: months the ramp is shortened by.", "time_allocation"
    )

    # -- pipeline_review
    stale_days: int = _setting(
        14,
        "Days in its stage after which an open deal is stale, for a stage with too few "
        "measured stays (see stale_percentile).",
        "pipeline_review",
    )
    stale_percentile: float = _setting(
        0.8,
        "An open deal is stale once it has been in its stage longer than this share of the "
        "stays in that stage that ended in the last 12 months (measured per stage).",
        "pipeline_review",
    )
    stale_min_stays: int = _setting(
        20,
        "Ended stays a stage needs in the last 12 months before its measured typical time "
        "replaces stale_days.",
        "pipeline_review",
    )
    big_change: float = _setting(
        10_000.0,
        "An open deal whose amount moves by at least this much (currency) in the week is a "
        "big amount change.",
        "pipeline_review",
    )
    review_weeks_offered: int = _setting(
        104, "How many weeks back the Pipeline review page's week picker goes.", "pipeline_review"
    )
    review_rows_listed: int = _setting(
        100, "Rows per list in `salesops review` JSON (--limit; 0: all).", "pipeline_review"
    )
    meeting_pack_rows_per_list: int = _setting(
        200,
        "Rows of each deal list printed in the meeting pack's HTML (its CSVs hold every row).",
        "pipeline_review",
    )

    # -- cash
    payment_terms_days: int = _setting(30, "Days after the invoice date a payment is due.", "cash")
    aging_buckets: tuple[int, ...] = _setting(
        (30, 60, 90), "Upper ends (days past due) of the receivables aging buckets.", "cash"
    )
    order_required_fields: tuple[str, ...] = _setting(
        ("po_number", "billing_address", "shipping_address"),
        "Order fields that must be captured up front; an order missing any is incomplete.",
        "cash",
    )
    approval_activities: tuple[str, ...] = _setting(
        ("Approvals & payment chasing",), "Time-log activities that are order approval work.",
        "cash",
    )  # fmt: skip
    cash_rows_listed: int = _setting(25, "Accounts and orders listed as delaying cash.", "cash")
    overdue_share_alert: float = _setting(0.25, "Overdue share of receivables shown red.", "cash")
    cost_of_capital: float = _setting(0.08, "Yearly cost of cash tied up (what-if).", "cash")
    cash_what_if_invoice_days: int = _setting(1, "What-if: days off invoicing.", "cash")
    cash_what_if_pay_days: int = _setting(5, "What-if: days off payment.", "cash")

    # -- importing
    import_max_bytes: int = _setting(
        50 * 1024 * 1024,
        "Largest file (bytes) the Data page accepts; `salesops import` has no size limit.",
        "importing",
    )
    import_max_rows: int = _setting(
        500_000, "Row limit per file on the Data page (split larger files).", "importing"
    )
    import_cli_max_rows: int = _setting(
        5_000_000,
        "Row limit per file for `salesops import` (its --max-rows default): the command line "
        "takes files ten times larger than the page.",
        "importing",
    )
    import_chunk_rows: int = _setting(
        50_000,
        "Rows read, validated and written at a time (memory use against speed).",
        "importing",
    )
    import_preview_rows: int = _setting(
        20, "Rows of each validated file shown as a preview.", "importing"
    )
    import_max_stored_issues: int = _setting(
        20_000,
        "Row-level problems kept per file for display (all of them are counted).",
        "importing",
    )
    import_issues_listed: int = _setting(
        200, "Problems listed per file in `salesops import --format json`.", "importing"
    )
    import_issues_printed: int = _setting(
        20, "Problems printed per file by `salesops import` (table output).", "importing"
    )
    import_mapping_max_bytes: int = _setting(
        64 * 1024,
        "Largest mapping file (bytes) `--mapping` and the Data page read: a column map and a "
        "stage table fit in a few kilobytes.",
        "importing",
    )
    import_batches_listed: int = _setting(
        50, "Latest imports listed in the Data page's import history.", "importing"
    )
    quality_row_limit: int = _setting(
        50_000,
        "Offending rows read per data-quality check (counts are always totals).",
        "importing",
    )
    quality_rows_shown: int = _setting(200, "Rows the Data page shows per check.", "importing")
    quality_rows_listed: int = _setting(
        100,
        "Offending rows listed per check by `salesops quality --format json` (its --rows).",
        "importing",
    )
    demo_scale: str = _setting(
        "small",
        "Size of the demo company: tiny, small, medium, large or a number of opportunities.",
        "importing",
    )
    demo_seed: int = _setting(
        42, "Random seed of the demo company: same seed, same company.", "importing"
    )


def _url_from_secrets(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        secrets = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        logger.warning("Ignoring unreadable %s: %s", path, exc)
        return None
    url = secrets.get("connections", {}).get("salesops", {}).get("url")
    return str(url) if url else None


def resolve_database_url(explicit: str | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """Returns the database URL: explicit argument, env var, secrets.toml, then the default."""
    if explicit:
        return explicit
    from_env = os.environ.get(ENV_URL)
    if from_env:
        return from_env
    return _url_from_secrets(secrets_path) or Settings.database_url


def load_settings(database_url: str | None = None) -> Settings:
    """Returns the settings with the database URL resolved (see module docstring)."""
    return Settings(database_url=resolve_database_url(database_url))


def masked_url(url: str) -> str:
    """Returns the URL with any password hidden (user part and query), safe to log or show.

    A SQLite read-only URI (`sqlite:///file:/path?mode=ro&uri=true`, how pages connect) is
    shown as the plain `sqlite:////path` the user configured.
    """
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # an unparseable URL is shown as nothing secret
        return "<unparseable database URL>"
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        parsed = parsed.set(database=database.removeprefix("file:"), query={})
    return mask_secrets(parsed.render_as_string(hide_password=True))
