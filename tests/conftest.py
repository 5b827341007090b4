"""Shared fixtures: engines on SQLite and the real PostgreSQL, repositories, demo databases.

PostgreSQL tests run in a throwaway database created for the session (so parallel runs
never collide) and are skipped with a printed reason when the server does not answer,
except under CI=true, where a missing server is a failure.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.db import schema
from salesops.db.engine import init_schema, make_engine
from salesops.demo import generate_demo
from salesops.repository import Repository

PG_SERVER_URL = os.environ.get(
    "SALESOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freezes what collection left alive (every module imported, every test item).

    The product calls gc.collect() after each import and rollup refresh (release_unused);
    a full collection walks the whole heap, ~0.35 s each in a test process holding the
    suite's modules, most of an integration test's time. Frozen objects are never scanned
    (as serve.py does for the app). tests/unit/conftest.py unfreezes for the unit tier.
    """
    gc.collect()
    gc.freeze()


def _postgres_problem() -> str | None:
    try:
        engine = sa.create_engine(PG_SERVER_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not available here"
        return f"PostgreSQL at {make_url(PG_SERVER_URL).render_as_string()} not answering: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Returns the server URL, or skips (fails under CI=true) if PostgreSQL is not answering."""
    problem = _postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {problem}")
        print(f"\nSKIP postgres tests: {problem}")
        pytest.skip(problem)
    return PG_SERVER_URL


def _create_database(server_url: str) -> str:
    name = f"salesops_t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def own_database(
    request: pytest.FixtureRequest, sqlite_url: str, with_schema: bool = True
) -> Iterator[sa.Engine]:
    """Yields an engine on a new database of its own, disposed (and dropped) after.

    `request.param` "sqlite" opens `sqlite_url`; otherwise a new PostgreSQL database on the
    `postgres_server`. The salesops tables are created first unless `with_schema` is False.
    """
    server = url = None
    if request.param == "sqlite":
        url = sqlite_url
    else:
        server = request.getfixturevalue("postgres_server")
        url = _create_database(server)
    engine = make_engine(url)
    try:
        if with_schema:
            init_schema(engine)
        yield engine
    finally:
        engine.dispose()
        if server is not None:
            _drop_database(server, url)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """Returns the URL of a fresh, empty PostgreSQL database dropped after the session."""
    url = _create_database(postgres_server)
    yield url
    _drop_database(postgres_server, url)


@pytest.fixture(scope="session")
def _pg_schema_template(postgres_server: str) -> Iterator[str]:
    """Returns the URL of a PostgreSQL database holding the empty salesops schema, only copied.

    init_schema takes 2-3 s on PostgreSQL; CREATE DATABASE ... TEMPLATE of it ~0.1 s.
    """
    url = _create_database(postgres_server)
    engine = make_engine(url)
    init_schema(engine)
    engine.dispose()
    yield url
    _drop_database(postgres_server, url)


@pytest.fixture(scope="session")
def _postgres_engine(postgres_server: str, _pg_schema_template: str) -> Iterator[sa.Engine]:
    url = _copy_pg_database(postgres_server, _pg_schema_template)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _drop_database(postgres_server, url)


@pytest.fixture(scope="session")
def _sqlite_schema_template() -> Iterator[sa.Engine]:
    """Returns an in-memory SQLite engine holding the empty salesops schema, only copied."""
    engine = make_engine("sqlite://")
    init_schema(engine)
    yield engine
    engine.dispose()


def copy_sqlite_memory(source: sa.Engine, target: sa.Engine) -> None:
    """Replaces the database of in-memory SQLite engine `target` by a copy of `source`'s.

    SQLite's backup API copies every page (schema, rows, sequences, user_version) in
    milliseconds, where creating the schema takes ~0.5 s.
    """
    source_raw, target_raw = source.raw_connection(), target.raw_connection()
    try:
        source_raw.driver_connection.backup(target_raw.driver_connection)  # type: ignore[union-attr]
    finally:
        target_raw.close()
        source_raw.close()


def _truncate(engine: sa.Engine) -> None:
    """Empties every table but salesops_meta and restarts every sequence at 1.

    Only the tables holding rows are emptied, by DELETE (test data is small): a TRUNCATE of
    all ~50 tables cost 0.5-0.7 s of file work per test at load 7. Sequences are reset with
    setval, which also covers a table a rolled-back insert left empty but advanced.
    """
    tables = [t for t in schema.metadata.sorted_tables if t.name != "salesops_meta"]
    probe = ", ".join(f'EXISTS (SELECT 1 FROM "{t.name}")' for t in tables)
    with engine.begin() as conn:
        filled = conn.execute(sa.text(f"SELECT {probe}")).one()
        for table, has_rows in reversed(list(zip(tables, filled, strict=True))):
            if has_rows:  # children before their parents (sorted_tables is parents first)
                conn.execute(table.delete())
        conn.execute(
            sa.text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() "
                "AND last_value IS NOT NULL"
            )
        )


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """Returns an empty salesops database engine: in-memory SQLite, then real PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine("sqlite://")
        copy_sqlite_memory(request.getfixturevalue("_sqlite_schema_template"), eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("_postgres_engine")
        _truncate(eng)
        yield eng


Fill = Callable[[sa.Engine], object]


@dataclass
class _PgSnapshot:
    """A PostgreSQL database's rows: each table's COPY text and each sequence's last value."""

    tables: dict[str, bytes]
    sequences: dict[str, int]


def _pg_snapshot(engine: sa.Engine) -> _PgSnapshot:
    """Returns the rows of every salesops table holding some (salesops_meta too)."""
    tables = schema.metadata.sorted_tables
    probe = ", ".join(f'EXISTS (SELECT 1 FROM "{t.name}")' for t in tables)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:  # type: ignore[union-attr]
            filled = cur.execute(f"SELECT {probe}").fetchone()
            copies = {}
            for table, has_rows in zip(tables, filled, strict=True):
                if has_rows:
                    with cur.copy(f'COPY "{table.name}" TO STDOUT') as copy:
                        copies[table.name] = b"".join(bytes(chunk) for chunk in copy)
            sequences = cur.execute(
                "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            ).fetchall()
        conn.rollback()  # type: ignore[union-attr]
    finally:
        raw.close()
    return _PgSnapshot(copies, dict(sequences))


def _pg_restore(engine: sa.Engine, snapshot: _PgSnapshot) -> None:
    """Writes a snapshot's rows into the emptied (`_truncate`d) database of `engine`.

    Parents before children (sorted_tables), so each row's foreign keys are checked as now.
    """
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:  # type: ignore[union-attr]
            cur.execute('DELETE FROM "salesops_meta"')
            for table in schema.metadata.sorted_tables:
                if table.name in snapshot.tables:
                    with cur.copy(f'COPY "{table.name}" FROM STDIN') as copy:
                        copy.write(snapshot.tables[table.name])
            for sequence, value in snapshot.sequences.items():
                cur.execute("SELECT setval(%s::regclass, %s, true)", (sequence, value))
        conn.commit()  # type: ignore[union-attr]
    finally:
        raw.close()


class _Templates:
    """What `filled_copy` built, by fill: an in-memory SQLite copy, a PostgreSQL snapshot."""

    def __init__(self) -> None:
        self.sqlite: dict[str, sa.Engine] = {}
        self.postgres: dict[str, _PgSnapshot] = {}


@pytest.fixture(scope="session")
def _filled_templates() -> Iterator[_Templates]:
    templates = _Templates()
    yield templates
    for engine in templates.sqlite.values():
        engine.dispose()


def _fill_key(fill: Fill) -> str:
    name = f"{fill.__module__}.{fill.__qualname__}"
    if "<" in name:  # a lambda or a local function: one key for different contents
        raise ValueError(f"filled_copy needs a module-level function, not {name}")
    return name


@pytest.fixture
def filled_copy(_filled_templates: _Templates) -> Callable[[sa.Engine, Fill], sa.Engine]:
    """Returns fill(engine, build) -> `engine`, holding what `build` writes into it.

    `engine` is the `engine` fixture's (an empty salesops database) and `build` a module-level
    function writing into it. The first call per session (per xdist worker), database kind
    and `build` runs it and keeps what it wrote: an in-memory SQLite copy (the backup API),
    on PostgreSQL each table's rows (COPY) and the sequences. Later calls put those back into
    the empty database instead of building again (milliseconds, where a build with its
    rollups takes seconds), so each test gets the same rows to read or change.
    """
    templates = _filled_templates

    def fill(engine: sa.Engine, build: Fill) -> sa.Engine:
        key = _fill_key(build)
        if engine.dialect.name == "sqlite":
            if key in templates.sqlite:
                copy_sqlite_memory(templates.sqlite[key], engine)
            else:
                build(engine)
                templates.sqlite[key] = template = make_engine("sqlite://")
                copy_sqlite_memory(engine, template)
        elif key in templates.postgres:
            _pg_restore(engine, templates.postgres[key])
        else:
            build(engine)
            templates.postgres[key] = _pg_snapshot(engine)
        return engine

    return fill


@pytest.fixture
def repo(engine: sa.Engine) -> Repository:
    """Returns a Repository over the `engine` fixture."""
    return Repository(engine)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Returns the URL of a session-wide SQLite file holding the small demo company."""
    path = Path(tmp_path_factory.mktemp("demo")) / "demo.db"
    url = f"sqlite:///{path}"
    generate_demo(make_engine(url), "small", seed=42, progress=lambda f, m: None)
    return url


@pytest.fixture(scope="session")
def empty_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Returns the URL of a SQLite file with the schema and no rows."""
    path = Path(tmp_path_factory.mktemp("empty")) / "empty.db"
    url = f"sqlite:///{path}"
    init_schema(make_engine(url))
    return url


@pytest.fixture(scope="session")
def pg_demo_url(postgres_server: str) -> Iterator[str]:
    """Returns the URL of a throwaway PostgreSQL database holding the small demo company."""
    url = _create_database(postgres_server)
    generate_demo(make_engine(url), "small", seed=42, progress=lambda f, m: None)
    yield url
    _drop_database(postgres_server, url)


# The tiny demo company: built once per database kind and session, then read in place or
# copied for a test that writes (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
# PostgreSQL: both well under a second, against seconds for a rebuild with its rollups and
# stored forecasts).
TINY_SEED = 11


@pytest.fixture(scope="session")
def tiny_demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Returns the URL of a session-wide SQLite file holding the tiny demo (seed TINY_SEED).

    Read it in place (read-only engines) or write to a `copy_database` of it.
    """
    path = Path(tmp_path_factory.mktemp("tiny")) / "tiny.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    generate_demo(engine, "tiny", seed=TINY_SEED, progress=lambda f, m: None)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def _pg_tiny_template(postgres_server: str) -> Iterator[str]:
    """Returns the URL of a PostgreSQL database holding the tiny demo, only ever copied.

    Nothing else connects to it: CREATE DATABASE ... TEMPLATE needs it without sessions.
    """
    url = _create_database(postgres_server)
    engine = make_engine(url)
    generate_demo(engine, "tiny", seed=TINY_SEED, progress=lambda f, m: None)
    engine.dispose()
    yield url
    _drop_database(postgres_server, url)


def _copy_pg_database(server_url: str, template_url: str, name: str | None = None) -> str:
    """Returns the URL of a new database copied from `template_url` (no sessions on it).

    The new database is called `name`, or a new unique name.
    """
    name = name or f"salesops_t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"')
        )
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_tiny_demo_url(postgres_server: str, _pg_tiny_template: str) -> Iterator[str]:
    """Returns the URL of a session-wide PostgreSQL copy of the tiny demo, to read."""
    url = _copy_pg_database(postgres_server, _pg_tiny_template)
    yield url
    _drop_database(postgres_server, url)


@pytest.fixture
def tiny_demo_copy(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """Returns copy(kind) -> the URL of a new database of its own holding the tiny demo.

    `kind` is "sqlite" (a file copy in the test's tmp_path) or "postgres" (a database made
    from the session's template, dropped after the test).
    """
    made: list[tuple[str, str]] = []  # (server, database URL) of each PostgreSQL copy

    def copy(kind: str) -> str:
        if kind == "sqlite":
            source = make_url(request.getfixturevalue("tiny_demo_url")).database or ""
            path = tmp_path / f"tiny-copy-{uuid.uuid4().hex[:8]}.db"
            shutil.copy(source, path)
            return f"sqlite:///{path}"
        server = request.getfixturevalue("postgres_server")
        url = _copy_pg_database(server, request.getfixturevalue("_pg_tiny_template"))
        made.append((server, url))
        return url

    yield copy
    for server, url in made:
        _drop_database(server, url)


def insert(engine: sa.Engine, table: sa.Table, rows: list[dict]) -> None:
    """Inserts rows (dicts) into a table in one transaction."""
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
