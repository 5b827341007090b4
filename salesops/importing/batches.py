"""The import_batches ledger: which file (by sha256) was imported for which entity, and when.

It is how a re-upload of the same file is recognised ("already imported") and what the
Data page's import history lists.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, select

from salesops.db import schema as s
from salesops.importing.change_log import ChangeLog
from salesops.importing.writing import WriteCounts


def already_imported(conn: Connection, sha256: str, entity: str) -> datetime | None:
    """Returns when a file with this hash was imported for this entity, or None."""
    b = s.import_batches.c
    return conn.execute(
        select(b.imported_at).where(b.sha256 == sha256, b.entity == entity, b.status == "imported")
    ).scalar()


def record_batch(
    conn: Connection,
    log: ChangeLog,
    *,
    source: str,
    entity: str,
    file_name: str,
    sha256: str,
    rows_read: int,
    counts: WriteCounts,
) -> None:
    """Records (or refreshes) the import_batches row for a written file."""
    b = s.import_batches
    same = (b.c.sha256 == sha256) & (b.c.entity == entity)
    replaced = conn.execute(select(b).where(same)).all()
    log.deleted(b, pd.DataFrame([r._asdict() for r in replaced]))
    conn.execute(b.delete().where(same))
    conn.execute(
        b.insert().values(
            source=source,
            entity=entity,
            file_name=file_name[:300],
            sha256=sha256,
            imported_at=datetime.now(UTC).replace(tzinfo=None),
            status="imported",
            rows_read=rows_read,
            rows_inserted=counts.inserted,
            rows_updated=counts.updated,
            rows_rejected=counts.rejected,
            run_id=log.run_id,
        )
    )
