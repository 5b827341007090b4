"""Migrations 0003, 0006, 0008, 0020, 0022: order capture and approval, indexes, the order's rep,
the status summary.

A current database is taken down to revision 0002 with the real downgrades (so the test
holds whatever migrations come between), given an order, and upgraded to the head; a demo
taken down to 0021 gets the status summary back as a rebuild wrote it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from salesops.db import schema
from salesops.db.engine import init_schema, make_engine
from salesops.db.migrate import _config, ensure_current_schema, head_revision, schema_state
from tests.integration.test_db_migrate import demo_copy_url, fresh_url  # noqa: F401  (fixtures)

NEW = {
    "po_number", "billing_address", "shipping_address", "approval_requested_at", "approved_at",
    "approver",
}  # fmt: skip
INDEXES = {
    "ix_orders_invoiced_at",
    "ix_orders_paid_at",
    "ix_orders_never_paid",
    "ix_orders_account_never_paid",
    "ix_orders_paid",
}


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


def test_0008_gives_every_order_the_rep_of_its_deal_or_of_the_account_owner(fresh_url):  # noqa: F811
    engine = make_engine(fresh_url)
    init_schema(engine)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0007")
    assert "rep_id" not in _orders(engine)[0]
    deals = [  # id, account, rep, outcome, closed
        (1, 1, 2, "won", "2026-03-01"), (2, 1, 1, "won", "2026-01-10"),
        (3, 2, 3, "lost", "2026-03-15"),
    ]  # fmt: skip
    orders = [  # id, account, deal: O1 books deal 1; O2, O3 are repeat orders
        (1, 1, 1), (2, 1, None), (3, 2, None),
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO stages (name, sort_order, probability, is_closed, "
                             "is_won) VALUES ('Won', 1, 1, TRUE, TRUE)"))  # fmt: skip
        for rep in (1, 2, 3):
            conn.execute(sa.text(f"INSERT INTO reps (id, name) VALUES ({rep}, 'R{rep}')"))
        for account in (1, 2):
            conn.execute(sa.text(f"INSERT INTO accounts (id, name) VALUES ({account}, 'A')"))
        for deal, account, rep, outcome, closed in deals:
            conn.execute(
                sa.text("INSERT INTO opportunities (id, account_id, rep_id, created_at, stage, "
                        "outcome, closed_at) VALUES (:i, :a, :r, '2025-06-01', 'Won', :o, :c)"),
                {"i": deal, "a": account, "r": rep, "o": outcome, "c": closed},
            )  # fmt: skip
        for order, account, deal in orders:
            conn.execute(
                sa.text("INSERT INTO orders (id, account_id, opportunity_id, ordered_at, amount) "
                        "VALUES (:i, :a, :d, '2026-04-01', 10)"),
                {"i": order, "a": account, "d": deal},
            )  # fmt: skip
    ensure_current_schema(engine)
    columns, indexes = _orders(engine)
    assert "rep_id" in columns and "ix_orders_rep_id" in indexes
    with engine.connect() as conn:
        reps = conn.execute(sa.text("SELECT id, rep_id FROM orders ORDER BY id")).all()
    # O1: its deal's rep; O2: the owner (first won deal: rep 1); O3: no deal won, no rep.
    assert [tuple(r) for r in reps] == [(1, 2), (2, 1), (3, None)]
    engine.dispose()


def _included(engine: sa.Engine) -> dict[str, list[str]]:
    """Returns the columns each unpaid-order index includes (PostgreSQL; none on SQLite)."""
    return {
        str(i["name"]): list(i.get("dialect_options", {}).get("postgresql_include") or [])
        for i in sa.inspect(engine).get_indexes("orders")
        if str(i["name"]) in {"ix_orders_never_paid", "ix_orders_account_never_paid",
                              "ix_orders_paid"}
    }  # fmt: skip


def test_0022_fills_the_status_summary_as_a_rebuild_did(demo_copy_url):  # noqa: F811
    engine = make_engine(demo_copy_url)
    summary, status = schema.rollup_order_status_scopes, schema.order_rollups.status
    included = ["id"] if engine.dialect.name == "postgresql" else []

    def rows() -> list[tuple]:
        with engine.connect() as conn:
            return sorted((tuple(r) for r in conn.execute(sa.select(summary))), key=repr)

    built = rows()
    assert built and any(r[4] for r in built)  # some orders lack a field
    every = {name: included for name in ("ix_orders_never_paid", "ix_orders_account_never_paid",
                                         "ix_orders_paid")}  # fmt: skip
    assert _included(engine) == every  # as the schema builds them
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0021")
    inspector = sa.inspect(engine)
    assert summary.name not in inspector.get_table_names()
    added = {"ix_rollup_order_status_months_paid", "ix_rollup_order_status_months_invoiced"}
    assert not added & {str(i["name"]) for i in inspector.get_indexes(status.name)}
    assert _included(engine) == {"ix_orders_never_paid": [], "ix_orders_account_never_paid": []}
    assert ensure_current_schema(engine) == [f"migrated to revision {head_revision()}"]
    assert rows() == built
    assert added <= {str(i["name"]) for i in sa.inspect(engine).get_indexes(status.name)}
    assert _included(engine) == every
    engine.dispose()
