"""The audit log: who imported, undid, or changed settings or users, and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from salesops.db import schema as s
from salesops.repository.frames import DATE, STR, coerce

# What the log records; the CLI, the Data page and their tests use these names.
IMPORTED = "import"
UNDID = "undo import"
USER_ADDED = "user added"
USER_CHANGED = "user changed"
USER_REMOVED = "user removed"
SETTINGS_CHANGED = "settings changed"
ACTIVITY_TYPES_CHANGED = "activity types changed"

AUDIT_COLUMNS = {"at": DATE, "actor": STR, "action": STR, "target": STR, "detail": STR}
DETAIL_LIMIT = 2000


def now() -> datetime:
    """Returns the current UTC time without tzinfo (how the database stores times)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def record(conn: Connection, actor: str, action: str, target: str, detail: str = "") -> None:
    """Writes one audit entry in the caller's transaction (so it commits with the change)."""
    conn.execute(
        s.audit_log.insert().values(
            at=now(),
            actor=actor,
            action=action,
            target=target[:300],
            detail=detail[:DETAIL_LIMIT],
        )
    )


def recent(engine: Engine, limit: int) -> pd.DataFrame:
    """Returns the newest `limit` audit entries. Columns: at, actor, action, target, detail."""
    a = s.audit_log.c
    stmt = (
        select(a.at, a.actor, a.action, a.target, a.detail)
        .order_by(a.at.desc(), a.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return coerce([tuple(row) for row in rows], AUDIT_COLUMNS)
