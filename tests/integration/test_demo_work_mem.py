"""A PostgreSQL demo build sorts and builds its indexes with the import's raised memory."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from salesops.db import rollup_helper
from salesops.db.engine import make_engine
from salesops.demo import generate_demo, load
from salesops.importing import memory


def _settings(conn: sa.Connection) -> tuple[str, str]:
    return (
        str(conn.exec_driver_sql("SHOW work_mem").scalar()),
        str(conn.exec_driver_sql("SHOW maintenance_work_mem").scalar()),
    )


@pytest.mark.postgres
def test_the_load_and_the_rollup_refresh_run_with_the_raised_memory(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[str, str]] = {}
    real_insert, real_copy = load.copy_frame, rollup_helper.Helper.copy

    def insert(conn, table, frame, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen["load"] = _settings(conn)
        return real_insert(conn, table, frame, *args, **kwargs)

    def copy(self, conn, step):  # type: ignore[no-untyped-def]
        seen["rollups"] = _settings(conn)
        return real_copy(self, conn, step)

    monkeypatch.setattr(load, "copy_frame", insert)
    monkeypatch.setattr(rollup_helper.Helper, "copy", copy)
    engine = make_engine(postgres_url)
    generate_demo(engine, "tiny", seed=3)
    raised = (memory.POSTGRES_WORK_MEM, memory.POSTGRES_MAINTENANCE_WORK_MEM)
    assert seen == {"load": raised, "rollups": raised}
    with engine.connect() as conn:
        assert _settings(conn) != raised  # for the build's transactions only
    engine.dispose()
