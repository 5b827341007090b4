"""Migration 0003: a database at revision 0002 gets the order capture and approval columns."""

from __future__ import annotations

import sqlalchemy as sa

from salesops.db.engine import init_schema, make_engine
from salesops.db.migrate import ensure_current_schema, head_revision, schema_state
from tests.integration.test_db_migrate import fresh_url  # noqa: F401  (fixture)

NEW = {
    "po_number", "billing_address", "shipping_address", "approval_requested_at", "approved_at",
    "approver",
}  # fmt: skip


def _order_columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("orders")}


def test_a_database_at_0002_is_migrated_and_keeps_its_orders(fresh_url):  # noqa: F811
    engine = make_engine(fresh_url)
    init_schema(engine)
    with engine.begin() as conn:
        for name in sorted(NEW):
            conn.execute(sa.text(f"ALTER TABLE orders DROP COLUMN {name}"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0002'"))
        conn.execute(sa.text("INSERT INTO territories (id, name, region, segment) "
                             "VALUES (1, 'T', 'R', 'SMB')"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO accounts (id, source, external_id, name, territory_id, "
                             "segment, created_at) VALUES (1, 's', 'A1', 'Acme', 1, 'SMB', "
                             "'2026-01-01')"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO orders (id, source, external_id, account_id, ordered_at, "
                             "amount) VALUES (1, 's', 'O1', 1, '2026-02-01', 10)"))  # fmt: skip
    assert not NEW & _order_columns(engine)
    steps = ensure_current_schema(engine)
    assert steps == [f"migrated to revision {head_revision()}"]
    assert _order_columns(engine) >= NEW
    with engine.connect() as conn:
        assert schema_state(conn).revision == head_revision()
        assert conn.execute(sa.text("SELECT amount, po_number FROM orders")).one() == (10, None)
    engine.dispose()
