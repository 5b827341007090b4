"""Writing orders, acquisition spend, quotas and time logs (inside the import's transaction).

Orders upsert on (source, external_id) like deals, writing the columns the `orders` table
has. Spend upserts on (month, channel, kind), quotas on (rep, month) and time logs, summed
over the whole file per rep, week and activity, on (rep, week, activity): re-importing a
file sets the same values again. Quotas and time logs name reps of any source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Table, select, tuple_

from salesops.db import schema as s
from salesops.importing.change_log import ChangeLog
from salesops.importing.entity_checks import default_back_office, default_category
from salesops.importing.plan import FilePlan
from salesops.importing.records import in_batches, records
from salesops.importing.references import References
from salesops.importing.sources_entities import SALESOPS_ORDERS
from salesops.importing.statements import insert_ignore, upsert_on

if TYPE_CHECKING:
    from salesops.importing.writing import WriteCounts

Upsert = Callable[[Table, FilePlan, pd.DataFrame, "WriteCounts"], object]
_ORDER_COLUMNS = (
    "ordered_at",
    "invoiced_at",
    "paid_at",
    "amount",
    "gross_margin",
    "po_number",
    "billing_address",
    "shipping_address",
    "approval_requested_at",
    "approved_at",
    "approver",
)


def rep_ids_any_source(conn: Connection, keys: pd.Series) -> pd.Series:
    """Returns the rep id (Int64) of each external id or name, whatever the rep's source."""
    wanted = keys.dropna().unique().tolist()
    found: dict[str, int] = {}
    r = s.reps.c
    for column in (r.external_id, r.name):
        missing = [k for k in wanted if k not in found]
        for part in in_batches(missing):
            for key, rep_id in conn.execute(select(column, r.id).where(column.in_(part))):
                found.setdefault(key, rep_id)
    return keys.map(found, na_action="ignore").astype("Int64")


class EntityWriter:
    """Writes the batch's orders, spend, quotas and time logs on one connection."""

    def __init__(self, conn: Connection, references: References, log: ChangeLog) -> None:
        self.conn = conn
        self.references = references
        self.log = log
        self._activities: dict[str, tuple[FilePlan, list[pd.DataFrame]]] = {}

    def orders(
        self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts, upsert: Upsert
    ) -> None:
        """Upserts orders (the columns the table has), creating the customers they name."""
        source, created = plan.layout.source, counts.created_references
        out = rows[["external_id"]].copy()
        for column in _ORDER_COLUMNS:
            if column in rows and column in s.orders.c:
                out[column] = rows[column]
        if "account_external_id" in rows:
            # The salesops template names accounts by their CRM id (any source's account).
            out["account_id"] = self.references.account_ids(
                source, rows["account_external_id"], "external_id", created, rows.get("account"),
                any_source=plan.layout.key == SALESOPS_ORDERS.key,
            )  # fmt: skip
        elif "account" in rows:
            out["account_id"] = self.references.account_ids(
                source, rows["account"], "name", created
            )
        if "opportunity_external_id" in rows:
            out["opportunity_id"] = self._deal_ids(rows["opportunity_external_id"])
        if "rep" in rows:
            out["rep_id"] = rep_ids_any_source(self.conn, rows["rep"])
        if "account_id" in out or "rep_id" in out:  # not for files updating known orders
            out["rep_id"] = self._order_reps(out)
        upsert(s.orders, plan, out, counts)

    def _order_reps(self, out: pd.DataFrame) -> pd.Series:
        """Returns each order's rep (Int64): the file's, else its deal's, else the account owner's.

        The owner is the rep of the account's first won deal (as migration 0008 fills it), so
        a repeat order, which books no deal, still counts for a rep.
        """
        rep = out["rep_id"] if "rep_id" in out else pd.Series(pd.NA, out.index, dtype="Int64")
        if "opportunity_id" in out:
            rep = rep.fillna(out["opportunity_id"].map(self._deal_reps(out["opportunity_id"])))
        if "account_id" in out:
            rep = rep.fillna(out["account_id"].map(self._account_owners(out["account_id"])))
        return rep.astype("Int64")

    def _deal_reps(self, deal_ids: pd.Series) -> dict[int, int]:
        """Returns {deal id: its rep} for the deals in `deal_ids` that have a rep."""
        o = s.opportunities.c
        found: dict[int, int] = {}
        for part in in_batches([int(i) for i in deal_ids.dropna().unique()]):
            stmt = select(o.id, o.rep_id).where(o.id.in_(part), o.rep_id.is_not(None))
            found.update({deal: rep for deal, rep in self.conn.execute(stmt)})
        return found

    def _account_owners(self, account_ids: pd.Series) -> dict[int, int]:
        """Returns {account id: the rep of its first won deal} (by close date, then deal id)."""
        o = s.opportunities.c
        owners: dict[int, int] = {}
        for part in in_batches([int(i) for i in account_ids.dropna().unique()]):
            stmt = (
                select(o.account_id, o.rep_id)
                .where(o.account_id.in_(part), o.outcome == "won", o.rep_id.is_not(None))
                .order_by(o.account_id, o.closed_at.is_(None), o.closed_at, o.id)
            )
            for account, rep in self.conn.execute(stmt):
                owners.setdefault(account, rep)
        return owners

    def _deal_ids(self, keys: pd.Series) -> pd.Series:
        """Returns the deal id (Int64) of each external id, whatever the deal's source."""
        o = s.opportunities.c
        found: dict[str, int] = {}
        for part in in_batches(keys.dropna().unique().tolist()):
            stmt = select(o.external_id, o.id).where(o.external_id.in_(part))
            found.update({k: v for k, v in self.conn.execute(stmt)})
        return keys.map(found, na_action="ignore").astype("Int64")

    def _keyed_upsert(
        self,
        table: Table,
        keys: list[str],
        values: list[str],
        frame: pd.DataFrame,
        counts: WriteCounts,
    ) -> None:
        """Upserts `frame` on `keys`, counting new, changed and unchanged rows."""
        columns = [table.c[k] for k in keys]
        existing: dict[tuple, dict[str, object]] = {}
        same: set[tuple] = set()
        wanted = list(frame[keys].itertuples(index=False, name=None))
        for part in in_batches(wanted):
            stmt = select(table.c.id, *columns, *(table.c[v] for v in values)).where(
                tuple_(*columns).in_(part)
            )
            for row in self.conn.execute(stmt):
                existing[tuple(row[1 : len(keys) + 1])] = dict(row._mapping)
                same.add(tuple(row[1:]))
        rows = records(frame[[*keys, *values]])
        as_tuples = [tuple(r[c] for c in (*keys, *values)) for r in rows]
        counts.inserted += sum(1 for t in wanted if t not in existing)
        counts.unchanged += sum(1 for t in as_tuples if t in same)
        counts.updated += sum(
            1
            for t, full in zip(wanted, as_tuples, strict=True)
            if t in existing and full not in same
        )
        touched = [existing[t] for t, full in zip(wanted, as_tuples, strict=True)
                   if t in existing and full not in same]  # fmt: skip
        self.log.updated(table, pd.DataFrame(touched, columns=["id", *keys, *values]))
        if rows:
            self.conn.execute(upsert_on(self.conn, table, keys, values), rows)

    def spend(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts spend per (month, channel, kind)."""
        frame = rows[["month", "channel", "kind", "amount"]].copy()
        frame["month"] = frame["month"].dt.date
        self._keyed_upsert(
            s.acquisition_spend, ["month", "channel", "kind"], ["amount"], frame, counts
        )

    def quotas(self, plan: FilePlan, rows: pd.DataFrame, counts: WriteCounts) -> None:
        """Upserts one quota per rep and month (a period's amount spread over its months)."""
        rep_id = rep_ids_any_source(self.conn, rows["rep_key"])
        frame = pd.DataFrame(
            {"rep_id": rep_id, "months": rows["months"], "amount": rows["amount"]}
        ).explode("months")
        per_month = rows["months"].map(len).reindex(frame.index)
        frame["amount"] = (frame["amount"] / per_month).round(2)
        frame["period_start"] = frame["months"].map(lambda p: p.start_time.date())
        frame = frame.drop(columns=["months"])
        frame["rep_id"] = frame["rep_id"].astype("int64")
        self._keyed_upsert(s.quotas, ["rep_id", "period_start"], ["amount"], frame, counts)

    def gather_activities(self, plan: FilePlan, rows: pd.DataFrame) -> None:
        """Keeps time log entries until the batch's end (weeks are summed over the file)."""
        kept = rows[["rep_key", "week_start", "activity", "hours"]]
        self._activities.setdefault(plan.file, (plan, []))[1].append(kept)

    def finish(self, counts_of: Callable[[str], WriteCounts]) -> None:
        """Writes the gathered time logs: new activity types, then hours per rep and week."""
        for name, (_plan, frames) in self._activities.items():
            entries = pd.concat(frames, ignore_index=True)
            self._activity_types(entries["activity"].unique().tolist())
            entries["rep_id"] = rep_ids_any_source(self.conn, entries["rep_key"])
            weekly = entries.groupby(["rep_id", "week_start", "activity"], as_index=False).agg(
                hours=("hours", "sum"), count=("hours", "size")
            )
            weekly["rep_id"] = weekly["rep_id"].astype("int64")
            weekly["week_start"] = weekly["week_start"].dt.date
            weekly["hours"] = weekly["hours"].round(4)
            keys = ["rep_id", "week_start", "activity"]
            self._keyed_upsert(s.activities, keys, ["hours", "count"], weekly, counts_of(name))

    def _activity_types(self, names: list[str]) -> None:
        """Adds the activity types not defined yet (selling or back office if the name says so)."""
        new = self.log.new_keys(s.activity_types, "activity", names)
        rows = [
            {
                "activity": n,
                "category": default_category(n),
                "is_back_office": default_back_office(n),
            }
            for n in new
        ]
        if rows:
            self.conn.execute(insert_ignore(self.conn, s.activity_types, ["activity"]), rows)
