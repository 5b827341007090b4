"""Settings: where the database is, and the business assumptions behind the numbers.

The database URL resolves in this order: the `SALESOPS_DATABASE_URL` environment
variable, then `[connections.salesops] url` in `.streamlit/secrets.toml`, then the
embedded SQLite file `data/salesops.db`. This is the only package that reads the
environment. The assumptions are declared by theme in analysis.py, planning.py and
operations.py; `Settings` joins them (import it from here).
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from salesops.config.analysis import (
    AccessSettings,
    CallSettings,
    ForecastSettings,
    GeneralSettings,
    KpiSettings,
)
from salesops.config.fields import SECTIONS, setting
from salesops.config.operations import CashSettings, ImportingSettings, PipelineReviewSettings
from salesops.config.planning import (
    CapacitySettings,
    PlanSettings,
    TerritorySettings,
    TimeAllocationSettings,
)
from salesops.redact import mask_secrets

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "ENV_URL",
    "PROJECT_ROOT",
    "SECRETS_PATH",
    "SECTIONS",
    "Settings",
    "load_settings",
    "masked_url",
    "resolve_database_url",
]

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "salesops.db"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
ENV_URL = "SALESOPS_DATABASE_URL"


@dataclass(frozen=True)
class _Database:
    database_url: str = setting(
        f"sqlite:///{DEFAULT_SQLITE_PATH}", "SQLAlchemy URL of the sales database."
    )


# Fields are listed base-last-first: the database URL, then the themes in SECTIONS' order.
@dataclass(frozen=True)
class Settings(
    ImportingSettings,
    CashSettings,
    PipelineReviewSettings,
    TimeAllocationSettings,
    PlanSettings,
    TerritorySettings,
    CapacitySettings,
    CallSettings,
    ForecastSettings,
    KpiSettings,
    AccessSettings,
    GeneralSettings,
    _Database,
):
    """Every default and business assumption behind the numbers, each with its help text.

    This is the only place a default is written: features take their assumptions from a
    Settings (or from arguments a caller filled from one). `salesops settings` prints them.
    Each theme's fields are declared in its own class (salesops.config.analysis, .planning,
    .operations); this one joins them.
    """


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
