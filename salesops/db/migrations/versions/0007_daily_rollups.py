"""Daily-grain KPI rollups for partial-month edges (issue 20 case 4).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

A KPI period that is not whole months read its edge days from the base tables (seconds at a
million deals); `rollup_closed_days`, `rollup_lead_days`, `rollup_customer_days` and
`rollup_won_cycle_day_counts` hold the same facts per day (salesops.db.schema_daily).
They are filled here, and rebuilt with the other rollups on every load and import.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesops.db.migrate import refresh_follows
from salesops.db.rollups_daily import daily_plan

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCOPE = ("territory_id", "segment", "channel")
CLOSED_SUMS = (
    ("won", sa.Integer),
    ("lost", sa.Integer),
    ("won_amount", sa.Float),
    ("won_cycle_days", sa.Float),
    ("lost_cycle_days", sa.Float),
    ("won_lead_cycle_days", sa.Float),
    ("won_with_lead", sa.Integer),
)


def _key(name: str) -> sa.Column:
    if name.endswith("_id"):
        return sa.Column(name, sa.Integer)
    return sa.Column(name, sa.String(60 if name == "channel" else 40))


def _create(name: str, keys: tuple[str, ...], values: tuple[tuple[str, type], ...]) -> None:
    op.create_table(
        name,
        sa.Column("month", sa.Date, nullable=False),
        *(_key(k) for k in keys),
        *(sa.Column(column, kind, nullable=False) for column, kind in values),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index(f"ix_{name}_day", name, ["day"])


TABLES = (
    ("rollup_closed_days", ("rep_id", *SCOPE), CLOSED_SUMS),
    ("rollup_lead_days", ("rep_id", *SCOPE), (("leads", sa.Integer), ("converted", sa.Integer))),
    ("rollup_customer_days", (*SCOPE, "rep_id"), (("new_customers", sa.Integer),)),
    (
        "rollup_won_cycle_day_counts",
        ("territory_id", "segment"),
        (("cycle_days", sa.Integer), ("deals", sa.Integer)),
    ),
)


def upgrade() -> None:
    """Creates the daily rollups (those not there) and fills them from the rows in the database.

    Re-runnable: on SQLite a CREATE TABLE commits at once, so an upgrade stopped during the
    fill leaves the tables behind at revision 0006.
    """
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, keys, values in TABLES:
        if name not in present:
            _create(name, keys, values)
    if refresh_follows():  # `db upgrade` rebuilds them next: built once, not twice
        return
    for table, select in daily_plan():
        op.execute(sa.delete(table))
        op.execute(sa.insert(table).from_select([c.name for c in table.columns], select))


def downgrade() -> None:
    """Drops the daily rollups."""
    for name, _, _ in reversed(TABLES):
        op.drop_index(f"ix_{name}_day", table_name=name)
        op.drop_table(name)
