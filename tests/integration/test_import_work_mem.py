"""An import's PostgreSQL transaction sorts and builds indexes with more memory, and only it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from salesops.importing import memory


@pytest.mark.postgres
def test_work_mem_is_raised_for_the_transaction_only(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SHOW work_mem").scalar()
        conn.commit()
        with conn.begin():
            memory.postgres_work_mem(conn)
            assert conn.exec_driver_sql("SHOW work_mem").scalar() == memory.POSTGRES_WORK_MEM
            maintenance = conn.exec_driver_sql("SHOW maintenance_work_mem").scalar()
            assert maintenance == memory.POSTGRES_MAINTENANCE_WORK_MEM
        assert conn.exec_driver_sql("SHOW work_mem").scalar() == before
    engine.dispose()
