"""Writing validated rows: one transaction per import, upserts on (source, external_id).

The writer is a sink for `salesops.importers.validate_planned`: each typed chunk is
written as soon as it is validated, inside one `engine.begin()` transaction. If any file
has an error (and "import valid rows only" was not chosen), or anything raises, the
transaction rolls back and the database is exactly as before. Unchanged rows are not
rewritten, so re-importing a file changes nothing; changed opportunities get an
opportunity_history row so the pipeline review sees the change, and the review's history
spans of every deal given a history row are recomputed before the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from salesops.db import schema as s
from salesops.db.engine import bulk_insert
from salesops.db.rollups import update_history_spans
from salesops.importing.layouts import Layout
from salesops.importing.validation import FilePlan, RowIssue

logger = logging.getLogger(__name__)

LOOKUP_BATCH = 2_000
HISTORY_COLUMNS = ("stage", "outcome", "amount", "expected_close_date", "forecast_category")
ENTITY_TABLES = {
    "reps": s.reps,
    "accounts": s.accounts,
    "leads": s.leads,
    "opportunities": s.opportunities,
}


class ImportAborted(RuntimeError):
    """Raised inside the transaction to roll it back (validation errors found while writing)."""


@dataclass
class WriteCounts:
    """What one file did to the database."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    history: int = 0
    created_references: dict[str, int] = field(default_factory=dict)


def upsert_statement(conn: Connection, table: Table, columns: Sequence[str]):
    """Returns INSERT ... ON CONFLICT (source, external_id) DO UPDATE for the connection's dialect.

    SQLite and PostgreSQL each get their dialect's insert(); other dialects are refused.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported for imports
        raise NotImplementedError(f"Imports need SQLite or PostgreSQL, not {dialect}.")
    updates = {c: stmt.excluded[c] for c in columns if c not in ("source", "external_id")}
    if not updates:
        return stmt.on_conflict_do_nothing(index_elements=["source", "external_id"])
    return stmt.on_conflict_do_update(index_elements=["source", "external_id"], set_=updates)


def _insert_ignore(conn: Connection, table: Table, index_elements: list[str]):
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)


def _plain(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _plain_column(series: pd.Series) -> list[object]:
    """Returns a column as plain Python values: dates as date, missing as None."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series):
        values = np.array(series.dt.date, dtype=object)
    elif pd.api.types.is_float_dtype(series):
        values = np.array(series.to_numpy(dtype=object), dtype=object)
    else:
        values = np.array(series.astype(object).to_numpy(), dtype=object)
    values[missing] = None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the frame as dicts of plain Python values (dates as date, missing as None)."""
    columns = list(frame.columns)
    lists = [_plain_column(frame[c]) for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def _for_bulk(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns the frame with dates as ISO strings and missing values as None (for bulk_insert)."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d").astype(object)
            out[column] = text.where(series.notna(), None)
        else:
            out[column] = series.astype(object).where(series.notna(), None)
    return out


def _batches(values: Sequence, size: int = LOOKUP_BATCH) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class BatchWriter:
    """Writes typed chunks of one import batch on one connection (inside its transaction)."""

    def __init__(self, conn: Connection, valid_rows_only: bool = False) -> None:
        self.conn = conn
        self.valid_rows_only = valid_rows_only
        self.counts: dict[str, WriteCounts] = {}
        self.errors_seen = False
        self._ids: dict[tuple[str, str, str], dict[str, int]] = {}
        self._pending_lead_links: list[tuple[str, str, str]] = []
        self._initial_stage: str | None = None
        self._fresh: dict[tuple[str, str], bool] = {}
        self._analysed: set[tuple[str, str]] = set()
        self._history_deals: list[np.ndarray] = []  # deals given history rows, per chunk

    # ------------------------------------------------------------------ sink

    def __call__(self, plan: FilePlan, typed: pd.DataFrame, issues: list[RowIssue]) -> None:
        """Writes the valid rows of one chunk (stops writing once any error is seen)."""
        counts = self.counts.setdefault(plan.file, WriteCounts())
        invalid = int((~typed["_valid"]).sum())
        counts.rejected += invalid
        if invalid and not self.valid_rows_only:
            self.errors_seen = True
        if self.errors_seen:
            return  # keep validating (to report every error) but write nothing more
        rows = typed[typed["_valid"]].drop(columns=["_valid", "_row"])
        if rows.empty:
            return
        writer = {
            "reps": self._write_reps,
            "accounts": self._write_accounts,
            "leads": self._write_leads,
            "opportunities": self._write_opportunities,
        }[plan.layout.entity]
        writer(plan, rows, counts)

    # ------------------------------------------------------------ references

    def _lookup(self, table: Table, source: str, key: str, values: list[str]) -> dict[str, int]:
        """Returns {value: id} for rows of `source` whose `key` column is in `values`."""
        found: dict[str, int] = {}
        column = table.c[key]
        for part in _batches(values):
            stmt = select(column, table.c.id).where(table.c.source == source, column.in_(part))
            for value, row_id in self.conn.execute(stmt):
                found.setdefault(value, row_id)
        return found

    def _ensure(
        self,
        table: Table,
        source: str,
        names: Iterable[str],
        by: str,
        extra: dict[str, dict[str, object]] | None = None,
        counts: WriteCounts | None = None,
    ) -> dict[str, int]:
        """Returns {name or external id: id}, creating missing rows (external_id = the value)."""
        cache = self._ids.setdefault((table.name, source, by), {})
        wanted = sorted({n for n in names if n is not None and n not in cache})
        if not wanted:
            return cache
        cache.update(self._lookup(table, source, by, wanted))
        missing = [n for n in wanted if n not in cache]
        if missing:
            rows = []
            for value in missing:
                row = {"source": source, "external_id": value, "name": value}
                row.update((extra or {}).get(value, {}))
                rows.append(row)
            self.conn.execute(_insert_ignore(self.conn, table, ["source", "external_id"]), rows)
            cache.update(self._lookup(table, source, "external_id", missing))
            if counts is not None:
                counts.created_references[table.name] = counts.created_references.get(
                    table.name, 0
                ) + len(missing)
        return cache

    def _territory_ids(self, source: str, names: pd.Series, counts: WriteCounts) -> pd.Series:
        mapping = self._ensure(s.territories, source, names.dropna().unique(), "name", None, counts)
        return names.map(mapping, na_action="ignore").astype("Int64")

    def _rep_ids(
        self, source: str, names: pd.Series, by: str, counts: WriteCounts, territory=None
    ) -> pd.Series:
        extra = None
        if territory is not None:
            pairs = pd.DataFrame({"rep": names, "territory": territory}).dropna().drop_duplicates()
            t_ids = self._territory_ids(source, pairs["territory"], counts)
            extra = {
                r: {"territory_id": _plain(t)} for r, t in zip(pairs["rep"], t_ids, strict=True)
            }
        mapping = self._ensure(s.reps, source, names.dropna().unique(), by, extra, counts)
        return names.map(mapping, na_action="ignore").astype("Int64")

    def _account_ids(self, source: str, names: pd.Series, by: str, counts: WriteCounts):
        mapping = self._ensure(s.accounts, source, names.dropna().unique(), by, None, counts)
        return names.map(mapping, na_action="ignore").astype("Int64")

    # ---------------------------------------------------------------- upsert

    def _existing(self, table: Table, source: str, ids: list[str], columns: list[str]):
        frames = []
        cols = [table.c.id, table.c.external_id, *[table.c[c] for c in columns]]
        for part in _batches(ids):
            stmt = select(*cols).where(table.c.source == source, table.c.external_id.in_(part))
            rows = [tuple(row) for row in self.conn.execute(stmt)]
            frames.append(pd.DataFrame.from_records(rows, columns=["id", "external_id", *columns]))
        if not frames:
            return pd.DataFrame(columns=["id", "external_id", *columns])
        existing = pd.concat(frames, ignore_index=True)
        existing["external_id"] = existing["external_id"].astype("str")
        return existing

    def _is_fresh(self, table: Table, source: str, file: str) -> bool:
        """Returns True if `table` had no row of `source` when this file's first chunk came."""
        key = (file, table.name)
        if key not in self._fresh:
            stmt = select(table.c.id).where(table.c.source == source).limit(1)
            self._fresh[key] = self.conn.execute(stmt).first() is None
        return self._fresh[key]

    def _analyse(self, table: Table, file: str) -> None:
        """Refreshes PostgreSQL's statistics once per file after its first bulk insert.

        Without it the planner still believes a freshly filled table is empty and answers
        the per-chunk id lookups with sequential scans (quadratic on a million rows).
        """
        if self.conn.dialect.name != "postgresql" or (file, table.name) in self._analysed:
            return
        self._analysed.add((file, table.name))
        name = self.conn.dialect.identifier_preparer.quote(table.name)
        self.conn.exec_driver_sql(f"ANALYZE {name}")  # identifier from our schema, not input

    def _upsert(
        self,
        table: Table,
        layout: Layout,
        rows: pd.DataFrame,
        counts: WriteCounts,
        file: str = "",
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Upserts changed/new rows; returns (new rows, changed rows, existing before) frames."""
        columns = [c for c in rows.columns if c not in ("source", "external_id")]
        rows = rows.assign(source=layout.source)
        if self._is_fresh(table, layout.source, file):
            # The source had no rows when this file started: nothing can exist already
            # (ids are unique within the file), so skip the per-chunk lookups.
            existing = pd.DataFrame(columns=["id", "external_id", *columns])
        else:
            existing = self._existing(table, layout.source, rows["external_id"].tolist(), columns)
        known = rows["external_id"].isin(existing["external_id"])
        new = rows[~known]
        old = rows[known]
        changed = old.iloc[0:0]
        if not old.empty:
            before = existing.set_index("external_id").loc[old["external_id"], columns]
            after = old.set_index("external_id")[columns]
            differs = np.zeros(len(after), dtype=bool)
            for column in columns:
                differs |= ~_same(before[column], after[column]).to_numpy()
            changed = old[differs]
        counts.inserted += len(new)
        counts.updated += len(changed)
        counts.unchanged += len(old) - len(changed)
        if not new.empty:
            # Checked absent inside this transaction: plain bulk insert (COPY on PostgreSQL).
            bulk_insert(self.conn, table, _for_bulk(new))
            self._analyse(table, file)
        if not changed.empty:
            stmt = upsert_statement(self.conn, table, list(changed.columns))
            self.conn.execute(stmt, _records(changed))
        return new, changed, existing

    # --------------------------------------------------------------- entities

    def _write_reps(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        out = rows[["external_id", "name"]].copy()
        for column in ("email", "manager", "hire_date"):
            if column in rows:
                out[column] = rows[column]
        territory = rows.get("territory", rows.get("region"))
        if territory is not None:
            out["territory_id"] = self._territory_ids(plan.layout.source, territory, counts)
        self._upsert(s.reps, plan.layout, out, counts, plan.file)
        self._ids.pop(("reps", plan.layout.source, "name"), None)

    def _write_accounts(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        out = rows[["external_id", "name"]].copy()
        for column in ("segment", "industry", "employees", "annual_potential", "created_at"):
            if column in rows:
                out[column] = rows[column]
        if "territory" in rows:
            out["territory_id"] = self._territory_ids(plan.layout.source, rows["territory"], counts)
        self._upsert(s.accounts, plan.layout, out, counts, plan.file)
        self._ids.pop(("accounts", plan.layout.source, "name"), None)

    def _write_leads(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        source = plan.layout.source
        out = rows[["external_id", "created_at"]].copy()
        for column in ("channel", "status", "converted_at"):
            if column in rows:
                out[column] = rows[column]
        if "account" in rows:
            out["account_id"] = self._account_ids(source, rows["account"], "name", counts)
        if "rep" in rows:
            out["rep_id"] = self._rep_ids(source, rows["rep"], "name", counts)
        self._upsert(s.leads, plan.layout, out, counts, plan.file)
        if "opportunity_external_id" in rows:
            links = rows[["external_id", "opportunity_external_id"]].dropna()
            self._pending_lead_links += [
                (source, lead, opp)
                for lead, opp in zip(
                    links["external_id"], links["opportunity_external_id"], strict=True
                )
            ]

    def _initial_open_stage(self, layout: Layout) -> str:
        open_rules = sorted(
            (r for r in layout.stages.values() if r.outcome == "open"), key=lambda r: r.sort_order
        )
        if open_rules:
            return open_rules[0].stage
        if self._initial_stage is None:
            st = s.stages.c
            first = self.conn.execute(
                select(st.name).where(st.is_closed.is_(False)).order_by(st.sort_order).limit(1)
            ).scalar()
            self._initial_stage = first or "Open"
        return self._initial_stage

    def _ensure_stages(self, layout: Layout, rows: pd.DataFrame) -> None:
        wanted = rows.drop_duplicates("stage")[["stage", "outcome", "probability", "sort_order"]]
        rules = []
        for stage, outcome, probability, order in wanted.itertuples(index=False, name=None):
            default_p = {"won": 1.0, "lost": 0.0}.get(outcome, 0.5)
            rules.append(
                {
                    "name": stage,
                    "sort_order": int(order) if pd.notna(order) else 100,
                    "probability": float(probability) if pd.notna(probability) else default_p,
                    "is_closed": outcome in ("won", "lost"),
                    "is_won": outcome == "won",
                }
            )
        stmt = _insert_ignore(self.conn, s.stages, ["name"])
        self.conn.execute(stmt, rules)

    def _write_opportunities(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        layout, source = plan.layout, plan.layout.source
        self._ensure_stages(layout, rows)
        out = rows[["external_id", "created_at", "closed_at", "stage", "outcome"]].copy()
        for column in ("name", "amount", "expected_close_date", "forecast_category"):
            if column in rows:
                out[column] = rows[column]
        if "account_external_id" in rows:
            names = rows.get("account")
            ids = self._account_ids(source, rows["account_external_id"], "external_id", counts)
            if names is not None:
                ids = ids.fillna(self._account_ids(source, names, "name", counts))
            out["account_id"] = ids
        elif "account" in rows:
            out["account_id"] = self._account_ids(source, rows["account"], "name", counts)
        if "rep_external_id" in rows:
            out["rep_id"] = self._rep_ids(source, rows["rep_external_id"], "external_id", counts)
        elif "rep" in rows:
            territory = rows["territory"] if layout.options.get("rep_per_territory") else None
            out["rep_id"] = self._rep_ids(source, rows["rep"], "name", counts, territory)
        if "lead_external_id" in rows:
            lead_ids = self._lookup(
                s.leads, source, "external_id", rows["lead_external_id"].dropna().unique().tolist()
            )
            out["lead_id"] = (
                rows["lead_external_id"].map(lead_ids, na_action="ignore").astype("Int64")
            )
        new, changed, existing = self._upsert(s.opportunities, layout, out, counts, plan.file)
        touched = pd.concat([new, changed]) if not changed.empty else new
        if touched.empty:
            return
        ids = self._lookup(s.opportunities, source, "external_id", touched["external_id"].tolist())
        self._write_history(plan, new, changed, existing, ids, counts)
        if layout.options.get("converts_leads") and "lead_id" in out:
            self._convert_leads(touched, ids)

    def _write_history(
        self,
        plan: FilePlan,
        new: pd.DataFrame,
        changed: pd.DataFrame,
        existing: pd.DataFrame,
        ids: dict[str, int],
        counts: WriteCounts,
    ) -> None:
        history: list[dict[str, object]] = []
        if not new.empty:
            self._write_new_history(plan, new, ids, counts)
            self._history_deals.append(new["external_id"].map(ids).to_numpy(dtype="int64"))
        if not changed.empty:
            before = existing.set_index("external_id")
            for row in _records(changed):
                previous = before.loc[row["external_id"]]
                moved = any(
                    c in row and not _same_value(previous.get(c), row[c]) for c in HISTORY_COLUMNS
                )
                if not moved:
                    continue
                newly_closed = row["outcome"] != "open" and previous.get("outcome") == "open"
                when = row["closed_at"] if newly_closed and row.get("closed_at") else plan.as_of
                history.append(
                    {
                        "opportunity_id": ids[row["external_id"]],
                        "changed_at": when,
                        "stage": row["stage"],
                        "outcome": row["outcome"],
                        "amount": row.get("amount", _plain(previous.get("amount"))),
                        "expected_close_date": row.get(
                            "expected_close_date", _plain(previous.get("expected_close_date"))
                        ),
                        "forecast_category": row.get(
                            "forecast_category", _plain(previous.get("forecast_category"))
                        ),
                    }
                )
        if history:
            self.conn.execute(s.opportunity_history.insert(), history)
            counts.history += len(history)
            self._history_deals.append(np.array([r["opportunity_id"] for r in history]))

    def _write_new_history(
        self, plan: FilePlan, new: pd.DataFrame, ids: dict[str, int], counts: WriteCounts
    ) -> None:
        """Writes the first history rows of new deals: open at creation, then closed if closed.

        The export only shows where a closed deal ended, so it is recorded as open in the
        first open stage from its created date until its close date.
        """
        base = pd.DataFrame({"opportunity_id": new["external_id"].map(ids).astype("int64")})
        for column in ("amount", "expected_close_date", "forecast_category"):
            base[column] = new.get(column, None)
        is_open = (new["outcome"] == "open").to_numpy()
        opened = base.assign(
            changed_at=new["created_at"],
            stage=new["stage"].where(is_open, self._initial_open_stage(plan.layout)),
            outcome="open",
        )
        closed = base[~is_open].assign(
            changed_at=new["closed_at"][~is_open],
            stage=new["stage"][~is_open],
            outcome=new["outcome"][~is_open],
        )
        history = pd.concat([opened, closed], ignore_index=True)
        history["amount"] = history["amount"].astype("float64")
        counts.history += bulk_insert(self.conn, s.opportunity_history, _for_bulk(history))

    def _convert_leads(self, touched: pd.DataFrame, ids: dict[str, int]) -> None:
        rows = touched[touched["lead_id"].notna()]
        if rows.empty:
            return
        params = [
            {"lead": int(lead), "opp": ids[ext], "at": _plain(closed)}
            for lead, ext, closed in zip(
                rows["lead_id"], rows["external_id"], rows["closed_at"], strict=True
            )
        ]
        lead = s.leads
        stmt = (
            update(lead)
            .where(lead.c.id == bindparam("lead"))
            .values(
                opportunity_id=bindparam("opp"), converted_at=bindparam("at"), status="converted"
            )
        )
        self.conn.execute(stmt, params)

    def finish(self) -> None:
        """Updates the review's history spans and links leads to their opportunities."""
        if self._history_deals:
            update_history_spans(self.conn, np.unique(np.concatenate(self._history_deals)))
        self._link_leads()

    def _link_leads(self) -> None:
        """Links leads to the opportunities they converted into (both may be in this batch)."""
        if not self._pending_lead_links:
            return
        by_source: dict[str, list[tuple[str, str]]] = {}
        for source, lead, opp in self._pending_lead_links:
            by_source.setdefault(source, []).append((lead, opp))
        for source, pairs in by_source.items():
            leads = self._lookup(s.leads, source, "external_id", sorted({p[0] for p in pairs}))
            opps = self._lookup(
                s.opportunities, source, "external_id", sorted({p[1] for p in pairs})
            )
            params = [
                {"lead": leads[lead], "opp": opps[opp]}
                for lead, opp in pairs
                if lead in leads and opp in opps
            ]
            if not params:
                continue
            lead_t, opp_t = s.leads, s.opportunities
            self.conn.execute(
                update(lead_t)
                .where(lead_t.c.id == bindparam("lead"))
                .values(opportunity_id=bindparam("opp")),
                params,
            )
            self.conn.execute(
                update(opp_t)
                .where(and_(opp_t.c.id == bindparam("opp"), opp_t.c.lead_id.is_(None)))
                .values(lead_id=bindparam("lead")),
                params,
            )


def _same(left: pd.Series, right: pd.Series) -> pd.Series:
    """Returns elementwise equality where both-missing counts as equal (dates/floats tolerant)."""
    left = left.reset_index(drop=True)
    right = right.reset_index(drop=True)
    both_missing = left.isna().to_numpy() & right.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(right) or pd.api.types.is_datetime64_any_dtype(left):
        l_dates = pd.to_datetime(left, errors="coerce")
        r_dates = pd.to_datetime(right, errors="coerce")
        equal = (l_dates == r_dates).to_numpy()
    elif pd.api.types.is_float_dtype(right):
        l_num = pd.to_numeric(left, errors="coerce").to_numpy(dtype="float64")
        r_num = right.to_numpy(dtype="float64", na_value=np.nan)
        equal = np.isclose(l_num, r_num, rtol=0, atol=0.005)
    else:
        as_text = (left.astype("string") == right.astype("string")).fillna(False)
        equal = as_text.to_numpy(dtype=bool)
    return pd.Series(both_missing | equal, index=right.index)


def _same_value(left: object, right: object) -> bool:
    return bool(
        _same(pd.Series([_plain(left)], dtype=object), pd.Series([right], dtype=object)).iloc[0]
    )


# ------------------------------------------------------------------ batches table


def already_imported(conn: Connection, sha256: str, entity: str) -> datetime | None:
    """Returns when a file with this hash was imported for this entity, or None."""
    b = s.import_batches.c
    return conn.execute(
        select(b.imported_at).where(b.sha256 == sha256, b.entity == entity, b.status == "imported")
    ).scalar()


def record_batch(
    conn: Connection,
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
    conn.execute(b.delete().where(b.c.sha256 == sha256, b.c.entity == entity))
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
        )
    )


def known_stages(engine: Engine) -> dict[str, str]:
    """Returns {stage name: outcome} for the stages already in the database."""
    st = s.stages.c
    with engine.connect() as conn:
        rows = conn.execute(select(st.name, st.is_closed, st.is_won)).all()
    return {name: ("won" if won else "lost") if closed else "open" for name, closed, won in rows}


def lead_created_dates(engine: Engine, source: str) -> dict[str, date]:
    """Returns {lead external_id: created_at} for one source (for deals dated by their lead)."""
    lead = s.leads.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(lead.external_id, lead.created_at).where(
                lead.source == source, lead.external_id.is_not(None)
            )
        ).all()
    return {ext: created for ext, created in rows}


def table_counts(engine: Engine) -> dict[str, int]:
    """Returns the number of rows in each table an import writes (for before/after checks)."""
    tables = [
        s.territories,
        s.reps,
        s.accounts,
        s.leads,
        s.opportunities,
        s.opportunity_history,
        s.stages,
        s.import_batches,
    ]
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
        }
