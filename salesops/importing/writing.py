"""Writing validated rows: one transaction per import, upserts on (source, external_id).

The writer is a sink for `salesops.importing.pipeline.validate_planned`: each typed chunk is
written as soon as it is validated, inside one `engine.begin()` transaction. If any file
has an error (and "import valid rows only" was not chosen), or anything raises, the
transaction rolls back and the database is exactly as before. Unchanged rows are not
rewritten, so re-importing a file changes nothing; changed opportunities get an
opportunity_history row (`salesops.importing.history`) so the pipeline review sees the
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, and_, bindparam, select, update

from salesops.db import schema as s
from salesops.db.engine import (
    bulk_insert,
    next_ids,
    restore_constraints,
    set_aside_constraints,
)
from salesops.db.index_builds import create_indexes
from salesops.db.rollups_call_update import CallRollupUpdate
from salesops.importing import account_territories, memory
from salesops.importing.change_log import ChangeLog
from salesops.importing.entity_writing import EntityWriter
from salesops.importing.history import HistoryWriter
from salesops.importing.history_import import ImportedHistory
from salesops.importing.hubspot_stages import entry_rows
from salesops.importing.issues import RowIssue
from salesops.importing.layouts import Layout
from salesops.importing.memory import sqlite_cache
from salesops.importing.plan import FilePlan
from salesops.importing.records import in_batches, plain_value, records, same_values
from salesops.importing.references import References
from salesops.importing.statements import insert_ignore, update_by_key

# Tables whose secondary indexes (and, on PostgreSQL, foreign keys) an import into the empty
# table builds at the end: nothing reads them by those indexes while the chunks are written
# (deals are found by their (source, external_id) key, which stays).
_DEFERRABLE = frozenset({s.opportunities.name, s.opportunity_history.name, s.leads.name})


class ImportAborted(RuntimeError):
    """Raised inside the transaction to roll it back (validation errors found while writing).

    Carries the validation report (set by whoever raises it with one) for the outcome.
    """

    def __init__(self, message: str = "the import was stopped", report: object = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class WriteCounts:
    """What one file did to the database."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    history: int = 0
    created_references: dict[str, int] = field(default_factory=dict)


class BatchWriter:
    """Writes typed chunks of one import batch on one connection (inside its transaction)."""

    def __init__(self, conn: Connection, log: ChangeLog, valid_rows_only: bool = False) -> None:
        self.conn = conn
        self.log = log
        self.valid_rows_only = valid_rows_only
        self.counts: dict[str, WriteCounts] = {}
        self.errors_seen = False
        self.references = References(conn)
        self.call = CallRollupUpdate(conn)  # before any row is written: reps as they were
        self.history = HistoryWriter(conn, self.call)
        self.imported_history = ImportedHistory(conn, self.references, log)
        self.entities = EntityWriter(conn, self.references, log)
        self._pending_lead_links: list[tuple[str, str, str]] = []
        self._fresh: dict[tuple[str, str], bool] = {}
        self._index_checked: set[str] = set()  # tables looked at for _defer_indexes
        self._deferred: list[Table] = []  # tables whose indexes are built at the end
        self._set_aside: list[tuple[str, str, str]] = []  # their foreign keys (PostgreSQL)
        self._analysed: set[tuple[str, str]] = set()
        self._territory_sources: set[str] = set()  # sources whose accounts take deals' territory
        self.notes: list[str] = []  # sentences for the import's message

    def __call__(self, plan: FilePlan, typed: pd.DataFrame, issues: list[RowIssue]) -> None:
        """Writes the valid rows of one chunk (stops writing once any error is seen)."""
        counts = self.counts.setdefault(plan.file, WriteCounts())
        if plan.layout.options.get(account_territories.OPTION):
            self._territory_sources.add(plan.layout.source)
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
            "opportunity_history": self._gather_history,
            "orders": self._write_orders,
            "spend": self.entities.spend,
            "quotas": self.entities.quotas,
            "activities": self._gather_activities,
            "products": self._use_products,
        }[plan.layout.entity]
        writer(plan, rows, counts)

    # ---------------------------------------------------------------- upsert

    def _existing(
        self, table: Table, source: str, ids: list[str], columns: list[str]
    ) -> pd.DataFrame:
        """Returns the stored rows of `source` with these external ids: id, external_id, columns."""
        frames = []
        cols = [table.c.id, table.c.external_id, *[table.c[c] for c in columns]]
        for part in in_batches(ids):
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

    def _defer_indexes(self, table: Table) -> None:
        """Drops the empty table's secondary indexes and PostgreSQL foreign keys till `finish`.

        On SQLite, filling an empty table and then indexing it costs about 40% less than
        keeping its indexes up to date row by row. On PostgreSQL each row's COPY also ran a
        trigger per foreign key: 1M deals took 87 s with them, 12 s with neither (loaded
        machine), and building the indexes and checking the keys once afterwards ~15 s. Only
        tables no import looks up by those indexes before `finish` (which rebuilds them,
        still inside the transaction, so a rolled-back import leaves them as they were); the
        primary and unique keys stay (deals are found by (source, external_id)). Only an
        empty table: on PostgreSQL the dropped index locks it against readers until the
        import commits, as the rollups' rebuilds already lock theirs, and a reader of a
        database's first import has no rows to see before then.
        """
        if table.name in self._index_checked or table.name not in _DEFERRABLE:
            return
        self._index_checked.add(table.name)
        if self.conn.execute(select(table.c.id).limit(1)).first() is not None:
            return
        self._deferred.append(table)
        for index in table.indexes:
            index.drop(self.conn, checkfirst=True)
        self._set_aside += set_aside_constraints(self.conn, [table], unique=False)

    def _rebuild_indexes(self) -> None:
        """Builds the indexes dropped while the empty tables were filled, then adds their keys.

        Each foreign key is checked once over the whole table (a row naming a missing one
        fails the import, which rolls back).
        """
        indexes = [index for table in self._deferred for index in table.indexes]
        create_indexes(self.conn, indexes, checkfirst=True)
        restore_constraints(self.conn, self._set_aside)
        self._deferred = []
        self._set_aside = []

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
        """Upserts changed/new rows; returns (new rows, changed rows, existing before) frames.

        The new rows carry the `id` they were inserted with.
        """
        columns = [c for c in rows.columns if c not in ("source", "external_id")]
        rows = rows.assign(source=layout.source)
        if self._is_fresh(table, layout.source, file):
            # The source had no rows when this file started: nothing can exist already
            # (ids are unique within the file), so skip the per-chunk lookups.
            self._defer_indexes(table)
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
                differs |= ~same_values(before[column], after[column]).to_numpy()
            changed = old[differs]
        counts.inserted += len(new)
        counts.updated += len(changed)
        counts.unchanged += len(old) - len(changed)
        if not new.empty:
            # Checked absent inside this transaction: plain bulk insert (COPY on PostgreSQL),
            # with ids drawn first so nothing has to be read back to know them.
            new = new.assign(id=next_ids(self.conn, table, len(new)))
            bulk_insert(self.conn, table, new)
            self._analyse(table, file)
        if not changed.empty:
            was = existing.drop_duplicates("external_id").set_index("external_id")
            self.log.updated(table, was.loc[changed["external_id"]].reset_index())
            # they exist (the import holds the lock): update them, whatever columns they have
            stmt = update_by_key(table, list(changed.columns))
            params = [{f"k_{c}": v for c, v in row.items()} for row in records(changed)]
            self.conn.execute(stmt, params)
        return new, changed, existing

    # --------------------------------------------------------------- entities

    def _write_reps(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts reps, creating the territories they name."""
        out = rows[["external_id", "name"]].copy()
        for column in (
            "email",
            "manager",
            "hire_date",
            "end_date",
            "weekly_capacity_hours",
            "annual_cost",
        ):
            if column in rows:
                out[column] = rows[column]
        territory = rows.get("territory", rows.get("region"))
        if territory is not None:
            out["territory_id"] = self.references.territory_ids(
                plan.layout.source, territory, counts.created_references
            )
        self._upsert(s.reps, plan.layout, out, counts, plan.file)
        self.references.forget(s.reps, plan.layout.source, "name")

    def _write_accounts(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts accounts, creating the territories they name."""
        out = rows[["external_id", "name"]].copy()
        for column in ("segment", "industry", "employees", "annual_potential", "created_at"):
            if column in rows:
                out[column] = rows[column]
        if "territory" in rows:
            out["territory_id"] = self.references.territory_ids(
                plan.layout.source, rows["territory"], counts.created_references
            )
        self._upsert(s.accounts, plan.layout, out, counts, plan.file)
        self.references.forget(s.accounts, plan.layout.source, "name")

    def _write_leads(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts leads (creating accounts and reps they name); remembers deal links."""
        source, created = plan.layout.source, counts.created_references
        out = rows[["external_id", "created_at"]].copy()
        for column in ("channel", "status", "converted_at"):
            if column in rows:
                out[column] = rows[column]
        if "account" in rows:
            out["account_id"] = self.references.account_ids(
                source, rows["account"], "name", created
            )
        if "rep" in rows:
            out["rep_id"] = self.references.rep_ids(source, rows["rep"], "name", created)
        self._upsert(s.leads, plan.layout, out, counts, plan.file)
        if "opportunity_external_id" in rows:
            links = rows[["external_id", "opportunity_external_id"]].dropna()
            self._pending_lead_links += [
                (source, lead, opp)
                for lead, opp in zip(
                    links["external_id"], links["opportunity_external_id"], strict=True
                )
            ]

    def _ensure_stages(self, rows: pd.DataFrame) -> None:
        """Creates the stages the deals are in that the database does not know yet."""
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
        self.log.new_keys(s.stages, "name", [r["name"] for r in rules])
        stmt = insert_ignore(self.conn, s.stages, ["name"])
        self.conn.execute(stmt, rules)

    def _deal_links(
        self, plan: FilePlan, rows: pd.DataFrame, out: pd.DataFrame, created: dict[str, int]
    ) -> None:
        """Sets account_id, rep_id and lead_id of the deals (creating accounts and reps)."""
        source = plan.layout.source
        refs = self.references
        if "account_external_id" in rows:
            out["account_id"] = refs.account_ids(
                source, rows["account_external_id"], "external_id", created, rows.get("account")
            )
        elif "account" in rows:
            out["account_id"] = refs.account_ids(source, rows["account"], "name", created)
        if "rep_external_id" in rows:
            out["rep_id"] = refs.rep_ids(
                source, rows["rep_external_id"], "external_id", created, labels=rows.get("rep")
            )
        elif "rep" in rows:
            per_territory = plan.layout.options.get("rep_per_territory")
            territory = rows["territory"] if per_territory else None
            out["rep_id"] = refs.rep_ids(source, rows["rep"], "name", created, territory)
        if "lead_external_id" in rows:
            lead_ids = refs.lookup(
                s.leads, source, "external_id", rows["lead_external_id"].dropna().unique().tolist()
            )
            out["lead_id"] = (
                rows["lead_external_id"].map(lead_ids, na_action="ignore").astype("Int64")
            )

    def _write_opportunities(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts deals with their stages and links, writes their history, converts leads."""
        layout = plan.layout
        self._ensure_stages(rows)
        out = rows[["external_id", "created_at", "closed_at", "stage", "outcome"]].copy()
        for column in ("name", "amount", "expected_close_date", "forecast_category"):
            if column in rows:
                out[column] = rows[column]
        self._deal_links(plan, rows, out, counts.created_references)
        self._defer_indexes(s.opportunity_history)  # the deals' first history rows go there
        new, changed, existing = self._upsert(s.opportunities, layout, out, counts, plan.file)
        self._record_rep_changes(changed, existing)
        touched = pd.concat([new, changed]) if not changed.empty else new
        if touched.empty:
            return
        ids: dict[str, int] = {}  # changed deals' ids (new rows carry theirs in `id`)
        if not changed.empty:
            before = existing[existing["external_id"].isin(changed["external_id"])]
            old_ids = before["id"].astype("int64").tolist()
            ids.update(zip(before["external_id"], old_ids, strict=True))
        counts.history += self.history.write(plan, new, changed, existing, ids)
        entries = entry_rows(rows)
        if not entries.empty:
            self.imported_history.add(plan, entries)
        if layout.options.get("converts_leads") and "lead_id" in out:
            if not new.empty:
                new_ids = new["id"].astype("int64").tolist()
                ids.update(zip(new["external_id"], new_ids, strict=True))
            self._convert_leads(touched, ids)

    def _record_rep_changes(self, changed: pd.DataFrame, existing: pd.DataFrame) -> None:
        """Tells the call rollups which deals changed rep, and the rep each had before."""
        if changed.empty or "rep_id" not in changed:
            return
        was = existing.drop_duplicates("external_id").set_index("external_id")
        before = was.loc[changed["external_id"]]
        moved = ~same_values(before["rep_id"], changed.set_index("external_id")["rep_id"])
        rows = before[moved.to_numpy()]
        self.call.deal_reps_changed(
            {
                int(deal): None if pd.isna(rep) else int(rep)
                for deal, rep in zip(rows["id"], rows["rep_id"], strict=True)
            }
        )

    def _convert_leads(self, touched: pd.DataFrame, ids: dict[str, int]) -> None:
        """Marks the deals' leads converted into them, at their close date."""
        rows = touched[touched["lead_id"].notna()]
        if rows.empty:
            return
        params = [
            {"lead": int(lead), "opp": ids[ext], "at": plain_value(closed)}
            for lead, ext, closed in zip(
                rows["lead_id"], rows["external_id"], rows["closed_at"], strict=True
            )
        ]
        lead = s.leads
        columns = ["opportunity_id", "converted_at", "status"]
        self.log.updated(lead, self.log.rows_before(lead, [p["lead"] for p in params], columns))
        stmt = (
            update(lead)
            .where(lead.c.id == bindparam("lead"))
            .values(
                opportunity_id=bindparam("opp"), converted_at=bindparam("at"), status="converted"
            )
        )
        self.conn.execute(stmt, params)

    def _gather_history(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Keeps history rows until the batch's end (a deal's rows may be anywhere in it)."""
        self.imported_history.add(plan, rows)

    def _write_orders(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts orders on (source, external_id)."""

        def upsert(table: Table, plan: FilePlan, out: pd.DataFrame, counts: WriteCounts) -> None:
            self._upsert(table, plan.layout, out, counts, plan.file)

        self.entities.orders(plan, rows, counts, upsert)

    def _use_products(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Products are not stored: their list prices valued the batch's open deals."""
        counts.unchanged += len(rows)

    def _gather_activities(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Keeps time log entries until the batch's end (summed per rep, week and activity)."""
        self.entities.gather_activities(plan, rows)

    def finish(self) -> None:
        """Writes imported history and the review's spans, links leads, infers territories.

        Accounts without a territory take their deals' reps' territory where a layout of the
        batch asks for it (salesops.importing.account_territories); `notes` say how many.
        """
        self._rebuild_indexes()  # before anything below reads by them
        self.entities.finish(lambda name: self.counts.setdefault(name, WriteCounts()))
        for name, (rows, deal_ids) in self.imported_history.write().items():
            self.counts.setdefault(name, WriteCounts()).inserted += rows
            self.history.touched(deal_ids)
        # the spans' rebuild sorts millions of rows: with the rollups' smaller page cache (its
        # sorters are bounded by it) and the history's freed chunks handed back first
        memory.release_unused()
        sqlite_cache(self.conn, memory.ROLLUP_CACHE_KIB)
        self.history.update_spans()
        self._link_leads()
        for source in sorted(self._territory_sources):
            inferred = account_territories.infer_account_territories(self.conn, self.log, source)
            if sentence := inferred.sentence():
                self.notes.append(sentence)

    def _link_leads(self) -> None:
        """Links leads to the opportunities they converted into (both may be in this batch)."""
        if not self._pending_lead_links:
            return
        by_source: dict[str, list[tuple[str, str]]] = {}
        for source, lead, opp in self._pending_lead_links:
            by_source.setdefault(source, []).append((lead, opp))
        for source, pairs in by_source.items():
            leads = self.references.lookup(
                s.leads, source, "external_id", sorted({p[0] for p in pairs})
            )
            opps = self.references.lookup(
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
            leads_before = self.log.rows_before(
                lead_t, [p["lead"] for p in params], ["opportunity_id"]
            )
            self.log.updated(lead_t, leads_before)
            opps_before = self.log.rows_before(opp_t, [p["opp"] for p in params], ["lead_id"])
            self.log.updated(opp_t, opps_before)
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
