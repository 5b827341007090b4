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
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "salesops.db"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
ENV_URL = "SALESOPS_DATABASE_URL"


SECTIONS = {
    "general": "Money, calendar and the app",
    "kpis": "KPIs (CAC, LTV, win rate, cycle)",
    "forecast": "Forecast",
    "territory": "Territory balance and quotas",
    "time_allocation": "Rep time allocation",
    "pipeline_review": "Weekly pipeline review",
    "importing": "Imports",
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
    cache_ttl_seconds: int = _setting(600, "How long the app keeps query results (seconds).")
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

    # -- forecast

    # -- territory

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
        1.0,
        "What-if: exponent b of revenue = R0 x (S / S0)^b; 1 keeps the observed revenue per "
        "selling hour, below 1 gives diminishing returns.",
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
        "Ramp: tenure month from which a rep counts as fully ramped (month 1 = hire month).",
        "time_allocation",
    )
    ramp_max_tenure_months: int = _setting(
        24,
        "Ramp: tenure months drawn on the curve (reps hired longer than this before the "
        "first closed deal never appear on it).",
        "time_allocation",
    )
    ramp_threshold: float = _setting(
        0.9,
        "Ramp: share of the ramped level a tenure month must reach to count as ramped.",
        "time_allocation",
    )
    ramp_months_shorter: int = _setting(
        1, "Ramp what-if: months the ramp is shortened by.", "time_allocation"
    )

    # -- pipeline_review
    stale_days: int = _setting(
        14, "An open deal with no change for this many days is stale.", "pipeline_review"
    )

    # -- importing


def describe_settings(settings: Settings | None = None) -> list[tuple[str, str, object, str]]:
    """Returns (section, name, value, help) for every setting but the database URL, in order."""
    chosen = settings or Settings()
    return [
        (f.metadata["section"], f.name, getattr(chosen, f.name), f.metadata["help"])
        for f in fields(chosen)
        if f.name != "database_url"
    ]


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
    """Returns the URL with any password hidden, safe to log or show.

    A SQLite read-only URI (`sqlite:///file:/path?mode=ro&uri=true`, how pages connect) is
    shown as the plain `sqlite:////path` the user configured.
    """
    try:
        parsed = make_url(url)
    except Exception:  # an unparseable URL is shown as nothing secret
        return "<unparseable database URL>"
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database.startswith("file:"):
        parsed = parsed.set(database=database.removeprefix("file:"), query={})
    return parsed.render_as_string(hide_password=True)
