"""Order-to-cash status summary and a covering index of paid orders (issue 18).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

The page's default view (a year) read some 76,000 rows of rollup_order_status_months at a
million deals, each with its statuses worked out as of the period's end, then grouped.
`rollup_order_status_scopes` (salesops.db.schema_orders) sums them per month, scope and
missing fields with the statuses as known today (a third of the rows); the few rows
settled after a period's end are put right from the status rollup, found through its new
payment-month and invoice-month indexes. `ix_orders_paid` (the columns of 0020's
ix_orders_never_paid, WHERE paid_at IS NOT NULL) holds all the slow lists read of the
orders paid after the as-of date, which were each looked up in the table; on PostgreSQL
it and 0020's two include the order's id, which the slow orders list reads (SQLite's
indexes hold the rowid): without it PostgreSQL read them from the table. Partial, so only
a query with a condition on paid_at can use it; the cycle rollup's payment leg (paid on or
after the invoice) is one, and SQLite reads it from this index, which covers it, instead
of the table (measured on the medium demo: 2.2-2.5 s CPU vs 2.5-2.7 s; a narrower index
that did not cover it took 3.0-3.1 s). The summary is filled here from the status rollup,
rebuilt after it on every load, import and `db upgrade`. Re-runnable: tables and indexes
already there are kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_orders import status_summary_plan

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

STATUS = "rollup_order_status_months"
STATUS_INDEXES = {
    "ix_rollup_order_status_months_paid": ["paid_month", "month"],
    "ix_rollup_order_status_months_invoiced": ["invoiced_month", "month"],
}
SCOPES = "rollup_order_status_scopes"
SCOPES_INDEX = "ix_rollup_order_status_scopes_month"
COLUMNS = ["paid_at", "invoiced_at", "ordered_at", "account_id", "rep_id", "opportunity_id",
           "amount"]  # fmt: skip
BY_ACCOUNT = ["account_id", *(c for c in COLUMNS if c != "account_id")]
ORDER_INDEXES = {  # name: columns, WHERE (0020's two, given the id on PostgreSQL; the new one)
    "ix_orders_never_paid": (COLUMNS, "paid_at IS NULL"),
    "ix_orders_account_never_paid": (BY_ACCOUNT, "paid_at IS NULL"),
    "ix_orders_paid": (COLUMNS, "paid_at IS NOT NULL"),
}
SUMS = [  # the summary's columns after its keys, as of this revision
    ("orders", sa.Integer), ("first_orders", sa.Integer), ("ordered_amount", sa.Float),
    ("invoiced_orders", sa.Integer), ("invoiced_amount", sa.Float), ("paid_orders", sa.Integer),
    ("paid_amount", sa.Float), ("nonpositive_orders", sa.Integer),
    ("paid_before_invoiced", sa.Integer), ("paid_not_invoiced", sa.Integer),
    ("paid_valid_orders", sa.Integer), ("days_to_pay_sum", sa.Integer),
    ("days_to_cash_sum", sa.Integer),
]  # fmt: skip


def _indexes(table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes(table)}


def _order_indexes(names: list[str], include: list[str]) -> None:
    """Creates the orders' indexes `names`, `include` on PostgreSQL; one there so is kept."""
    postgres = op.get_bind().dialect.name == "postgresql"
    there = {str(i["name"]): i for i in sa.inspect(op.get_bind()).get_indexes("orders")}
    for name in names:
        columns, condition = ORDER_INDEXES[name]
        if name in there:
            held = there[name].get("dialect_options", {}).get("postgresql_include") or []
            if not postgres or list(held) == include:
                continue
            op.drop_index(name, table_name="orders")
        where = sa.text(condition)
        op.create_index(name, "orders", columns, sqlite_where=where, postgresql_where=where,
                        postgresql_include=include)  # fmt: skip


def upgrade() -> None:
    """Creates the index of paid orders, the status rollup's indexes and the summary; fills it."""
    _order_indexes(list(ORDER_INDEXES), ["id"])
    there = _indexes(STATUS)
    for name, columns in STATUS_INDEXES.items():
        if name not in there:
            op.create_index(name, STATUS, columns)
    if SCOPES not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            SCOPES,
            sa.Column("month", sa.Date, nullable=False),
            sa.Column("territory_id", sa.Integer),
            sa.Column("segment", sa.String(40)),
            sa.Column("rep_id", sa.Integer),
            sa.Column("missing", sa.Integer, nullable=False),
            *(sa.Column(name, kind, nullable=False) for name, kind in SUMS),
        )
    if SCOPES_INDEX not in _indexes(SCOPES):
        op.create_index(SCOPES_INDEX, SCOPES, ["month"])
    if refresh_follows():  # `db upgrade` rebuilds it next: built once, not twice
        return
    for table, select in status_summary_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the summary and the new indexes; 0020's lose the id on PostgreSQL."""
    op.drop_index(SCOPES_INDEX, table_name=SCOPES)
    op.drop_table(SCOPES)
    for name in STATUS_INDEXES:
        op.drop_index(name, table_name=STATUS)
    op.drop_index("ix_orders_paid", table_name="orders")
    _order_indexes(["ix_orders_never_paid", "ix_orders_account_never_paid"], [])
