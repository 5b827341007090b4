"""Migrations 0003 and 0006: order capture and approval columns, invoice and payment indexes.

A current database is taken down to revision 0002 with the real downgrades (so the test
holds whatever migrations come between), given an order, and upgraded to the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from salesops.db.engine import init_schema, make_engine
from salesops.db.migrate import _config, ensure_current_schema, head_revision, schema_state
from tests.integration.test_db_migrate import fresh_url  # noqa: F401  (fixture)

NEW = {
    "po_number", "billing_address", "shipping_address", "approval_requested_at", "approved_at",
    "approver",
}  # fmt: skip
INDEXES = {"ix_orders_invoiced_at", "ix_orders_paid_at"}


def _orders(engine: sa.Engine) -> tuple[set[str], set[str]]:
    inspector = sa.inspect(engine)
    columns = {c["name"] for c in inspector.get_columns("orders")}
    return columns, {str(i["name"]) for i in inspector.get_indexes("orders")}


def test_a_database_at_0002_is_migrated_and_keeps_its_orders(fresh_url):  # noqa: F811
    engine = make_engine(fresh_url)
    init_schema(engine)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0002")
    columns, indexes = _orders(engine)
    assert not NEW & columns and not INDEXES & indexes
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO territories (id, name, region, segment) "
                             "VALUES (1, 'T', 'R', 'SMB')"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO accounts (id, source, external_id, name, territory_id, "
                             "segment, created_at) VALUES (1, 's', 'A1', 'Acme', 1, 'SMB', "
                             "'2026-01-01')"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO orders (id, source, external_id, account_id, ordered_at, "
                             "amount) VALUES (1, 's', 'O1', 1, '2026-02-01', 10)"))  # fmt: skip
    steps = ensure_current_schema(engine)
    assert steps == [f"migrated to revision {head_revision()}"]
    columns, indexes = _orders(engine)
    assert columns >= NEW and indexes >= INDEXES
    with engine.connect() as conn:
        assert schema_state(conn).revision == head_revision()
        assert conn.execute(sa.text("SELECT amount, po_number FROM orders")).one() == (10, None)
    engine.dispose()
