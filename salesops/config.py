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
    "importing": "Imports, data quality and the demo company",
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

    # -- pipeline_review
    stale_days: int = _setting(
        14, "An open deal with no change for this many days is stale.", "pipeline_review"
    )

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
    import_batches_listed: int = _setting(
        50, "Latest imports listed in the Data page's import history.", "importing"
    )
    quality_row_limit: int = _setting(
        50_000,
        "Offending rows read per data-quality check (counts are always totals).",
        "importing",
    )
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
