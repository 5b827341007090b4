"""Schema versions: a new database is current; an older one is upgraded to the head."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.db import schema
from salesops.db.engine import (
    SchemaMissing,
    init_schema,
    make_engine,
    outdated_schema,
    require_current_schema,
)
from salesops.db.migrate import (
    BASELINE_REVISION,
    LEGACY_TABLES,
    MIGRATIONS,
    ensure_current_schema,
    head_revision,
    schema_state,
)
from salesops.db.schema_call import CALL_ROLLUP_TABLES
from tests.conftest import _create_database, _drop_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Returns the URL of a new, empty database of its own (SQLite file or PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = _create_database(server)
    yield url
    _drop_database(server, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_copy_url(request: pytest.FixtureRequest, tiny_demo_copy) -> str:
    """Returns the URL of a database of its own holding the tiny demo, built at the head."""
    return tiny_demo_copy(request.param)


def _state(engine: sa.Engine):
    with engine.connect() as conn:
        return schema_state(conn)


def _table_rows(engine: sa.Engine, tables) -> dict[str, list[tuple]]:
    """Returns each table's rows, sorted, by table name (to compare a migration with a rebuild)."""
    with engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr) for t in tables
        }


def _make_legacy(engine: sa.Engine, version: int, dropped: str) -> None:
    """Turns a current database into one from before migrations, at `version`."""
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.text(f"DROP TABLE {dropped}"))
        # Tables added by migrations since the baseline did not exist before migrations.
        for name in sorted(set(schema.metadata.tables) - set(LEGACY_TABLES)):
            conn.execute(sa.text(f"DROP TABLE {name}"))
        conn.execute(
            schema.salesops_meta.update()
            .where(schema.salesops_meta.c.key == "schema_version")
            .values(value=str(version))
        )


def test_a_new_database_is_created_current(fresh_url):
    engine = make_engine(fresh_url)
    init_schema(engine)
    state = _state(engine)
    assert state.is_current and state.revision == head_revision()
    assert outdated_schema(state) is None
    require_current_schema(engine)
    init_schema(engine)  # an existing database is left as it is
    assert _state(engine) == state
    engine.dispose()


def test_a_database_from_before_migrations_is_upgraded_to_the_head(fresh_url):
    engine = make_engine(fresh_url)
    init_schema(engine)
    _make_legacy(engine, version=3, dropped="rollup_activity_running")
    state = _state(engine)
    assert (state.version, state.revision) == (3, None) and not state.is_current
    with pytest.raises(SchemaMissing, match="run `salesops db upgrade`"):
        require_current_schema(engine)
    steps = ensure_current_schema(engine)
    assert steps[0] == "created rollup_activity_running"
    assert f"stamped the baseline revision {BASELINE_REVISION}" in steps
    assert _state(engine).is_current
    assert "rollup_activity_running" in sa.inspect(engine).get_table_names()
    assert ensure_current_schema(engine) == []  # nothing left to do
    engine.dispose()


def test_migrations_form_one_chain_from_the_baseline():
    revisions = {}
    for path in sorted((MIGRATIONS / "versions").glob("[0-9]*.py")):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision = "([^"]+)"', text, re.M).group(1)
        down = re.search(r"^down_revision = (None|\"[^\"]+\")", text, re.M).group(1)
        revisions[revision] = None if down == "None" else down.strip('"')
    assert revisions[BASELINE_REVISION] is None
    children = [down for down in revisions.values() if down is not None]
    assert len(children) == len(set(children)), "two migrations revise the same parent"
    assert head_revision() not in children and head_revision() in revisions


def test_legacy_tables_name_real_tables():
    assert set(LEGACY_TABLES) <= set(schema.metadata.tables)


def test_the_daily_rollups_migration_fills_them_like_a_rebuild(demo_copy_url):
    from salesops.db.rollups import refresh_rollups

    engine = make_engine(demo_copy_url)
    daily = [t.name for t in schema.daily_rollups]

    def rows() -> dict[str, list[tuple]]:
        return _table_rows(engine, schema.daily_rollups)

    built = rows()
    assert all(built[name] for name in daily)
    with engine.begin() as conn:
        # every table added after 0006
        added = [*daily, "stored_forecasts", *(t.name for t in CALL_ROLLUP_TABLES)]
        later = [*schema.order_rollups, schema.rollup_won_first_orders, *schema.approval_rollups,
                 *schema.cycle_summaries, schema.rollup_receivable_days,
                 schema.rollup_stage_stays, schema.rollup_order_status_scopes]  # fmt: skip
        for name in [*added, *(t.name for t in later)]:
            conn.execute(sa.text(f"DROP TABLE {name}"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0006'"))
    assert ensure_current_schema(engine) == [f"migrated to revision {head_revision()}"]
    assert rows() == built
    refresh_rollups(engine)
    assert rows() == built
    engine.dispose()


def test_the_call_rollups_migration_fills_them_like_a_rebuild(demo_copy_url):
    engine = make_engine(demo_copy_url)

    def rows() -> dict[str, list[tuple]]:
        return _table_rows(engine, CALL_ROLLUP_TABLES)

    built = rows()
    assert all(built.values())
    with engine.begin() as conn:
        for table in CALL_ROLLUP_TABLES:
            conn.execute(sa.text(f"DROP TABLE {table.name}"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0009'"))
    assert ensure_current_schema(engine) == [f"migrated to revision {head_revision()}"]
    assert rows() == built
    engine.dispose()


def test_an_upgrade_stopped_after_its_tables_were_created_runs_again(demo_copy_url):
    """On SQLite a migration's CREATE TABLE commits at once: a stop mid-fill leaves them."""
    engine = make_engine(demo_copy_url)
    added = [*schema.daily_rollups, *CALL_ROLLUP_TABLES, *schema.order_rollups,
             schema.rollup_won_first_orders, *schema.approval_rollups,
             *schema.cycle_summaries, schema.rollup_receivable_days,
             schema.rollup_stage_stays, schema.rollup_order_status_scopes]  # fmt: skip

    def rows() -> dict[str, list[tuple]]:
        return _table_rows(engine, added)

    built = rows()
    with engine.begin() as conn:  # every table there, some half-filled, the revision behind
        for table in added[::2]:
            conn.execute(sa.delete(table))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0006'"))
    assert ensure_current_schema(engine) == [f"migrated to revision {head_revision()}"]
    assert rows() == built
    engine.dispose()


def test_the_order_rollups_migration_drops_the_distinct_count_and_fills_the_days(demo_copy_url):
    from alembic import command

    from salesops.db.migrate import _config

    engine = make_engine(demo_copy_url)
    tables = [schema.rollup_order_months, *schema.order_rollups]

    def rows() -> dict[str, list[tuple]]:
        return _table_rows(engine, tables)

    built = rows()
    assert all(built.values())
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0011")
    inspector = sa.inspect(engine)
    assert not {t.name for t in schema.order_rollups} & set(inspector.get_table_names())
    assert "ordering_customers" in {c["name"] for c in inspector.get_columns("rollup_order_months")}
    assert ensure_current_schema(engine) == [f"migrated to revision {head_revision()}"]
    assert rows() == built
    engine.dispose()


def test_db_upgrade_builds_the_per_rep_call_rollup_once(demo_copy_url, monkeypatch):
    """Migration 0023 leaves the per-rep call rollup to the refresh `db upgrade` runs next."""
    from alembic import command
    from typer.testing import CliRunner

    from salesops.cli import app
    from salesops.db import rollups_call
    from salesops.db.migrate import _config
    from salesops.db.schema_call import CALL_REP_TABLES

    engine = make_engine(demo_copy_url)

    def rows() -> dict[str, list[tuple]]:
        return _table_rows(engine, CALL_REP_TABLES)

    built = rows()
    assert all(built.values())
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0022")
    builds: list[int] = []
    rebuild = rollups_call.rebuild_call_rep_rollups

    def counted(*args, **kwargs):
        builds.append(1)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(rollups_call, "rebuild_call_rep_rollups", counted)
    result = CliRunner().invoke(app, ["db", "upgrade", "--url", demo_copy_url])
    assert result.exit_code == 0, result.output
    assert len(builds) == 1
    assert rows() == built
    engine.dispose()


def test_db_upgrade_leaves_the_rollups_it_rebuilds_to_the_refresh(demo_copy_url):
    """Migrations 0007-0023 fill their rollups only when no full refresh follows."""
    from alembic import command
    from typer.testing import CliRunner

    from salesops.cli import app
    from salesops.db.migrate import _config, upgrade_schema
    from salesops.db.rollups import refresh_rollups

    engine = make_engine(demo_copy_url)
    # every rollup a migration since 0006 creates
    filled = [*schema.daily_rollups, *CALL_ROLLUP_TABLES, schema.rollup_order_cycle_days,
              *schema.order_rollups, schema.rollup_stage_entries, schema.rollup_won_first_orders,
              *schema.approval_rollups, *schema.cycle_summaries, schema.rollup_receivable_days,
              schema.rollup_stage_stays, schema.rollup_order_status_scopes]  # fmt: skip
    assert all(_table_rows(engine, filled).values())
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0006")
    upgrade_schema(engine, refresh_follows=True)  # as `db upgrade` runs them: left empty
    assert {name for name, rows in _table_rows(engine, filled).items() if rows} == set()
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0006")
    upgrade_schema(engine)  # alone: filled as a rebuild fills them
    # 0008 gives orders the rep its own rule picks (the demo's may differ): compare with a
    # rebuild over the data as migrated
    alone = _table_rows(engine, filled)
    refresh_rollups(engine)
    built = _table_rows(engine, filled)
    assert alone == built
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0006")
    result = CliRunner().invoke(app, ["db", "upgrade", "--url", demo_copy_url])
    assert result.exit_code == 0, result.output
    assert _table_rows(engine, filled) == built
    engine.dispose()
