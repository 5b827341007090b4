"""Writing imported deal history: the file's states replace the history a deal import inferred.

Rows are gathered per file while the batch is validated (they may come in any order), then
at the end of the batch each deal's rows become its states (`history_rows.deal_states`),
its earlier history rows are deleted and the states written, with the outcome of each
state's stage. Deals given rows have their review spans recomputed with the rest.

A large file (more rows than `Settings.import_history_bucket_rows`) is spooled to a
temporary directory in buckets of whole deals (a deal's rows always land in the same
bucket), and the buckets are turned into states one at a time, so memory stays bounded
by a bucket, not the file; everything is still written in the import's one transaction.
"""

from __future__ import annotations

import math
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.engine import bulk_insert, restore_constraints, set_aside_constraints
from salesops.importing.change_log import ChangeLog
from salesops.importing.history_rows import STATE_COLUMNS, TIMESTAMP, deal_states
from salesops.importing.plan import FilePlan
from salesops.importing.references import References
from salesops.importing.statements import among, among_batches

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


# consecutive deal ids kept together in one bucket (the deletes and inserts stay local)
ID_BLOCK = 1024
# history rows per bucket (a file with more is spooled to disk)
BUCKET_ROWS = Settings.import_history_bucket_rows
# from this many history rows on, PostgreSQL's foreign key to the deals is set aside while
# they are written and checked once over the table after: per row, its trigger cost more
# than the row (and locks the deal's row); dropping it locks the history against readers
# until the import commits, as the review's spans' rebuild already does
FOREIGN_KEY_ROWS = 100_000


@dataclass
class _FileRows:
    """One history file's rows gathered so far (in memory, or spooled in buckets), its plan."""

    plan: FilePlan
    buckets: int = 1
    frames: list[pd.DataFrame] = field(default_factory=list)
    spool: Path | None = None

    def add(self, rows: pd.DataFrame) -> None:
        """Keeps rows: in memory with one bucket, else appended to each deal's bucket file."""
        if self.spool is None:
            self.frames.append(rows)
            return
        bucket = (rows["opportunity_id"].to_numpy() // ID_BLOCK) % self.buckets
        for number in np.unique(bucket):
            with (self.spool / f"{number}.pkl").open("ab") as out:
                pickle.dump(rows[bucket == number], out, protocol=pickle.HIGHEST_PROTOCOL)

    def each_bucket(self) -> Iterator[pd.DataFrame]:
        """Yields the rows bucket by bucket (every deal's rows in one bucket), then forgets them."""
        if self.spool is None:
            if self.frames:
                yield pd.concat(self.frames, ignore_index=True)
            self.frames = []
            return
        for number in range(self.buckets):
            path = self.spool / f"{number}.pkl"
            if not path.exists():
                continue
            frames = []
            with path.open("rb") as spooled:
                while True:
                    try:
                        frames.append(pickle.load(spooled))  # our own file, written above
                    except EOFError:
                        break
            path.unlink()
            yield pd.concat(frames, ignore_index=True)


class ImportedHistory:
    """Gathers history rows per file, then replaces the deals' history at the batch's end."""

    def __init__(
        self,
        conn: Connection,
        references: References,
        log: ChangeLog,
        bucket_rows: int | None = None,
    ) -> None:
        self.conn = conn
        self.references = references
        self.log = log
        self.bucket_rows = bucket_rows or BUCKET_ROWS
        self._files: dict[str, _FileRows] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _entry(self, plan: FilePlan) -> _FileRows:
        """Returns the file's gathered rows, spooled to disk when the file has many rows."""
        entry = self._files.get(plan.file)
        if entry is None:
            # HubSpot stage columns give each deal row up to one history row per stage
            expected = plan.rows * max(1, len(plan.stage_entries))
            entry = _FileRows(plan, buckets=max(1, math.ceil(expected / self.bucket_rows)))
            if entry.buckets > 1:
                if self._tmp is None:
                    self._tmp = tempfile.TemporaryDirectory(prefix="salesops-history-")
                entry.spool = Path(self._tmp.name) / str(len(self._files))
                entry.spool.mkdir()
            self._files[plan.file] = entry
        return entry

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
        self._entry(plan).add(kept[[c for c in _KEPT if c in kept]])

    def _current(self, deal_ids: np.ndarray) -> pd.DataFrame:
        """Returns the deals as stored now, indexed by opportunity_id."""
        o = s.opportunities.c
        rows: list[tuple] = []
        for part in among_batches(self.conn, deal_ids.tolist()):
            stmt = select(o.id, *(o[c] for c in _CURRENT)).where(among(self.conn, o.id, part))
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

    def _replace(self, rows: pd.DataFrame, plan: FilePlan, outcomes: dict[str, str]) -> int:
        """Replaces the history of the deals given `rows` (all their rows); returns rows written."""
        deal_ids = rows["opportunity_id"].unique()
        states = deal_states(rows, self._current(deal_ids), pd.Timestamp(plan.as_of))
        states["outcome"] = states["stage"].map(outcomes).fillna("open")
        for part in among_batches(self.conn, np.sort(deal_ids).tolist()):
            if self.conn.dialect.name == "postgresql":
                where = among(self.conn, s.opportunity_history.c.opportunity_id, part)
                self.log.delete_logged(s.opportunity_history, where)
            else:
                self.log.deleted(s.opportunity_history, self._delete_history(part))
        states["amount"] = pd.to_numeric(states["amount"], errors="coerce").astype("float64")
        close = pd.to_datetime(states["expected_close_date"], errors="coerce")
        states["expected_close_date"] = close.astype("datetime64[ns]")
        return bulk_insert(self.conn, s.opportunity_history, states)

    def _delete_history(self, deal_ids: Sequence[int]) -> pd.DataFrame:
        """Deletes the deals' history rows; returns them as they were (for the change log).

        One statement where the database returns what it deletes (PostgreSQL, SQLite): a
        read and then a delete walked the rows twice (6 + 5.9 s at a million rows).
        """
        table = s.opportunity_history
        where = table.c.opportunity_id.in_(deal_ids)
        columns = [c.name for c in table.columns]
        if self.conn.dialect.delete_returning:
            deleted = self.conn.execute(table.delete().where(where).returning(*table.c)).all()
        else:
            deleted = self.conn.execute(select(table).where(where)).all()
            self.conn.execute(table.delete().where(where))
        return pd.DataFrame.from_records([tuple(r) for r in deleted], columns=columns)

    def write(self) -> dict[str, tuple[int, np.ndarray]]:
        """Replaces the history of every deal given rows; returns {file: (rows, deal ids)}.

        Bucket by bucket: a deal's rows are all in one bucket, so each deal's history is
        replaced once, from all its rows.
        """
        written: dict[str, tuple[int, np.ndarray]] = {}
        outcomes = self._outcomes() if self._files else {}
        set_aside: list[tuple[str, str, str]] = []
        if sum(entry.plan.rows for entry in self._files.values()) >= FOREIGN_KEY_ROWS:
            set_aside = set_aside_constraints(self.conn, [s.opportunity_history], unique=False)
        try:
            for name, entry in self._files.items():
                count, deals = 0, []
                for rows in entry.each_bucket():
                    deals.append(rows["opportunity_id"].unique())
                    count += self._replace(rows, entry.plan, outcomes)
                if deals:
                    written[name] = (count, np.concatenate(deals))
            restore_constraints(self.conn, set_aside)  # each row's deal checked once, here
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None
        return written
