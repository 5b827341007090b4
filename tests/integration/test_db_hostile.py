"""Issue 20 cases 8 and 14 at the database layer: read-only page connections, one translation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.db.engine import make_engine
from salesops.db.errors import (
    BadDatabaseUrl,
    DatabaseDamaged,
    DatabaseReadOnly,
    DatabaseUnavailable,
    translate,
)
from salesops.repository import Repository

ROOT = Path(__file__).resolve().parents[2]


def sqlite_copy(demo_url: str, folder: Path) -> tuple[str, Path]:
    path = folder / "copy.db"
    shutil.copy(make_url(demo_url).database, path)
    return f"sqlite:///{path}", path


@pytest.mark.parametrize(
    "statement",
    [
        "ATTACH DATABASE '{folder}/attached.db' AS side",
        "VACUUM INTO '{folder}/vacuumed.db'",
        "PRAGMA query_only = OFF",
        "DELETE FROM stages",
    ],
)
def test_case_8_sqlite_page_connections_write_no_file(demo_url, tmp_path, statement):
    url, _ = sqlite_copy(demo_url, tmp_path)
    engine = make_engine(url, read_only=True)
    with pytest.raises(sa.exc.DatabaseError), engine.connect() as conn:
        conn.exec_driver_sql(statement.format(folder=tmp_path))
        conn.exec_driver_sql("CREATE TABLE side.t (x)")
        conn.exec_driver_sql("DELETE FROM stages")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["copy.db"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM stages").scalar() > 0


@pytest.mark.postgres
@pytest.mark.parametrize(
    "lift",
    [
        ["SELECT 1", "SET TRANSACTION READ WRITE"],
        ["SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "COMMIT", "SELECT 1"],
        ["SET default_transaction_read_only = off", "COMMIT", "SELECT 1"],
    ],
)
def test_case_8_postgres_page_connections_cannot_lift_read_only(pg_demo_url, lift):
    engine = make_engine(pg_demo_url, read_only=True)
    refused = pytest.raises(sa.exc.DBAPIError, match="read-only|read-write mode")
    with refused, engine.connect() as conn:
        for statement in lift:
            if statement == "COMMIT":
                conn.commit()
            else:
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql("CREATE TABLE harden_lifted (x int)")
    check = sa.create_engine(pg_demo_url)
    with check.connect() as conn:
        assert conn.exec_driver_sql("SELECT to_regclass('harden_lifted')").scalar() is None
    check.dispose()
    engine.dispose()


def damaged_files(demo_url: str, folder: Path) -> dict[str, Path]:
    text = folder / "notes.db"
    text.write_text("this is a spreadsheet export, not a database\n" * 100)
    truncated = folder / "truncated.db"
    shutil.copy(make_url(demo_url).database, truncated)
    os.truncate(truncated, truncated.stat().st_size // 3)
    corrupt = folder / "corrupt.db"
    shutil.copy(make_url(demo_url).database, corrupt)
    with corrupt.open("r+b") as handle:
        # A valid header, then page 1 (the schema's b-tree) overwritten: every read fails,
        # whichever pages the demo's tables happen to occupy.
        page_size = int.from_bytes(handle.read(18)[16:18], "big")
        handle.seek(100)
        handle.write(b"\xff" * (page_size - 100))
    return {"not a database": text, "truncated": truncated, "corrupt": corrupt}


@pytest.mark.parametrize("kind", ["not a database", "truncated", "corrupt"])
def test_case_14_damaged_sqlite_files_are_one_sentence(demo_url, tmp_path, kind):
    path = damaged_files(demo_url, tmp_path)[kind]
    with pytest.raises(DatabaseDamaged, match=f"The database file {path} is not a readable"):
        Repository(make_engine(f"sqlite:///{path}", read_only=True)).row_counts()


@pytest.mark.parametrize(
    ("url", "expected", "sentence"),
    [
        ("postgresql+psycopg://app:s3cret@db:port/x", BadDatabaseUrl, "URL is malformed"),
        ("not a url", BadDatabaseUrl, "URL is malformed"),
        ("mysql+pymysql://app:s3cret@127.0.0.1/x", BadDatabaseUrl, "'pymysql'"),
        ("nosuchdb://app@host/x", BadDatabaseUrl, "unknown database or driver ('nosuchdb')"),
    ],
)
def test_case_14_malformed_urls_and_missing_drivers_are_one_sentence(url, expected, sentence):
    with pytest.raises(expected, match=sentence.replace("(", r"\(").replace(")", r"\)")) as caught:
        make_engine(url, read_only=True)
    assert "s3cret" not in str(caught.value)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"database": "salesops_harden_missing"}, "The database 'salesops_harden_missing' does"),
        ({"username": "harden_no_such_role"}, "The database user 'harden_no_such_role' does"),
    ],
)
def test_case_14_missing_postgres_database_or_role_is_not_run_db_init(
    postgres_server, change, sentence
):
    url = make_url(postgres_server).set(**change).render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailable) as caught:
        Repository(make_engine(url, read_only=True)).row_counts()
    assert str(caught.value).startswith(sentence)
    assert "db init" not in str(caught.value)


def test_case_14_translate_keeps_an_explained_error_and_masks_the_url():
    explained = DatabaseReadOnly("already one sentence")
    assert translate(explained, "sqlite:///x.db") is explained
    problem = translate(
        sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused")),
        "postgresql+psycopg://app@db/sales?password=s3cret",
    )
    assert isinstance(problem, DatabaseUnavailable) and "s3cret" not in str(problem)


def _read_only_mount_available() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _read_only_mount_available(), reason="needs root and unshare -m")
def test_case_14_read_only_file_system_reads_work_and_writes_say_read_only(demo_url, tmp_path):
    url, _ = sqlite_copy(demo_url, tmp_path)
    python = f"{sys.executable} -m salesops"
    script = (
        f"mount --bind {tmp_path} {tmp_path} && mount -o remount,bind,ro {tmp_path} && "
        f"{python} quality --url {url} --format json > /dev/null && echo READ_OK; "
        f"{python} demo --url {url}"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert "READ_OK" in done.stdout, done.stderr
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"Error: Can't write to the database ({url}): the file, its folder or the file system "
            "is read-only"
        )
    )
    assert "Traceback" not in done.stderr
