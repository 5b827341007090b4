"""Faults from RELIABILITY.md: the database goes away mid-session, or was never there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.db.engine import DatabaseUnavailable, make_engine
from salesops.repository import Repository


@pytest.mark.postgres
def test_postgres_connections_killed_mid_session_recover_without_restart(pg_demo_url):
    repo = Repository(make_engine(pg_demo_url, read_only=True))
    before = repo.row_counts()
    # An administrator (or a server restart) drops every connection the app holds.
    admin = sa.create_engine(pg_demo_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": make_url(pg_demo_url).database},
        ).scalar()
    admin.dispose()
    assert killed >= 1
    assert repo.row_counts() == before


@pytest.mark.postgres
def test_postgres_page_connection_is_read_only(pg_demo_url):
    engine = make_engine(pg_demo_url, read_only=True)
    with pytest.raises(sa.exc.DBAPIError, match="read-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM stages"))


def test_unreachable_postgres_is_one_clear_sentence_without_the_password():
    repo = Repository(make_engine("postgresql+psycopg://app:s3cret@127.0.0.1:1/sales"))
    with pytest.raises(DatabaseUnavailable) as caught:
        repo.row_counts()
    message = str(caught.value)
    assert message.startswith("Can't reach the database (postgresql+psycopg://app:***@127.0.0.1:1")
    assert "s3cret" not in message


READER_GRANTS = """
CREATE ROLE {role} LOGIN;
GRANT CONNECT ON DATABASE "{database}" TO {role};
REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
"""  # the SQL README.md gives for a SELECT-only role ("A read-only role for the app")

READER_WRITES = {
    "insert": "INSERT INTO stages (name, sort_order) VALUES ('x', 99)",
    "update": "UPDATE reps SET name = 'x'",
    "delete": "DELETE FROM audit_log",
    "create table": "CREATE TABLE planted (x int)",
    "create temp table": "CREATE TEMP TABLE planted (x int)",
    "copy to a file": "COPY reps TO '/tmp/salesops_planted.csv'",
}


@pytest.fixture
def reader_url(pg_demo_url: str, postgres_server: str):
    """Returns pg_demo_url as a new role holding only README's SELECT grants."""
    import uuid

    role = f"salesops_reader_{uuid.uuid4().hex[:8]}"
    database = make_url(pg_demo_url).database
    owner = sa.create_engine(pg_demo_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        for statement in READER_GRANTS.format(role=role, database=database).split(";"):
            if statement.strip():
                conn.execute(sa.text(statement))
    yield make_url(pg_demo_url).set(username=role).render_as_string(hide_password=False)
    with owner.connect() as conn:
        conn.execute(sa.text(f"DROP OWNED BY {role}"))
        conn.execute(sa.text(f"DROP ROLE {role}"))
    owner.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("read_only", [True, False], ids=["page engine", "plain engine"])
@pytest.mark.parametrize("write", list(READER_WRITES))
def test_case_8_a_select_only_role_refuses_every_write_even_read_write(
    reader_url, read_only, write
):
    engine = make_engine(reader_url, read_only=read_only)
    assert Repository(engine).row_counts()["opportunities"] > 0  # the pages' reads work
    with engine.connect() as conn:
        conn.exec_driver_sql("COMMIT")  # leave the read-only transaction the pool began
        conn.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        refused = "permission denied|read-only|must be superuser"
        with pytest.raises(sa.exc.DBAPIError, match=refused):
            conn.exec_driver_sql("BEGIN READ WRITE")
            conn.exec_driver_sql(READER_WRITES[write])
    engine.dispose()


@pytest.mark.postgres
def test_case_8_pages_work_under_the_select_only_role(reader_url, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from salesops.ui.cache import clear_cache

    monkeypatch.setenv("SALESOPS_DATABASE_URL", reader_url)
    clear_cache()
    page = Path(__file__).resolve().parents[2] / "pages" / "kpis.py"
    at = AppTest.from_file(str(page), default_timeout=180).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    from tests.app.conftest import html_tiles

    assert html_tiles(at)  # the KPI tiles (one HTML grid) were read and drawn
    clear_cache()
