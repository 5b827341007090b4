"""Schema versions: create a new database at the head, bring an older one up to it.

Two markers say how current a database is: `salesops_meta.schema_version` (the versions
before migrations, up to schema.SCHEMA_VERSION = 4: rollup tables added and built by
`db upgrade`) and alembic's `alembic_version` (every change since, one revision each under
salesops/db/migrations/versions). A database is current when both are: schema 4 and the
head revision. Only the CLI (`db init`, `db upgrade`, `demo`, imports into an empty
database) changes the schema; pages only read the markers and ask for `db upgrade`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, Table, inspect, select

from salesops.db import schema

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"


@dataclass(frozen=True)
class SchemaState:
    """What a database records about its schema: the legacy version and the revision."""

    version: int | None
    revision: str | None

    @property
    def is_current(self) -> bool:
        """Returns True when the database holds this salesops' schema."""
        return (
            self.version is not None
            and self.version >= schema.SCHEMA_VERSION
            and self.revision == head_revision()
        )

    @property
    def label(self) -> str:
        """Returns how the schema is named in messages, e.g. "4 / revision 0001"."""
        return f"{self.version or 'unknown'} / revision {self.revision or 'none'}"


# Set in a migration run whose caller rebuilds every rollup right after it (`db upgrade`).
REFRESH_FOLLOWS = "salesops_refresh_follows"


def _config(connection: Connection | None = None, refresh_follows: bool = False) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    config.attributes[REFRESH_FOLLOWS] = refresh_follows
    return config


def refresh_follows() -> bool:
    """Returns True inside a migration whose caller rebuilds every rollup once it is done.

    Such a migration may leave a rollup it creates empty for that rebuild instead of
    building it twice (`db upgrade`); called alone, a migration fills what it creates.
    """
    from alembic import context

    return bool(context.config.attributes.get(REFRESH_FOLLOWS))


@cache
def head_revision() -> str:
    """Returns the newest revision in salesops/db/migrations (there is exactly one head)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Schema migrations have {len(heads)} heads {heads}: merge them.")
    return heads[0]


def schema_state(conn: Connection) -> SchemaState:
    """Returns the legacy schema version and the alembic revision the database records."""
    meta = schema.salesops_meta.c
    value = conn.execute(select(meta.value).where(meta.key == "schema_version")).scalar()
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(int(value) if value is not None else None, revision)


def record_schema_version(conn: Connection) -> None:
    """Records that the database holds schema 4's tables with their rollups built."""
    meta = schema.salesops_meta
    conn.execute(meta.delete().where(meta.c.key == "schema_version"))
    conn.execute(meta.insert().values(key="schema_version", value=str(schema.SCHEMA_VERSION)))


DATA_VERSION_KEY = "data_version"


def bump_data_version(conn: Connection) -> str:
    """Records a new data version (on every load, import or rollup rebuild); returns it.

    The app keeps cached results for as long as this value is unchanged, so every writer of
    rows must call it in the transaction that writes them (rebuild_rollups does).
    """
    import uuid

    meta = schema.salesops_meta
    version = uuid.uuid4().hex
    conn.execute(meta.delete().where(meta.c.key == DATA_VERSION_KEY))
    conn.execute(meta.insert().values(key=DATA_VERSION_KEY, value=version))
    return version


def data_version(conn: Connection) -> str | None:
    """Returns the data version the last load or import recorded (None before any)."""
    meta = schema.salesops_meta.c
    return conn.execute(select(meta.value).where(meta.key == DATA_VERSION_KEY)).scalar()


def stamp_head(conn: Connection) -> None:
    """Records the head revision without running migrations (the schema is already current)."""
    from alembic import command

    command.stamp(_config(conn), "head")


def create_current_schema(engine: Engine) -> None:
    """Creates every table of this salesops in an empty database and records it as current."""
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        record_schema_version(conn)
        stamp_head(conn)


def upgrade_schema(engine: Engine, *, refresh_follows: bool = False) -> list[str]:
    """Brings the database to the head revision; returns what was done, in order.

    A database from before migrations first gets schema 4's missing tables (rollups, built
    by the caller's refresh) and is stamped at the baseline; then every newer migration runs,
    all in one transaction on PostgreSQL (SQLite's batch operations commit per table).
    `refresh_follows`: the caller rebuilds every rollup next (see `refresh_follows()`).
    """
    from alembic import command

    done: list[str] = []
    with engine.begin() as conn:
        state = schema_state(conn)
        if state.revision is None or (state.version or 0) < schema.SCHEMA_VERSION:
            missing = _legacy_missing_tables(conn)
            if missing:
                schema.metadata.create_all(conn, tables=missing)
                done.append("created " + ", ".join(t.name for t in missing))
            record_schema_version(conn)
        if state.revision is None:
            command.stamp(_config(conn), BASELINE_REVISION)
            done.append(f"stamped the baseline revision {BASELINE_REVISION}")
        if schema_state(conn).revision != head_revision():
            command.upgrade(_config(conn, refresh_follows), "head")
            done.append(f"migrated to revision {head_revision()}")
    return done


def ensure_current_schema(engine: Engine, *, refresh_follows: bool = False) -> list[str]:
    """Creates the schema in an empty database or upgrades an existing one; returns the steps.

    `refresh_follows`: as upgrade_schema's.
    """
    with engine.connect() as conn:
        empty = "opportunities" not in inspect(conn).get_table_names()
    if empty:
        create_current_schema(engine)
        return ["created the schema"]
    return upgrade_schema(engine, refresh_follows=refresh_follows)


def _legacy_missing_tables(conn: Connection) -> list[Table]:
    """Returns the tables of schema 4 the database lacks (a database from before schema 4)."""
    present = set(inspect(conn).get_table_names())
    return [schema.metadata.tables[name] for name in LEGACY_TABLES if name not in present]


# Every table schema 4 had: created from the metadata for a database from before it.
# A table added since is created by its own migration, never here.
LEGACY_TABLES = (
    "accounts",
    "acquisition_spend",
    "activities",
    "activity_types",
    "import_batches",
    "leads",
    "opportunities",
    "opportunity_history",
    "orders",
    "quotas",
    "reps",
    "rollup_activity_months",
    "rollup_activity_running",
    "rollup_activity_territory_months",
    "rollup_activity_weeks",
    "rollup_closed_opportunities",
    "rollup_customer_lifespans",
    "rollup_customers",
    "rollup_history_spans",
    "rollup_leads",
    "rollup_open_pipeline",
    "rollup_order_months",
    "rollup_stage_outcomes",
    "rollup_won_cycle_days",
    "rollup_won_weeks",
    "salesops_meta",
    "stages",
    "territories",
)
