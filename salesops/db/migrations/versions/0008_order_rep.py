"""Orders: the rep credited with an order (issue 18).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

A repeat order books no deal, so it had no rep and fell out of every by-rep view of order
to cash. `orders.rep_id` holds the rep credited with the order; an order that books a deal
gets that deal's rep, a repeat order the account owner's (the rep of the account's first
won deal). An order with neither keeps an empty rep. A column
already there is left as it is (and filled only where empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEX = "ix_orders_rep_id"


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("orders")}


def _indexes() -> set[str]:
    return {str(i["name"]) for i in sa.inspect(op.get_bind()).get_indexes("orders")}


def _fill() -> None:
    """Sets the rep of every order without one: its deal's, else the account owner's.

    Two set-based UPDATE ... FROM statements (one pass over orders each): a correlated
    subquery per repeat order took over 25 minutes on PostgreSQL at a million deals.
    """
    orders = sa.table(
        "orders",
        sa.column("rep_id", sa.Integer),
        sa.column("opportunity_id", sa.Integer),
        sa.column("account_id", sa.Integer),
    )
    deals = sa.table(
        "opportunities",
        sa.column("id", sa.Integer),
        sa.column("rep_id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("outcome", sa.String),
        sa.column("closed_at", sa.Date),
    )
    op.execute(
        orders.update()
        .where(orders.c.rep_id.is_(None), orders.c.opportunity_id == deals.c.id)
        .values(rep_id=deals.c.rep_id)
    )
    rank = sa.func.row_number().over(
        partition_by=deals.c.account_id, order_by=(deals.c.closed_at, deals.c.id)
    )
    ranked = (
        sa.select(deals.c.account_id, deals.c.rep_id, rank.label("n"))
        .where(deals.c.outcome == "won", deals.c.rep_id.is_not(None))
        .subquery("ranked")
    )
    owners = (
        sa.select(ranked.c.account_id, ranked.c.rep_id).where(ranked.c.n == 1).subquery("owners")
    )
    op.execute(
        orders.update()
        .where(
            orders.c.rep_id.is_(None),
            orders.c.opportunity_id.is_(None),
            orders.c.account_id == owners.c.account_id,
        )
        .values(rep_id=owners.c.rep_id)
    )


def upgrade() -> None:
    """Adds orders.rep_id with its index and fills it."""
    if "rep_id" not in _columns():
        with op.batch_alter_table("orders") as batch:
            batch.add_column(
                sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id", name="fk_orders_rep_id"))
            )
    if INDEX not in _indexes():
        op.create_index(INDEX, "orders", ["rep_id"])
    _fill()


def downgrade() -> None:
    """Drops orders.rep_id and its index."""
    if INDEX in _indexes():
        op.drop_index(INDEX, table_name="orders")
    if "rep_id" in _columns():
        with op.batch_alter_table("orders") as batch:
            batch.drop_column("rep_id")
