"""The data version changes with every write that rebuilds the rollups, and only then."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy.engine import make_url

from salesops.db.engine import make_engine
from salesops.db.rollups import rebuild_rollups, refresh_rollups
from salesops.repository import Repository


@pytest.fixture
def engine(demo_url: str, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(make_url(demo_url).database, path)
    return make_engine(f"sqlite:///{path}")


def test_a_load_records_a_version_and_a_rebuild_changes_it(engine):
    repo = Repository(engine)
    before = repo.data_version()
    assert before is not None
    assert repo.data_version() == before  # reading does not change it
    refresh_rollups(engine, history_spans=False)
    assert repo.data_version() not in (None, before)


def test_a_rolled_back_write_keeps_the_version(engine):
    repo = Repository(engine)
    before = repo.data_version()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        rebuild_rollups(conn, history_spans=False)
        raise RuntimeError("the import failed")
    assert repo.data_version() == before
