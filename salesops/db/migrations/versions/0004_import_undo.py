"""Import runs and what each changed, so an import can be undone (issue 15).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

`import_runs` holds one row per import (its files were written in one transaction);
`import_changes` what the run inserted (id ranges per table), updated and deleted (the rows
as they were), and `import_batches.run_id` which run wrote each file.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates import_runs and import_changes; adds import_batches.run_id."""
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(254)),
        sa.Column("files", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.String(400)),
        sa.Column("undone_at", sa.DateTime),
        sa.Column("undone_by", sa.String(254)),
    )
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("import_runs.id"), nullable=False),
        sa.Column("table_name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("row_id", sa.Integer),
        sa.Column("row_id_end", sa.Integer),
        sa.Column("key", sa.String(200)),
        sa.Column("before", sa.Text),
    )
    op.create_index("ix_import_changes_run_id", "import_changes", ["run_id"])
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("import_batches")}
    if "run_id" not in columns:
        with op.batch_alter_table("import_batches") as batch:
            batch.add_column(sa.Column("run_id", sa.Integer))
            batch.create_index("ix_import_batches_run_id", ["run_id"])


def downgrade() -> None:
    """Drops what upgrade added."""
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_index("ix_import_batches_run_id")
        batch.drop_column("run_id")
    op.drop_index("ix_import_changes_run_id", table_name="import_changes")
    op.drop_table("import_changes")
    op.drop_table("import_runs")
