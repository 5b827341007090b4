"""Writing imported deal history: the file's states replace the history a deal import inferred.

Rows are gathered per file while the batch is validated (they may come in any order), then
at the end of the batch each deal's rows become its states (`history_rows.deal_states`),
its earlier history rows are deleted and the states written, with the outcome of each
state's stage. Deals given rows have their review spans recomputed with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from salesops.db import schema as s
from salesops.db.engine import bulk_insert
from salesops.importing.change_log import ChangeLog
from salesops.importing.history_rows import STATE_COLUMNS, TIMESTAMP, deal_states
from salesops.importing.plan import FilePlan
from salesops.importing.records import for_bulk, in_batches
from salesops.importing.references import References

_KEPT = (
    "opportunity_id",
    "changed_at",
    TIMESTAMP,
    *STATE_COLUMNS,
    "field",
    "old_value",
    "new_value",
)
_CURRENT = ("created_at", "closed_at", "outcome", *STATE_COLUMNS)


@dataclass
class _FileRows:
    """One history file's rows gathered so far, and its plan."""

    plan: FilePlan
    frames: list[pd.DataFrame] = field(default_factory=list)


class ImportedHistory:
    """Gathers history rows per file, then replaces the deals' history at the batch's end."""

    def __init__(self, conn: Connection, references: References, log: ChangeLog) -> None:
        self.conn = conn
        self.references = references
        self.log = log
        self._files: dict[str, _FileRows] = {}

    def add(self, plan: FilePlan, rows: pd.DataFrame) -> None:
        """Keeps one chunk's valid, not skipped rows with their deal's id."""
        if "_skip" in rows:
            rows = rows[~rows["_skip"].astype(bool)]
        if rows.empty:
            return
        ids = self.references.lookup(
            s.opportunities,
            plan.layout.source,
            "external_id",
            rows["opportunity_external_id"].dropna().unique().tolist(),
        )
        kept = rows.assign(opportunity_id=rows["opportunity_external_id"].map(ids).astype("int64"))
        entry = self._files.setdefault(plan.file, _FileRows(plan))
        entry.frames.append(kept[[c for c in _KEPT if c in kept]])

    def _current(self, deal_ids: np.ndarray) -> pd.DataFrame:
        """Returns the deals as stored now, indexed by opportunity_id."""
        o = s.opportunities.c
        rows: list[tuple] = []
        for part in in_batches(deal_ids.tolist()):
            stmt = select(o.id, *(o[c] for c in _CURRENT)).where(o.id.in_(part))
            rows += [tuple(r) for r in self.conn.execute(stmt)]
        frame = pd.DataFrame.from_records(rows, columns=["opportunity_id", *_CURRENT])
        for column in ("created_at", "closed_at", "expected_close_date"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        frame["amount"] = frame["amount"].astype("float64")
        return frame.set_index("opportunity_id")

    def _outcomes(self) -> dict[str, str]:
        """Returns {stage: outcome} for the stages in the database (this batch's included)."""
        st = s.stages.c
        rows = self.conn.execute(select(st.name, st.is_closed, st.is_won)).all()
        return {n: ("won" if w else "lost") if c else "open" for n, c, w in rows}

    def write(self) -> dict[str, tuple[int, np.ndarray]]:
        """Replaces the history of every deal given rows; returns {file: (rows, deal ids)}."""
        written: dict[str, tuple[int, np.ndarray]] = {}
        outcomes = self._outcomes() if self._files else {}
        for name, entry in self._files.items():
            rows = pd.concat(entry.frames, ignore_index=True)
            deal_ids = rows["opportunity_id"].unique()
            states = deal_states(rows, self._current(deal_ids), pd.Timestamp(entry.plan.as_of))
            states["outcome"] = states["stage"].map(outcomes).fillna("open")
            h = s.opportunity_history.c
            for part in in_batches(deal_ids.tolist()):
                where = h.opportunity_id.in_(part)
                replaced = self.conn.execute(select(s.opportunity_history).where(where))
                frame = pd.DataFrame.from_records(
                    [tuple(r) for r in replaced], columns=list(replaced.keys())
                )
                self.log.deleted(s.opportunity_history, frame)
                self.conn.execute(s.opportunity_history.delete().where(where))
            states["amount"] = pd.to_numeric(states["amount"], errors="coerce").astype("float64")
            close = pd.to_datetime(states["expected_close_date"], errors="coerce")
            states["expected_close_date"] = close.astype("datetime64[ns]")
            count = bulk_insert(self.conn, s.opportunity_history, for_bulk(states))
            written[name] = (count, deal_ids)
        return written
