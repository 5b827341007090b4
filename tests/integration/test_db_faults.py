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
