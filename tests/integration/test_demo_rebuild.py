"""A demo rebuilt into a database that already holds one is the same company, row for row and
id for id, as the first build (on PostgreSQL the emptied tables' id sequences restart)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.demo.load import generate_demo
from tests.conftest import own_database

TABLES = (s.opportunities, s.opportunity_history, s.leads)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    with own_database(request, f"sqlite:///{tmp_path / 'demo.db'}") as engine:
        yield engine


def _rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).all()]
            for t in TABLES
        }


def test_rebuilt_demo_keeps_its_ids(engine: sa.Engine) -> None:
    generate_demo(engine, 300, seed=7)
    first = _rows(engine)
    generate_demo(engine, 300, seed=7)
    again = _rows(engine)
    for table in TABLES:
        assert first[table.name], table.name
        assert again[table.name] == first[table.name], table.name
