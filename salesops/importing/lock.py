"""One import at a time per database: the lock an import takes first in its transaction.

Two imports of the same file at once would both find its rows absent and both insert them
(PostgreSQL's COPY then fails on the unique key, and the second run's ledger row replaces
the first's). So an import's transaction starts by taking the database's import lock:

- PostgreSQL: a transaction-level advisory lock (`pg_try_advisory_xact_lock`), released
  by the commit or rollback; a second import is refused at once.
- SQLite: a write to `salesops_meta`, which takes the database's write lock for the rest
  of the transaction; a second import waits the busy timeout, then is refused.

Either way the second import writes nothing and says another import is running.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import OperationalError

from salesops.db import schema as s
from salesops.db.engine import DatabaseError
from salesops.importing.statements import upsert_on

# Any fixed 64-bit number: it names salesops' import lock among the database's advisory locks.
ADVISORY_LOCK_KEY = 0x5A1E_5095_1A7E
BUSY_MESSAGE = (
    "Another import is running on this database: nothing was written. Try again when it "
    "has finished."
)


class ImportBusy(DatabaseError):
    """Another import holds the database's import lock."""


def hold_import_lock(conn: Connection) -> None:
    """Takes the database's import lock for the rest of the transaction, or raises ImportBusy."""
    if conn.dialect.name == "postgresql":
        taken = conn.execute(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))).scalar()
        if not taken:
            raise ImportBusy(BUSY_MESSAGE)
        return
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    try:
        conn.execute(
            upsert_on(conn, s.salesops_meta, ["key"], ["value"]),
            {"key": "last_import_started", "value": now},
        )
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise ImportBusy(BUSY_MESSAGE) from None
        raise
